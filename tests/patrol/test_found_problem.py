# ruff: noqa: F811  (the `scene` fixture is imported from track_scene and taken as an argument)
"""Visit.found_problem: stored by record_visit with findings.found_problem's rule, and kept
right when occupants are written one by one (the admin, fixtures) or removed."""

from huying.patrol.choices import OccupantOutcome, VisitOrigin
from huying.patrol.models import Visit
from huying.patrol.visits import record_visit
from tests.patrol.track_scene import beijing, scene  # noqa: F401

AT = beijing("2026-11-10T10:00:00")


def stored(visit: Visit) -> bool:
    return Visit.objects.get(pk=visit.pk).found_problem


def test_record_visit_stores_what_the_checklist_and_occupants_found(scene):
    inspector, door = scene["inspector"], scene["dwellings"]["YC-T1"]
    door.max_occupants = 1
    door.save()
    fine = record_visit(inspector, door, AT, VisitOrigin.PAGE, checklist={"fire_exit": True},
                        occupants=[{"outcome": OccupantOutcome.NEW, "name": "张三"}])  # fmt: skip
    blocked = record_visit(inspector, door, AT, VisitOrigin.PAGE, checklist={"fire_exit": False})
    crowded = record_visit(inspector, door, AT, VisitOrigin.PAGE, occupants=[
        {"outcome": OccupantOutcome.NEW, "name": "张三"},
        {"outcome": OccupantOutcome.NEW, "name": "李四"},
    ])  # fmt: skip
    assert (stored(fine), stored(blocked), stored(crowded)) == (False, True, True)


def test_an_occupant_added_or_removed_later_changes_the_finding(scene):
    visit = record_visit(scene["inspector"], scene["dwellings"]["YC-T2"], AT, VisitOrigin.PAGE)
    assert not stored(visit)
    differs = visit.occupants.create(outcome=OccupantOutcome.DIFFERS, name="王五")
    assert stored(visit)
    differs.delete()
    assert not stored(visit)
