"""What a visit says of the hub's open discrepancies: it confirms them or closes them.

A visit settles the open (or confirmed) items on its dwelling and on the residents it names,
that were already open when the inspector was there and that nobody has moved on since the
visit was recorded (a person's later decision, e.g. a reopen, wins over an older visit):

- 登记地与刷卡地不一致 / 登记过期仍在刷卡 (a resident's): the occupant found gone (已搬离) →
  corrected (the registration or card is what is stale); found living there → confirmed;
- 身份证号有误: the occupant's ID number read on the spot, sound → corrected (it travels to the
  hub as an inspection record, so the resident's number is put right too);
- 超员居住: more people living there than allowed, or the checklist's `not_overcrowded` not ok
  → confirmed (the group rental is real).

Each move is a compare-and-swap on the item's state with a DiscrepancyEvent that names the
visit and its inspector as the actor, and an audit row, like a person's move in
datahub.discrepancies: so detection keeps a corrected item closed while its data is the same.
Settling twice changes nothing: the item has moved on, or its event is newer than the visit.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from huying.core import audit, clock
from huying.core.masking import mask_id_number
from huying.datahub.choices import OPEN_DISCREPANCY_STATES, DiscrepancyState
from huying.datahub.choices import DiscrepancyKind as Kind
from huying.datahub.models import Discrepancy, DiscrepancyEvent
from huying.patrol.choices import OccupantOutcome
from huying.patrol.models import Visit, VisitOccupant

# The occupants who live there (a moved-out one does not).
LIVING = (OccupantOutcome.CONFIRMED, OccupantOutcome.DIFFERS, OccupantOutcome.NEW)
# The checklist item that says no more people live there than allowed (api_visits.ChecklistIn).
OCCUPANCY_ITEM = "not_overcrowded"
# verb: (the states it moves from, the state it leads to)
_MOVES = {
    "confirm": ((DiscrepancyState.OPEN,), DiscrepancyState.CONFIRMED),
    "correct": (OPEN_DISCREPANCY_STATES, DiscrepancyState.CORRECTED),
}


def settle(visit: Visit) -> int:
    """Move the items the visit settles; return how many moved."""
    occupants = list(visit.occupants.order_by("pk"))
    moved = 0
    for item in candidates(visit, {o.resident_id for o in occupants if o.resident_id}):
        decision = verdict(item, visit, occupants)
        if decision is not None and _move(item, visit, *decision):
            moved += 1
    return moved


def candidates(visit: Visit, residents: set[int]) -> list[Discrepancy]:
    # Moved on since the visit was recorded (opening it is not moving it on).
    touched_since = DiscrepancyEvent.objects.filter(
        discrepancy=OuterRef("pk"), at__gte=visit.recorded_at
    ).exclude(from_state="")
    return list(
        Discrepancy.objects.filter(
            Q(dwelling_id=visit.dwelling_id) | Q(resident_id__in=residents),
            state__in=OPEN_DISCREPANCY_STATES,
            opened_at__lte=visit.visited_at,
        )
        .exclude(Exists(touched_since))
        .order_by("pk")
    )


def verdict(
    item: Discrepancy, visit: Visit, occupants: Iterable[VisitOccupant]
) -> tuple[str, str] | None:
    """(verb, what the inspector found, in Chinese) or None when the visit does not settle it."""
    if item.kind == Kind.OVER_OCCUPANCY:
        return _crowding(item, visit, occupants)
    found = next((o for o in occupants if o.resident_id and o.resident_id == item.resident_id),
                 None)  # fmt: skip
    if found is None:
        return None
    who = found.name or (found.resident.name if found.resident else "")
    if item.kind in (Kind.DWELLING_MISMATCH, Kind.EXPIRED_STILL_SWIPING):
        if found.outcome == OccupantOutcome.MOVED_OUT:
            return "correct", f"{who}已搬离{visit.dwelling.code}"
        return "confirm", f"{who}仍住在{visit.dwelling.code}"
    if item.kind == Kind.INVALID_ID and found.id_number and found.outcome in LIVING:
        # record_visit refuses a number with an error, so a number stored here is sound.
        return "correct", f"现场核对身份证，{who}的号码为 {mask_id_number(found.id_number)}"
    return None


def _crowding(item, visit, occupants) -> tuple[str, str] | None:
    living = sum(1 for o in occupants if o.outcome in LIVING)
    allowed = visit.dwelling.max_occupants
    check = (visit.checklist or {}).get(OCCUPANCY_ITEM)
    flagged = (check.get("ok", True) if isinstance(check, dict) else check) is False
    if flagged or (allowed is not None and living > allowed):
        return "confirm", f"现场居住 {living} 人，核定 {allowed if allowed is not None else '—'} 人"
    return None


def _move(item: Discrepancy, visit: Visit, verb: str, found: str) -> bool:
    starts, target = _MOVES[verb]
    if item.state not in starts:
        return False
    now, before = clock.now(), item.state
    at = timezone.localtime(visit.visited_at)
    note = f"巡查核实：{found}（{visit.inspector} {at:%Y-%m-%d %H:%M}，巡查记录 {visit.key}）"
    closed_at = None if target in OPEN_DISCREPANCY_STATES else now
    with transaction.atomic():
        # Compare-and-swap: a person's move or the detector's close that got in first wins.
        if not Discrepancy.objects.filter(pk=item.pk, state=before).update(
            state=target, updated_at=now, closed_at=closed_at
        ):
            return False
        DiscrepancyEvent.objects.create(
            discrepancy=item, at=now, actor=visit.inspector, from_state=before, to_state=target,
            note=note,
        )  # fmt: skip
        audit.record(
            f"datahub.discrepancy.{verb}", actor=visit.inspector, obj=item,
            before={"state": before},
            after={"state": target, "visit": str(visit.key), "visit_id": visit.pk},
            reason=note,
        )  # fmt: skip
    item.state, item.updated_at, item.closed_at = target, now, closed_at
    return True
