"""The one writer of visits: entered on the household page (perhaps offline first), sent by a
patrol device, or recognised from a stop on the track.

Idempotent on `key`: a phone that lost its signal resends the same key, and gets back the
visit it already made, with nothing written twice.
"""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import IntegrityError, transaction

from huying.core import audit, clock
from huying.core.errors import Conflict
from huying.patrol.models import Visit, VisitOccupant

OCCUPANT_FIELDS = ("resident", "outcome", "name", "id_number", "phone", "details")


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
) -> Visit:
    """Store one visit with what was found of its occupants, audited; a resend is a no-op."""
    key = uuid.UUID(str(key)) if key else uuid.uuid4()
    stored = _stored(inspector, key)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            return _create(inspector, dwelling, visited_at, origin, key, checklist, notes,
                           occupants)  # fmt: skip
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
    return visit


def _create(inspector, dwelling, visited_at, origin, key, checklist, notes, occupants) -> Visit:
    visit = Visit.objects.create(
        key=key, inspector=inspector, dwelling=dwelling, visited_at=visited_at,
        recorded_at=clock.now(), origin=origin, checklist=checklist or {}, notes=notes,
    )  # fmt: skip
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
