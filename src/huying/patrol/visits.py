"""The one writer of visits: entered on the household page (perhaps offline first), sent by a
patrol device, or recognised from a stop on the track.

Idempotent on `key`: a phone that lost its signal resends the same key, and gets back the
visit it already made, with nothing written twice (`visit.created` tells the two apart).
Occupants are checked by `visit_occupants.clean` (422 `occupants.N.field`) and photos, uploaded
before, are bound by `visit_photos.bind`, both inside the visit's transaction. Whether the visit
found a problem (`Visit.found_problem`, `findings.found_problem`'s rule) is judged here, once.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from huying.core import audit, clock
from huying.core.errors import Conflict, Invalid
from huying.patrol import corrections, findings, visit_occupants, visit_photos
from huying.patrol.models import Visit, VisitOccupant

OCCUPANT_FIELDS = ("resident", "outcome", "name", "id_number", "phone", "details")
# A phone's clock may run a little fast; a visit further ahead than this is a wrong time.
CLOCK_SLACK = timedelta(minutes=10)


def record_visit(
    inspector,
    dwelling,
    visited_at: datetime,
    origin: str,
    *,
    key: uuid.UUID | str | None = None,
    checklist: dict | None = None,
    notes: str = "",
    occupants: Iterable[Mapping] = (),
    photos: Sequence[int] = (),
) -> Visit:
    """Store one visit with what was found of its occupants and its photos, audited; a resend
    is a no-op (checked first: what was valid when stored stays the answer)."""
    key = uuid.UUID(str(key)) if key else uuid.uuid4()
    stored = _stored(inspector, key)
    if stored is not None:
        return stored
    if visited_at > clock.now() + CLOCK_SLACK:
        raise Invalid("巡查时间不能晚于现在", field="visited_at")
    found = visit_occupants.clean(inspector, dwelling, occupants)
    try:
        with transaction.atomic():
            visit = _create(inspector, dwelling, visited_at, origin, key, checklist, notes,
                            found)  # fmt: skip
            visit_photos.bind(inspector, photos, visit)
            corrections.record(visit)  # the hub hears of it (inspection, discrepancies)
            return visit
    except IntegrityError:
        # Two resends raced: the other one's transaction won; return its visit.
        stored = _stored(inspector, key)
        if stored is None:
            raise
        return stored


def _stored(inspector, key: uuid.UUID) -> Visit | None:
    visit = Visit.objects.filter(key=key).first()
    if visit is not None and visit.inspector_id != inspector.pk:
        raise Conflict("该幂等键已被其他巡查员的记录使用", field="key")
    if visit is not None:
        visit.created = False
    return visit


def _create(inspector, dwelling, visited_at, origin, key, checklist, notes, occupants) -> Visit:
    checklist = checklist or {}
    # Judged once, here: a visit and its occupants are written together and never changed.
    problem = findings.found_problem(
        checklist, [o["outcome"] for o in occupants], dwelling.max_occupants
    )
    visit = Visit.objects.create(
        key=key, inspector=inspector, dwelling=dwelling, visited_at=visited_at,
        recorded_at=clock.now(), origin=origin, checklist=checklist, notes=notes,
        found_problem=problem,
    )  # fmt: skip
    visit.created = True
    found = [
        VisitOccupant(visit=visit, **{f: o[f] for f in OCCUPANT_FIELDS if f in o})
        for o in occupants
    ]
    VisitOccupant.objects.bulk_create(found)
    audit.record(
        "patrol.visit_recorded",
        actor=inspector,
        obj=visit,
        after={"dwelling": dwelling.code, "visited_at": visited_at, "origin": origin,
               "occupants": len(found)},
    )  # fmt: skip
    return visit
