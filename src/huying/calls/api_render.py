"""The calls API's two busiest reads, the list page and the detail, rendered straight from rows.

Department workbenches poll the list and people open calls all day. Through the response
schemas each ORM instance went through Ninja's getter (a Python call per field, a resolver or
`get_FOO_display` for the computed ones), Pydantic validation and the JSON encoder's fallback:
about 25 ms of CPU for a 50-item page and 10 ms for a detail, which capped a two-core server at
some 35 pages a second. Here each call is a `.values()` row (no model instances) turned into
the JSON the schemas describe, and the handlers return it as is.

`CallOut` and `CallDetailOut` stay the contract: they still generate the OpenAPI document, and
tests/calls/test_api_render.py holds this rendering equal to theirs, key for key, on calls in
every state. A field added to a schema must be added here too (that test then fails until it is).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from huying.calls import selectors
from huying.calls.choices import AssignmentRole, CallStatus, Domain, EventKind, Source, Urgency
from huying.calls.limits import Limit
from huying.calls.models import Call, CallAssignment, CallEvent, Rating
from huying.core import clock
from huying.core.pagination import CappedCountLimitOffset
from huying.core.renderers import ReadableJSONRenderer
from huying.core.scoping import get_visible_or_404
from huying.orgs.choices import TIER_OF_KIND, Tier
from huying.orgs.models import User

# What `CallOut` shows of a call, read in the list's one query (joins on the matter, the
# calling unit and its town, the lead department).
LIST_COLUMNS = (
    *("id", "number", "title", "status", "domain", "urgency", "source"),
    *("matter__code", "matter__name", "caller_org__code", "caller_org__name", "caller_org__kind"),
    *("caller_org__parent__code", "caller_org__parent__name"),
    *("lead_department__code", "lead_department__name", "address", "lat", "lon", "called_at"),
    *("response_due_at", "responded_at", "resolution_due_at", "resolved_at", "closed_at"),
    *("withdrawn_at", "urge_level", "redo_count", "return_count"),
)
# `CallDetailOut` adds the description and the limits.
DETAIL_COLUMNS = (
    *LIST_COLUMNS,
    *("description", "response_seconds", "response_working_days", "resolution_seconds"),
    "resolution_working_days",
)
RATING_COLUMNS = ("department__code", "department__name", "rated_at", "satisfaction")
RATING_COLUMNS += ("timeliness", "attitude", "perfunctory", "perfunctory_reason")
# The events with their files: one row per event and file (a left join: most carry none).
EVENT_COLUMNS = ("id", "seq", "kind", "at", "actor_name", "actor_org__name")
EVENT_COLUMNS += ("from_status", "to_status", "note", "data")
FILE_COLUMNS = ("attachments__id", "attachments__name", "attachments__content_type")
FILE_COLUMNS += ("attachments__size",)
ASSIGNMENT_COLUMNS = ("department__code", "department__name", "role", "signed_at", "is_active")
VILLAGE_KINDS = frozenset(kind for kind, tier in TIER_OF_KIND.items() if tier == Tier.VILLAGE)

_RENDERER = ReadableJSONRenderer()
CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"
_moment_text = DjangoJSONEncoder().default  # the API's way with a datetime: ms, "Z" for UTC


def _moment(value: datetime | None) -> str | None:
    return None if value is None else _moment_text(value)


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@lru_cache(maxsize=8)
def _labels(language: str | None) -> dict[str, dict[str, str]]:
    """Each choice's label in `language`, the active one, worked out once per language (what
    `get_FOO_display` does on every field of every row)."""
    choices = {
        "status": CallStatus,
        "domain": Domain,
        "urgency": Urgency,
        "source": Source,
        "role": AssignmentRole,
        "kind": EventKind,
    }
    return {name: {value: str(label) for value, label in c.choices} for name, c in choices.items()}


def _unit(code: str | None, name: str | None) -> dict | None:
    return None if code is None else {"code": code, "name": name}


def _due(row: dict) -> datetime | None:
    """The running deadline of the call in `row` (`selectors.current_due_at`)."""
    clocked = SimpleNamespace(  # what `selectors.current_due_at` reads of a call
        status=row["status"],
        response_due_at=row["response_due_at"],
        resolution_due_at=row["resolution_due_at"],
    )
    return selectors.current_due_at(clocked)


def _call(row: dict, now: datetime, labels: dict) -> dict:
    """`CallOut`, in its field order, from a row of LIST_COLUMNS."""
    due = _due(row)
    left = None if due is None else math.floor((due - now).total_seconds())
    caller = _unit(row["caller_org__code"], row["caller_org__name"])
    town = caller  # a village's calls belong to its town
    if row["caller_org__kind"] in VILLAGE_KINDS and row["caller_org__parent__code"] is not None:
        town = _unit(row["caller_org__parent__code"], row["caller_org__parent__name"])
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "status": row["status"],
        "status_label": labels["status"].get(row["status"], row["status"]),
        "domain": row["domain"],
        "domain_label": labels["domain"].get(row["domain"], row["domain"]),
        "urgency": row["urgency"],
        "urgency_label": labels["urgency"].get(row["urgency"], row["urgency"]),
        "source": row["source"],
        "source_label": labels["source"].get(row["source"], row["source"]),
        "matter": _unit(row["matter__code"], row["matter__name"]),
        "caller_org": caller,
        "caller_town": town,
        "lead_department": _unit(row["lead_department__code"], row["lead_department__name"]),
        "address": row["address"],
        "lat": _decimal(row["lat"]),
        "lon": _decimal(row["lon"]),
        "called_at": _moment(row["called_at"]),
        "response_due_at": _moment(row["response_due_at"]),
        "responded_at": _moment(row["responded_at"]),
        "resolution_due_at": _moment(row["resolution_due_at"]),
        "resolved_at": _moment(row["resolved_at"]),
        "closed_at": _moment(row["closed_at"]),
        "withdrawn_at": _moment(row["withdrawn_at"]),
        "due_at": _moment(due),
        "seconds_left": left,
        "overdue": left is not None and left < 0,
        "urge_level": row["urge_level"],
        "redo_count": row["redo_count"],
        "return_count": row["return_count"],
    }


def _status(value: str, labels: dict) -> tuple[str | None, str | None]:
    return (value, labels["status"].get(value, value)) if value else (None, None)


def _event(row: dict, files: list[dict], labels: dict) -> dict:
    """`EventOut` from a row of EVENT_COLUMNS and its files."""
    from_status, from_label = _status(row["from_status"], labels)
    to_status, to_label = _status(row["to_status"], labels)
    return {
        "seq": row["seq"],
        "kind": row["kind"],
        "kind_label": labels["kind"].get(row["kind"], row["kind"]),
        "at": _moment(row["at"]),
        "actor_name": row["actor_name"],
        "actor_org": row["actor_org__name"],
        "from_status": from_status,
        "from_status_label": from_label,
        "to_status": to_status,
        "to_status_label": to_label,
        "note": row["note"],
        "data": row["data"],
        "attachments": files,
    }


def _file(row: dict) -> dict:
    """`AttachmentOut` from the FILE_COLUMNS of an event row."""
    return {
        "id": row["attachments__id"],
        "name": row["attachments__name"],
        "content_type": row["attachments__content_type"],
        "size": row["attachments__size"],
        "url": f"/api/v1/attachments/{row['attachments__id']}",
    }


def _assignment(row: dict, labels: dict) -> dict:
    """`AssignmentOut` from a row of ASSIGNMENT_COLUMNS."""
    return {
        "department": _unit(row["department__code"], row["department__name"]),
        "role": row["role"],
        "role_label": labels["role"].get(row["role"], row["role"]),
        "signed_at": _moment(row["signed_at"]),
        "is_active": row["is_active"],
    }


def _rating(row: dict | None) -> dict | None:
    """`RatingOut` from a row of RATING_COLUMNS (None: not rated)."""
    if row is None:
        return None
    return {
        "department": _unit(row["department__code"], row["department__name"]),
        "rated_at": _moment(row["rated_at"]),
        "satisfaction": row["satisfaction"],
        "timeliness": row["timeliness"],
        "attitude": row["attitude"],
        "perfunctory": row["perfunctory"],
        "perfunctory_reason": row["perfunctory_reason"],
    }


def _limit_fields(row: dict, prefix: str) -> dict:
    limit = Limit(row[f"{prefix}_seconds"], row[f"{prefix}_working_days"])
    return {f"{prefix}_limit": limit.to_api(), f"{prefix}_limit_label": limit.describe()}


def call_items(rows: Iterable[dict], *, now: datetime | None = None) -> list[dict]:
    """`CallOut` for each row of LIST_COLUMNS."""
    now = now or clock.now()
    labels = _labels(translation.get_language())
    return [_call(row, now, labels) for row in rows]


def _timeline(pk: int, labels: dict) -> list[dict]:
    """`EventOut` for each event of the call, oldest first, each with its files."""
    events: dict[int, dict] = {}
    rows = CallEvent.objects.filter(call_id=pk).order_by("seq", "attachments__id")
    for row in rows.values(*EVENT_COLUMNS, *FILE_COLUMNS):
        event = events.get(row["id"])
        if event is None:
            event = events[row["id"]] = _event(row, [], labels)
        if row["attachments__id"] is not None:
            event["attachments"].append(_file(row))
    return list(events.values())


@dataclass(frozen=True)
class Timed:
    """A rendered page or detail and the running deadline of each call in it: what changes
    from one second to the next (`seconds_left`, `overdue`) is worked out by `at(now)`, so
    the rest can be kept (`read_cache`)."""

    data: dict
    dues: tuple[datetime | None, ...]  # one per item of a page; one for a detail
    page: bool = False

    def at(self, now: datetime) -> dict:
        if not self.page:
            return _retimed(self.data, self.dues[0], now)
        pairs = zip(self.data["items"], self.dues, strict=True)
        return {**self.data, "items": [_retimed(item, due, now) for item, due in pairs]}


def _retimed(call: dict, due: datetime | None, now: datetime) -> dict:
    if due is None:
        return call
    left = math.floor((due - now).total_seconds())  # as `selectors.seconds_left`
    return {**call, "seconds_left": left, "overdue": left < 0}


def call_detail(user: User, pk: int, *, now: datetime | None = None) -> dict:
    """`CallDetailOut` of a call in the user's scope (404, audited, when it is not): the call,
    its events with their files, its departments and, once closed, its rating."""
    now = now or clock.now()
    return timed_detail(user, pk, now=now).at(now)


def timed_detail(user: User, pk: int, *, now: datetime) -> Timed:
    """`call_detail`, its countdown left to be worked out when it is sent."""
    visible = selectors.calls_visible_to(user).values(*DETAIL_COLUMNS)
    row = get_visible_or_404(visible, user, pk=pk)
    labels = _labels(translation.get_language())
    assignments = CallAssignment.objects.filter(call_id=pk).order_by(*selectors.ASSIGNMENT_ORDER)
    rating = None
    if row["status"] == CallStatus.CLOSED:  # only confirming rates, and it closes the call
        rating = Rating.objects.filter(call_id=pk).values(*RATING_COLUMNS).first()
    detail = {
        **_call(row, now, labels),
        "description": row["description"],
        **_limit_fields(row, "response"),
        **_limit_fields(row, "resolution"),
        "assignments": [_assignment(a, labels) for a in assignments.values(*ASSIGNMENT_COLUMNS)],
        "events": _timeline(pk, labels),
        "rating": _rating(rating),
    }
    return Timed(detail, (_due(row),))


def call_page(
    request: HttpRequest,
    calls: QuerySet[Call],
    page: CappedCountLimitOffset.Input,
    *,
    counted: QuerySet[Call] | None = None,
    now: datetime | None = None,
) -> dict:
    """`PagedCallOut`: one page of `calls` (already scoped and filtered) and the capped count
    (of `counted`, the same calls in the order that counts them fastest)."""
    return timed_page(request, calls, page, counted=counted).at(now or clock.now())


def timed_page(
    request: HttpRequest,
    calls: QuerySet[Call],
    page: CappedCountLimitOffset.Input,
    *,
    counted: QuerySet[Call] | None = None,
) -> Timed:
    """`call_page`, its countdowns left to be worked out when it is sent."""
    paged = CappedCountLimitOffset().paginate_queryset(calls, page, request, counted=counted)
    # The page's ids in a subquery, its rows (with their units and matter) around it: planned
    # as one query with the joins and the scope's EXISTS, PostgreSQL took 5–9 ms just to plan
    # it, ten times what it takes to run.
    rows = Call.objects.filter(pk__in=paged["items"].values("pk")).order_by(*calls.query.order_by)
    rows = list(rows.values(*LIST_COLUMNS))
    paged["items"] = call_items(rows)
    return Timed(paged, tuple(_due(row) for row in rows), page=True)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """Rendered as the API renders any response (Ninja passes an HttpResponse through)."""
    body = _RENDERER.render(None, data, response_status=status)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPE)
