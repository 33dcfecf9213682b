"""What the public GeoReport v2 feed may read: matters as services, calls as requests.

Read-only and anonymous, so it reads calls directly (not through a user's scope) and shows no
personal data: no caller names, and ID or phone numbers typed into free text are masked.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from huying.calls.choices import CallStatus
from huying.calls.models import Call, Matter
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org

FREE_FORM_CODE = "free-form"  # calls with no matter: routed by the command centre
CLOSED_STATUSES = (CallStatus.CLOSED, CallStatus.WITHDRAWN)
DEFAULT_WINDOW = timedelta(days=90)  # the spec's default when no dates are given
PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000


def is_jurisdiction(code: str) -> bool:
    """One jurisdiction: the district itself, named by its org code."""
    return Org.objects.filter(kind=OrgKind.DISTRICT, code=code).exists()


def services() -> QuerySet[Matter]:
    return Matter.objects.filter(is_active=True).order_by("code")


def service(code: str) -> Matter | None:
    return Matter.objects.filter(code=code).first()


@dataclass(frozen=True)
class RequestQuery:
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()  # "open", "closed"
    service_codes: tuple[str, ...] = ()
    page: int = 1
    page_size: int = PAGE_SIZE


def _base() -> QuerySet[Call]:
    return Call.objects.select_related("matter", "lead_department").order_by("-called_at", "-pk")


def requests(query: RequestQuery, now: datetime) -> list[Call]:
    calls = _base()
    start, end = query.start, query.end
    if start is None and end is None:
        start = now - DEFAULT_WINDOW
    if start is not None:
        calls = calls.filter(called_at__gte=start)
    if end is not None:
        calls = calls.filter(called_at__lte=end)
    if set(query.statuses) == {"open"}:
        calls = calls.exclude(status__in=CLOSED_STATUSES)
    elif set(query.statuses) == {"closed"}:
        calls = calls.filter(status__in=CLOSED_STATUSES)
    if query.service_codes:
        codes = [c for c in query.service_codes if c != FREE_FORM_CODE]
        free = FREE_FORM_CODE in query.service_codes
        wanted = Call.objects.none()
        if codes:
            wanted = calls.filter(matter__code__in=codes)
        if free:
            wanted = wanted | calls.filter(matter__isnull=True)
        calls = wanted
    offset = (query.page - 1) * query.page_size
    return list(calls[offset : offset + query.page_size])


def request(number: str) -> Call | None:
    return _base().filter(number=number).first()
