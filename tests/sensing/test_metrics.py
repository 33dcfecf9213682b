"""/metrics carries today's ingest counts and the open alarms (read from the database)."""

from django.utils import timezone

from huying.core import clock
from huying.sensing.models import IngestTally


def test_metrics_show_todays_ingest_counts(client, db):
    today = timezone.localdate(clock.now())
    IngestTally.objects.create(day=today, door="hj212", what="crc", count=7)
    IngestTally.objects.create(day=today, door="hj212", what="accepted", count=1200)
    IngestTally.objects.create(
        day=today.replace(year=today.year - 1), door="hj212", what="crc", count=99
    )
    body = client.get("/metrics").content.decode()
    assert 'huying_ingest_today{door="hj212",what="crc"} 7.0' in body
    assert 'huying_ingest_today{door="hj212",what="accepted"} 1200.0' in body
    assert "huying_sensing_open_alarms" in body
