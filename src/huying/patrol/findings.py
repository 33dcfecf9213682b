"""The one rule for "this visit found a problem" (发现问题): stored on the visit
(`Visit.found_problem`, set by visits.record_visit), read by the revisit reason of the day plan
(plan_selectors.revisits), the coverage page's overdue revisits and the exports. Imports no
model, so the data migration that filled the column can use it."""

from collections.abc import Iterable

from huying.patrol.choices import OccupantOutcome

OCCUPYING = (OccupantOutcome.CONFIRMED, OccupantOutcome.DIFFERS, OccupantOutcome.NEW)


def found_problem(checklist: dict, outcomes: Iterable[str], max_occupants: int | None) -> bool:
    """A visit found a problem: a checklist item not ok (False, or {"ok": false}), more people
    living there than allowed, or an occupant whose details differ from the hub's."""
    for value in (checklist or {}).values():
        ok = value.get("ok", True) if isinstance(value, dict) else value
        if ok is False:
            return True
    outcomes = list(outcomes)
    if OccupantOutcome.DIFFERS in outcomes:
        return True
    living = sum(1 for outcome in outcomes if outcome in OCCUPYING)
    return max_occupants is not None and living > max_occupants
