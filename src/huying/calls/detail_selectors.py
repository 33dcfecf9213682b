"""Reads for the call page: which actions this user may take on this call, and what the page
shows besides the call itself (the village request it came from, its meetings, departments).

`available_actions` mirrors the services' own checks (`services._require_caller`,
`_require_department`, `_require_dispatcher`, `urge`'s rule, `meetings._require_convener`)
and the state machine (`workflow.TRANSITIONS`). It only decides which forms to show: the
service still decides on every post, and tests/calls/test_detail_actions.py proves the two
agree for every role in every state.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from huying.calls import meeting_selectors, services, workflow
from huying.calls.choices import AssignmentRole, CallStatus, Source
from huying.calls.models import Call, CallAssignment, CoordinationMeeting, VillageRequest
from huying.core.scoping import scope_for
from huying.orgs.choices import DISTRICT_WIDE_ROLES, OrgKind, Role
from huying.orgs.models import Org, User

# The page's actions in the order their forms appear: the department's first (its work),
# then the caller's, then the command centre's.
ACTIONS = (
    "respond",
    "progress",
    "resolve",
    "return",
    "confirm",
    "reject",
    "withdraw",
    "transfer",
    "arbitrate",
    "urge",
    "convene",
)
# A page action checked against another workflow name (arbitrate = uphold or reroute, which
# have the same source states).
WORKFLOW_NAME = {"arbitrate": "uphold"}
# Forms that pick departments (a select or checkboxes).
NEEDS_DEPARTMENTS = frozenset({"transfer", "arbitrate", "convene"})
# Who may open a village request page (calls/views/village.READERS); scope decides the rest.
REQUEST_READERS = frozenset({Role.CALLER, *DISTRICT_WIDE_ROLES})


def _state_allows(action: str, status: str) -> bool:
    return status in workflow.TRANSITIONS[WORKFLOW_NAME.get(action, action)].sources


def _own_assignment(user: User, call: Call) -> CallAssignment | None:
    """The user's department on the call, as `services._require_department` finds it (read
    from the prefetched assignments, so the page spends no query on it)."""
    if user.role not in services.DEPARTMENT_ROLES or user.org_id is None:
        return None
    return next(
        (a for a in call.assignments.all() if a.department_id == user.org_id and a.is_active),
        None,
    )


def _department_actions(assignment: CallAssignment | None, call: Call) -> set[str]:
    if assignment is None:
        return set()
    allowed = {"progress"}
    lead = assignment.role == AssignmentRole.LEAD
    # respond: refused once signed (409), and a lead signs only a call still waiting.
    if assignment.signed_at is None and (not lead or call.status == CallStatus.CALLED):
        allowed.add("respond")
    if lead:
        allowed |= {"resolve", "return"}
    return allowed


def _role_actions(user: User, call: Call) -> set[str]:
    allowed = _department_actions(_own_assignment(user, call), call)
    if user.org_id is not None and user.org_id == call.caller_org_id:  # _require_caller
        allowed |= {"confirm", "reject", "withdraw", "convene"}
    if user.role in services.DISPATCH_ROLES:  # _require_dispatcher, _require_convener
        allowed |= {"transfer", "arbitrate", "urge", "convene"}
    if user.role == Role.SUPERVISOR:  # urge: the command centre and the commission
        allowed.add("urge")
    return allowed


def available_actions(user: User, call: Call) -> list[str]:
    """The actions whose forms the page offers this user on this call, in page order."""
    allowed = _role_actions(user, call)
    return [a for a in ACTIONS if a in allowed and _state_allows(a, call.status)]


def active_departments() -> list[Org]:
    """The departments a call can be sent to or a meeting can invite (services refuse others)."""
    return list(Org.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).order_by("code", "pk"))


def village_request_of(call: Call) -> VillageRequest | None:
    """The village request the call was forwarded from, if any."""
    return VillageRequest.objects.filter(call=call).select_related("village").first()


def may_open_request(user: User, raised: VillageRequest) -> bool:
    """Whether the request's own page would open for the user (its role check and scope)."""
    if user.role not in REQUEST_READERS:
        return False
    scope = scope_for(user)
    return scope.whole_district or (
        scope.path_prefix is not None and raised.village.path.startswith(scope.path_prefix)
    )


def meetings_of(call: Call) -> QuerySet[CoordinationMeeting]:
    """The call's coordination meetings with their invitations and action items."""
    return meeting_selectors.call_meetings(call)


@dataclass(frozen=True)
class DetailData:
    actions: list[str]
    departments: list[Org]
    village_request: VillageRequest | None
    may_open_request: bool
    meetings: list[CoordinationMeeting]


def detail_data(user: User, call: Call) -> DetailData:
    """Everything the page shows around the call (the call comes with its timeline)."""
    actions = available_actions(user, call)
    # Only a forwarded call has a request behind it: other calls spend no query on it.
    raised = village_request_of(call) if call.source == Source.FORWARDED else None
    return DetailData(
        actions=actions,
        departments=active_departments() if NEEDS_DEPARTMENTS & set(actions) else [],
        village_request=raised,
        may_open_request=bool(raised) and may_open_request(user, raised),
        meetings=list(meetings_of(call)),
    )
