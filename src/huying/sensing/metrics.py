"""Sensing figures for Prometheus, read from the database at scrape time: today's ingest counts
per door and outcome (IngestTally, which every ingest process flushes every few seconds) and the
open alarms per severity. Any web process reports them; the ingest processes serve no HTTP."""

from django.db.models import Count, Sum
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from huying.core import clock
from huying.sensing.choices import AlarmStatus
from huying.sensing.models import Alarm, IngestTally


class SensingCollector:
    def collect(self):
        today = timezone.localdate(clock.now())
        ingest = GaugeMetricFamily(
            "huying_ingest_today",
            "Packets, readings and rejections counted by the ingest doors today (local day)",
            labels=["door", "what"],
        )
        rows = IngestTally.objects.filter(day=today).values("door", "what").annotate(n=Sum("count"))
        for row in rows:
            ingest.add_metric([row["door"], row["what"]], row["n"])
        alarms = GaugeMetricFamily(
            "huying_sensing_open_alarms",
            "Alarms not yet cleared, by severity (1 is the most serious)",
            labels=["severity"],
        )
        open_alarms = Alarm.objects.exclude(status=AlarmStatus.CLEARED)
        for row in open_alarms.values("severity").annotate(n=Count("id")):
            alarms.add_metric([str(row["severity"])], row["n"])
        yield from (ingest, alarms)
