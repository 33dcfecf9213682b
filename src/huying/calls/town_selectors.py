"""Reads for the caller's pages: the town workbench, the matter picker, the village requests.

A town (or key village) sees its calls in five sections; each call sits in exactly one of the
first four, so the counts add up to 全部:

待响应 (waiting): no department has taken the call yet (or it is disputed at the command centre).
办理中 (working): the lead department has signed and is on it.
待我确认 (to_confirm): resolved, waiting for the caller to confirm (the caller's own action).
已办结 (finished): confirmed, or withdrawn by the caller.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from huying.calls import matters, services
from huying.calls.choices import CallStatus, Domain, Urgency, VillageRequestStatus
from huying.calls.limits import Limit
from huying.calls.models import Matter, VillageRequest
from huying.calls.request_selectors import pending_for_town, request_list
from huying.calls.selectors import CallFilter, call_list, calls_visible_to
from huying.orgs.choices import Role, Tier
from huying.orgs.models import User

PAGE_SIZE = 50
SECTIONS = {
    "waiting": (CallStatus.CALLED, CallStatus.RETURNED),
    "working": (CallStatus.RESPONDED, CallStatus.IN_PROGRESS),
    "to_confirm": (CallStatus.RESOLVED,),
    "finished": (CallStatus.CLOSED, CallStatus.WITHDRAWN),
    "all": (),
}


# --- who gets which page (the navigation and the views ask the same questions) ----------------


def may_call(user: User) -> bool:
    """A caller whose unit holds the calling right: a town, a street or a key village."""
    org = getattr(user, "org", None)
    return user.role == Role.CALLER and org is not None and org.has_calling_right


def handles_requests(user: User) -> bool:
    """Callers who raise requests (villages without the calling right) or receive them (towns)."""
    org = getattr(user, "org", None)
    if user.role != Role.CALLER or org is None:
        return False
    return org.tier == Tier.TOWN or not org.has_calling_right


def may_decide(user: User, raised: VillageRequest) -> bool:
    """The town a pending request is addressed to (village_requests checks it again)."""
    return (
        raised.status == VillageRequestStatus.PENDING
        and user.role == Role.CALLER
        and user.org_id == raised.town_id
    )


def may_open_call(user: User, raised: VillageRequest) -> bool:
    """The forwarded call is the town's: the village follows it on the request page."""
    return raised.call_id is not None and calls_visible_to(user).filter(pk=raised.call_id).exists()


# --- the workbench ----------------------------------------------------------------------------


def section_counts(user: User) -> dict[str, int]:
    """The size of every section in one query."""
    counts = {
        name: Count("pk", filter=Q(status__in=statuses))
        for name, statuses in SECTIONS.items()
        if statuses
    }
    return calls_visible_to(user).aggregate(**counts, all=Count("pk"))


def section_page(user: User, section: str, page: str | None) -> Page:
    """One section, newest first, in pages of PAGE_SIZE (two queries: count and rows)."""
    calls = call_list(user, CallFilter(statuses=SECTIONS[section]))
    return Paginator(calls, PAGE_SIZE).get_page(page)


@dataclass(frozen=True)
class Workbench:
    section: str
    counts: dict[str, int]
    page: Page
    pending_requests: list  # village requests the town has still to decide (towns only)
    pending_total: int


def workbench(user: User, section: str, page: str | None) -> Workbench:
    """Everything the workbench shows: at most five queries whatever the load."""
    pending, total = [], 0
    if user.org.tier == Tier.TOWN:
        requests = pending_for_town(user)
        pending = list(requests[:PAGE_SIZE])
        total = len(pending) if len(pending) < PAGE_SIZE else requests.count()
    return Workbench(
        section=section,
        counts=section_counts(user),
        page=section_page(user, section, page),
        pending_requests=pending,
        pending_total=total,
    )


# --- the matter picker ------------------------------------------------------------------------


@dataclass(frozen=True)
class MatterGroup:
    domain: str
    label: str
    matters: list[Matter]


@dataclass(frozen=True)
class MatterOptions:
    groups: list[MatterGroup]
    selected: Matter | None  # the chosen matter when the search no longer shows it
    query: str


def matter_options(user: User, q: str = "", selected: str = "") -> MatterOptions:
    """Active matters matching `q` (name or code), grouped by domain in the list's order; the
    matter already chosen stays offered, so a search never drops the user's choice."""
    q = q.strip()[:50]
    found = list(matters.matter_list(user, active=True, q=q or None))
    groups = [
        MatterGroup(value, label, [m for m in found if m.domain == value])
        for value, label in Domain.choices
    ]
    pinned = None
    if selected and selected not in {m.code for m in found}:
        pinned = matters.matter_list(user, active=True).filter(code=selected).first()
    return MatterOptions([g for g in groups if g.matters], pinned, q)


# --- the deadline preview ---------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlinePreview:
    response: Limit
    response_due_at: datetime
    resolution: Limit
    routed: bool  # False: a free-form call waits for the command centre to pick a department


def deadline_preview(matter: Matter | None, urgency: str, now: datetime) -> DeadlinePreview:
    """What create_call would set if the call went out now (the same limits it uses)."""
    if matter is not None:
        response, resolution = matter.response_limit, matter.resolution_limit
    else:
        urgency = urgency if urgency in Urgency.values else Urgency.NORMAL
        response = services.URGENCY_RESPONSE[Urgency(urgency)]
        resolution = services.DEFAULT_RESOLUTION
    return DeadlinePreview(response, response.due_from(now), resolution, matter is not None)


# --- village requests -------------------------------------------------------------------------

REQUEST_PAGE_SIZE = 50


def request_page(user: User, status: str | None, page: str | None) -> Page:
    """The requests the user sees (a village its own, a town its villages'), newest first."""
    requests = request_list(user, status=status or None).select_related(
        "call__lead_department", "call__matter"
    )
    return Paginator(requests, REQUEST_PAGE_SIZE).get_page(page)
