# ruff: noqa: F811  (the `scene` fixture is imported from track_scene and taken as an argument)
"""Visit.found_problem: stored by record_visit with findings.found_problem's rule, the one
writer of visits and their occupants."""

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


def test_record_visit_is_the_only_writer_so_the_finding_cannot_go_stale(scene, browser_client):
    """The flag is judged once, when the visit and its occupants are stored together: the back
    office shows visits read only and has no page for occupants, so nothing changes them."""
    visit = record_visit(scene["inspector"], scene["dwellings"]["YC-T2"], AT, VisitOrigin.PAGE,
                         checklist={"fire_exit": True})  # fmt: skip
    admin = browser_client("admin")
    page = admin.get(f"/admin/patrol/visit/{visit.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    edit = admin.post(
        f"/admin/patrol/visit/{visit.pk}/change/", {"checklist": '{"fire_exit": false}'}
    )
    assert edit.status_code == 403
    assert admin.get("/admin/patrol/visitoccupant/").status_code == 404
    assert not stored(visit)
