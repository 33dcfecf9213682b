"""Who is told about each step of a call, in the same transaction (see notify.services).

One table from event kind to recipients, so "who hears of what" has one home.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from huying.calls.choices import EventKind
from huying.calls.models import Call, CallEvent
from huying.notify.services import Notice, notify_many
from huying.orgs.choices import Role
from huying.orgs.models import User

STAFF = (Role.RESPONDER, Role.DEPARTMENT_HEAD)


def _lead_staff(call: Call) -> QuerySet[User]:
    return User.objects.filter(org_id=call.lead_department_id, role__in=STAFF)


def _all_department_staff(call: Call) -> QuerySet[User]:
    departments = call.assignments.filter(is_active=True).values("department_id")
    return User.objects.filter(org_id__in=departments, role__in=STAFF)


def _callers(call: Call) -> QuerySet[User]:
    return User.objects.filter(org_id=call.caller_org_id, role=Role.CALLER)


def _by_role(role: str) -> QuerySet[User]:
    return User.objects.filter(role=role)


def _urged(call: Call, event: CallEvent) -> list[User]:
    # Level 1 goes to the department (its head included); level 2 is copied to the leaders.
    users = list(_lead_staff(call))
    if event.data.get("level") == 2:
        users += list(_by_role(Role.LEADER))
    return users


def _signed(call: Call, event: CallEvent) -> QuerySet[User]:
    lead_signed = event.data.get("department_id") == call.lead_department_id
    return _callers(call) if lead_signed else User.objects.none()


def _department_staff(department_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(org_id__in=department_ids, role__in=STAFF)


def _addressed(call: Call, event: CallEvent) -> QuerySet[User]:
    # A new call's departments are the ones its event names (lead first): no need to read
    # back the assignments just written, and a batch asks for all its calls at once.
    return _department_staff(event.data.get("departments", []))


def _action_owners(call: Call, event: CallEvent) -> QuerySet[User]:
    return _department_staff({a["owner_department_id"] for a in event.data.get("actions", [])})


def _overdue_action(call: Call, event: CallEvent) -> list[User]:
    # The owner department must act; the caller, who is waiting on it, is told too.
    return [*_department_staff([event.data["owner_department_id"]]), *_callers(call)]


RECIPIENTS = {
    EventKind.CREATED: _addressed,
    EventKind.TRANSFERRED: lambda call, event: _lead_staff(call),
    EventKind.REROUTED: lambda call, event: _lead_staff(call),
    EventKind.UPHELD: lambda call, event: _lead_staff(call),
    EventKind.RETURNED: lambda call, event: _by_role(Role.OPERATOR),
    EventKind.SIGNED: _signed,
    EventKind.PROGRESS: lambda call, event: _callers(call),
    EventKind.RESOLVED: lambda call, event: _callers(call),
    EventKind.REJECTED: lambda call, event: _lead_staff(call),
    EventKind.CONFIRMED: lambda call, event: _lead_staff(call),
    EventKind.WITHDRAWN: lambda call, event: _all_department_staff(call),
    EventKind.WARNED: lambda call, event: _lead_staff(call),
    EventKind.URGED: _urged,
    EventKind.CASE_OPENED: lambda call, event: _by_role(Role.SUPERVISOR),
    EventKind.CONVENED: lambda call, event: _department_staff(event.data.get("departments", [])),
    EventKind.MEETING_HELD: _action_owners,
    EventKind.ACTION_DONE: lambda call, event: _callers(call),
    EventKind.ACTION_OVERDUE: _overdue_action,
    EventKind.MEETING_CANCELLED: lambda call, event: _department_staff(
        event.data.get("departments", [])
    ),
}

TITLES = {
    EventKind.CREATED: "新呼叫待响应",
    EventKind.RETURNED: "呼叫被退回，待裁决",
    EventKind.SIGNED: "呼叫已响应",
    EventKind.RESOLVED: "呼叫已办结，请确认并评价",
    EventKind.REJECTED: "呼叫被退回重办",
    EventKind.CONFIRMED: "呼叫已确认办结",
    EventKind.WARNED: "时限提醒",
    EventKind.URGED: "督办通知",
    EventKind.CASE_OPENED: "启动问责",
    EventKind.CONVENED: "协调会通知",
    EventKind.MEETING_HELD: "协调会议定事项",
    EventKind.ACTION_DONE: "议定事项已完成",
    EventKind.ACTION_OVERDUE: "议定事项已超期",
    EventKind.MEETING_CANCELLED: "协调会取消",
}


def message(call: Call, event: CallEvent, recipients: Iterable[User]) -> Notice:
    """The message of an event to the given people (a batch picks them its own way)."""
    title = TITLES.get(event.kind, str(EventKind(event.kind).label))
    body = f"{call.number}「{call.title}」：{event.note or EventKind(event.kind).label}"
    return Notice(
        recipients,
        kind=f"call.{event.kind}",
        title=title,
        body=body[:500],
        link=f"/calls/{call.pk}/",
    )


def announce(call: Call, event: CallEvent) -> None:
    pick = RECIPIENTS.get(event.kind)
    if pick is None:
        return
    notify_many([message(call, event, pick(call, event))])


def announce_created(steps: Sequence[tuple[Call, CallEvent]]) -> None:
    """`announce` for a batch of new calls: RECIPIENTS[CREATED] (`_addressed`) for every call,
    with the staff of all their departments read in one query."""
    wanted = {d for _, event in steps for d in event.data["departments"]}
    staff: dict[int, list[User]] = defaultdict(list)
    for user in _department_staff(wanted).order_by("pk") if wanted else ():
        staff[user.org_id].append(user)
    notices = []
    for call, event in steps:
        users = [u for d in event.data["departments"] for u in staff[d]]
        notices.append(message(call, event, sorted(users, key=lambda u: u.pk)))
    notify_many(notices)
