# ruff: noqa: F811  (the `scene` fixture is imported from track_scene and taken as an argument)
"""record_visit: the one writer of visits; a resend with the same key writes nothing."""

import uuid

import pytest

from huying.core.errors import Conflict
from huying.core.models import AuditEntry
from huying.patrol.choices import OccupantOutcome, VisitOrigin
from huying.patrol.models import Visit, VisitOccupant
from huying.patrol.visits import record_visit
from tests.patrol.track_scene import beijing, scene  # noqa: F401

AT = beijing("2026-11-10T10:00:00")


def test_a_visit_is_stored_with_its_occupants_and_audited(scene):
    inspector, door = scene["inspector"], scene["dwellings"]["YC-T1"]
    visit = record_visit(
        inspector, door, AT, VisitOrigin.PAGE, checklist={"fire_exit": True}, notes="正常",
        occupants=[{"outcome": OccupantOutcome.NEW, "name": "张三"}],
    )  # fmt: skip
    assert visit.occupants.get().name == "张三"
    entry = AuditEntry.objects.filter(action="patrol.visit_recorded").latest("seq")
    assert entry.object_id == str(visit.pk) and entry.after["dwelling"] == "YC-T1"


def test_a_resend_with_the_same_key_returns_the_stored_visit_and_writes_nothing(scene):
    inspector, door = scene["inspector"], scene["dwellings"]["YC-T1"]
    key = uuid.uuid4()
    first = record_visit(inspector, door, AT, VisitOrigin.OFFLINE, key=key,
                         occupants=[{"outcome": OccupantOutcome.NEW, "name": "张三"}])  # fmt: skip
    audits = AuditEntry.objects.count()
    again = record_visit(inspector, door, AT, VisitOrigin.OFFLINE, key=str(key),
                         occupants=[{"outcome": OccupantOutcome.NEW, "name": "张三"}])  # fmt: skip
    assert again.pk == first.pk
    assert Visit.objects.filter(key=key).count() == 1
    assert VisitOccupant.objects.filter(visit=first).count() == 1
    assert AuditEntry.objects.count() == audits


def test_another_inspectors_key_is_a_conflict(scene):
    door, key = scene["dwellings"]["YC-T1"], uuid.uuid4()
    record_visit(scene["inspector"], door, AT, VisitOrigin.API, key=key)
    with pytest.raises(Conflict):
        record_visit(scene["colleague"], door, AT, VisitOrigin.API, key=key)
