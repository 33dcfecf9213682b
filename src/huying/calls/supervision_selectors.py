"""Reads for the supervision page: the calls under urging (督办) and the accountability cases'
evidence as the page shows it. Cases themselves are read through `case_selectors`."""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.dateparse import parse_datetime

from huying.calls import case_selectors
from huying.calls.choices import OPEN_STATUSES, CallStatus, EventKind
from huying.calls.models import AccountabilityCase, Call, CallEvent
from huying.calls.selectors import calls_visible_to
from huying.orgs.models import User

LIST_SIZE = 50


def _urged(field: str, first: bool) -> Subquery:
    urgings = CallEvent.objects.filter(call=OuterRef("pk"), kind=EventKind.URGED)
    return Subquery(urgings.order_by("seq" if first else "-seq").values(field)[:1])


def urgings(user: User) -> QuerySet[Call]:
    """Open calls under urging, the highest level first, then the longest urged. Each has
    `first_urged_at` (since when), `last_urged_at` and `last_urge_note` from its `urged`
    events."""
    return (
        calls_visible_to(user)
        .filter(urge_level__gte=1, status__in=OPEN_STATUSES)
        .annotate(
            first_urged_at=_urged("at", first=True),
            last_urged_at=_urged("at", first=False),
            last_urge_note=_urged("note", first=False),
        )
        .select_related("caller_org", "caller_org__parent", "lead_department")
        .order_by("-urge_level", "first_urged_at", "pk")
    )


def cases_page(user: User, filters: case_selectors.CaseFilter, page: str | None) -> Page:
    return Paginator(case_selectors.case_list(user, filters), LIST_SIZE).get_page(page)


@dataclass(frozen=True)
class EvidenceRow:
    """One event of the trail frozen into a case, with its labels for the page."""

    seq: int
    kind: str
    kind_label: str
    at: datetime | None
    actor: str
    from_label: str
    to_label: str
    note: str


def _status_label(value: str | None) -> str:
    return str(CallStatus(value).label) if value in CallStatus.values else ""


def evidence_rows(case: AccountabilityCase) -> list[EvidenceRow]:
    return [
        EvidenceRow(
            seq=event["seq"],
            kind=event["kind"],
            kind_label=(
                str(EventKind(event["kind"]).label)
                if event["kind"] in EventKind.values
                else event["kind"]
            ),
            at=parse_datetime(event.get("at") or ""),
            actor=event.get("actor") or "",
            from_label=_status_label(event.get("from")),
            to_label=_status_label(event.get("to")),
            note=event.get("note") or "",
        )
        for event in case.evidence
    ]
