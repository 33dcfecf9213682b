"""Discrepancies: the detectors' findings kept as a work list, and what people do with them.

`detect(now)` is idempotent and runs after every link or refresh. Per (kind, subject) there
is at most one item open (open or confirmed): a repeat detection updates its summary and
evidence; a condition that has gone closes it as corrected, with an event naming the load
the data now comes from; a new condition opens one. A condition a person dismissed, or said
was corrected, is not opened again while its data is the same (the evidence's fingerprint).

People move items on with `confirm`, `correct`, `dismiss` (with a reason) and `reopen`;
each writes a DiscrepancyEvent and an audit row in one transaction. `visible_to(user)`: a
village sees its own items, a town its villages' (and its own), district roles all.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from huying.core import audit, clock
from huying.core.errors import Conflict, Invalid, NotFound
from huying.core.scoping import get_visible_or_404, scope_for
from huying.datahub import registry_io as rio
from huying.datahub.choices import (
    OPEN_DISCREPANCY_STATES,
    DiscrepancyState,
)
from huying.datahub.discrepancy_detectors import find_all
from huying.datahub.discrepancy_writes import CLOSED_BY_PEOPLE, Detection, reconcile
from huying.datahub.models import Discrepancy, DiscrepancyEvent

__all__ = ["Detection", "confirm", "correct", "detect", "discrepancy_for", "dismiss", "reopen",
           "visible_to"]  # fmt: skip


def detect(now=None, *, snapshot: rio.Snapshot | None = None) -> Detection:
    """Open, update or close items to match the hub's data now."""
    snap = snapshot or rio.Snapshot.open(now)
    try:
        if snapshot is None:
            snap.pull_dwellings()
        found = find_all(snap, settings.DATAHUB_SWIPE_WINDOW_DAYS)
    finally:
        if snapshot is None:
            snap.close()
    with transaction.atomic():
        return reconcile(found, snap.now)


# --- what people do -------------------------------------------------------------------------

# verb: (the states it may start from, the state it leads to, what it is called)
_TRANSITIONS = {
    "confirm": ((DiscrepancyState.OPEN,), DiscrepancyState.CONFIRMED, "确认"),
    "correct": (OPEN_DISCREPANCY_STATES, DiscrepancyState.CORRECTED, "标记为已更正"),
    "dismiss": (OPEN_DISCREPANCY_STATES, DiscrepancyState.DISMISSED, "排除"),
    "reopen": (CLOSED_BY_PEOPLE, DiscrepancyState.OPEN, "重新打开"),
}


def confirm(discrepancy: Discrepancy, actor, note: str = "") -> Discrepancy:
    """The inspector has seen it: the conflict is real and needs correcting in a source."""
    return _move(discrepancy, actor, "confirm", note)


def correct(discrepancy: Discrepancy, actor, note: str = "") -> Discrepancy:
    """Put right in the source system (the next load should bear it out)."""
    return _move(discrepancy, actor, "correct", note)


def dismiss(discrepancy: Discrepancy, actor, reason: str) -> Discrepancy:
    """Not a real problem (e.g. a registered workers' dormitory); the reason is required."""
    if not (reason or "").strip():
        raise Invalid("请填写排除的理由", field="reason")
    return _move(discrepancy, actor, "dismiss", reason.strip())


def reopen(discrepancy: Discrepancy, actor, note: str = "") -> Discrepancy:
    return _move(discrepancy, actor, "reopen", note)


def _move(discrepancy: Discrepancy, actor, verb: str, note: str) -> Discrepancy:
    starts, target, label = _TRANSITIONS[verb]
    now = clock.now()
    with transaction.atomic():
        item = Discrepancy.objects.select_for_update().filter(pk=discrepancy.pk).first()
        if item is None or (actor is not None and not _sees(actor, item)):
            raise NotFound("未找到，或不在您的可见范围内")
        if item.state not in starts:
            raise Conflict(f"该差异当前为“{item.get_state_display()}”，不能{label}", field="state")
        if target in OPEN_DISCREPANCY_STATES and item.state not in OPEN_DISCREPANCY_STATES:
            other = Discrepancy.objects.filter(
                kind=item.kind, subject=item.subject, state__in=OPEN_DISCREPANCY_STATES
            ).first()
            if other is not None:
                raise Conflict(f"同一对象已有一条待处理的差异（编号 {other.pk}），不能{label}")
        before = item.state
        item.state, item.updated_at = target, now
        item.closed_at = None if target in OPEN_DISCREPANCY_STATES else now
        item.save(update_fields=["state", "updated_at", "closed_at"])
        DiscrepancyEvent.objects.create(
            discrepancy=item, at=now, actor=actor, from_state=before, to_state=target, note=note
        )
        audit.record(
            f"datahub.discrepancy.{verb}", actor=actor, obj=item,
            before={"state": before}, after={"state": target}, reason=note,
        )  # fmt: skip
    discrepancy.state, discrepancy.updated_at = item.state, item.updated_at
    discrepancy.closed_at = item.closed_at
    return item


# --- who sees what --------------------------------------------------------------------------


def visible_to(user) -> QuerySet[Discrepancy]:
    """A village's items are its own; an item with no village belongs to its town; district
    roles see every item (core.scoping)."""
    scope = scope_for(user)
    items = Discrepancy.objects.all()
    if scope.whole_district:
        return items
    return items.filter(scope.q("village") | (Q(village__isnull=True) & scope.q("town")))


def _sees(user, item: Discrepancy) -> bool:
    return visible_to(user).filter(pk=item.pk).exists()


def discrepancy_for(user, pk: int) -> Discrepancy:
    """One item the user may see, else 404 (audited): the API's and the pages' detail."""
    visible = visible_to(user).select_related("town", "village", "resident", "dwelling")
    return get_visible_or_404(visible, user, pk=pk)
