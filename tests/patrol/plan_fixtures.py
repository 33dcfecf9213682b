"""A small patrol scene: dwellings in two villages of 云城街道, the `inspector` patrolling
them, `yuncheng` supervising, and a second inspector (`inspector2`) in the same street."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.core import clock
from huying.datahub.models import Dwelling
from huying.orgs.choices import Role
from huying.orgs.models import Org, User
from huying.patrol import areas, findings
from huying.patrol.choices import VisitOrigin
from huying.patrol.models import Visit, VisitOccupant

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=BEIJING)


def dwelling(code: str, village: Org, **fields) -> Dwelling:
    fields.setdefault("max_occupants", 4)
    return Dwelling.objects.create(
        code=code, address=f"云城街{code}号", town=village.parent, village=village,
        load_id=1, updated_at=NOW, **fields,
    )  # fmt: skip


def visit(inspector, place: Dwelling, at: datetime, checklist=None, outcomes=(), occupants=()):
    """A visit stored as visits.record_visit stores it (found_problem by findings' rule) but
    without its checks against the hub, so that scenes may record occupants by outcome alone.
    `occupants` are VisitOccupant fields; `outcomes` is the short form."""
    made = Visit.objects.create(
        inspector=inspector, dwelling=place, visited_at=at, recorded_at=at,
        origin=VisitOrigin.PAGE, checklist=checklist or {},
    )  # fmt: skip
    return with_occupants(made, *({"outcome": o} for o in outcomes), *occupants)


def with_occupants(made: Visit, *occupants: dict) -> Visit:
    """Occupants added to a stored visit, and the visit judged again as if they had come with
    it (record_visit judges a visit once; nothing in the project adds occupants later)."""
    VisitOccupant.objects.bulk_create([VisitOccupant(visit=made, **o) for o in occupants])
    outcomes = made.occupants.values_list("outcome", flat=True)
    made.found_problem = findings.found_problem(
        made.checklist, outcomes, made.dwelling.max_occupants
    )
    made.save(update_fields=["found_problem"])
    return made


@pytest.fixture
def scene(persona):
    town = Org.objects.get(name="云城街道")
    v1, v2 = list(town.children.order_by("code"))[:2]
    places = [dwelling(f"A{i:02d}", v1) for i in range(1, 4)] + [
        dwelling(f"B{i:02d}", v2) for i in range(1, 3)
    ]
    inspector = persona("inspector")
    other = User.objects.create(
        username="inspector2", role=Role.INSPECTOR, org=town, full_name="巡查员乙"
    )
    admin = persona("admin")
    areas.set_area(
        admin, inspector, villages=[v1.code], dwellings=["B01"], supervisor=persona("yuncheng")
    )
    areas.set_area(admin, other, villages=[v2.code], dwellings=[], supervisor=None)
    with clock.frozen_at(NOW):
        yield {"inspector": inspector, "other": other, "places": places, "v1": v1, "v2": v2}


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)
