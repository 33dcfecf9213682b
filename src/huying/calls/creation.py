"""Creating calls: one (`create_call`: the town workbench, `POST /api/v1/calls`, a forwarded
village request) or a batch (`create_calls`: the sensing app's alarm dispatch and hotline or
integration imports, `POST /api/v1/calls/batch`).

A single call is a batch of one, so both follow the same rules and record the same things: the
call in its final state (number, deadlines, alert ladder, its CREATED event counted), the
departments of its matter, the CREATED event, the notices to those departments' staff and the
audit row. Each kind of row is written with one INSERT for the whole batch (no second UPDATE of
the call: on PostgreSQL its id is taken first, so it is inserted with its number), and the audit
head is locked last, just before the commit, so concurrent creators wait on it briefly.
"""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from huying.calls import attachments, events, ladder, notices
from huying.calls.choices import AssignmentRole, CallStatus, Domain, EventKind, Source, Urgency
from huying.calls.limits import Limit
from huying.calls.models import Call, CallAssignment, CallEvent, Matter
from huying.core import clock
from huying.core.errors import Forbidden, Invalid
from huying.orgs.choices import Role
from huying.orgs.models import Org, User

# Free-form calls take their limits from the urgency (the defaults).
URGENCY_RESPONSE = {
    Urgency.EMERGENCY: Limit(seconds=30 * 60),
    Urgency.URGENT: Limit(seconds=2 * 3600),
    Urgency.NORMAL: Limit(working_days=1),
}
DEFAULT_RESOLUTION = Limit(working_days=7)
BATCH_MAX = 500  # one request's worth: bounded memory, and the head lock held for milliseconds
Where = Callable[[int, str], str]  # names an item's field in an error: "title" or "items.3.title"


@dataclass(frozen=True)
class NewCall:
    title: str
    description: str
    matter: Matter | None = None
    urgency: str = Urgency.NORMAL
    domain: str | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    source: str = Source.MANUAL
    attachment_ids: Sequence[int] = ()  # staged uploads (calls.attachments.stage): photos


# --- the rules ---------------------------------------------------------------------------------


def check_calling_right(actor: User) -> Org:
    org = actor.org
    if actor.role != Role.CALLER or org is None:
        raise Forbidden("只有镇街和村社干部可以发起呼叫", field="actor")
    if not org.has_calling_right:
        raise Forbidden("贵单位没有呼叫权：请向所属镇街反映，由镇街转为呼叫", field="actor")
    return org


def validate_new_call(new: NewCall) -> None:
    if not new.title.strip():
        raise Invalid("请填写标题", field="title")
    if not new.description.strip():
        raise Invalid("请描述情况", field="description")
    if new.matter is not None and not new.matter.is_active:
        raise Invalid("该清单事项已停用", field="matter")
    if new.matter is None and new.domain not in Domain.values:
        raise Invalid("未选清单事项时请选择领域", field="domain")
    if new.urgency not in Urgency.values:
        raise Invalid("紧急程度不是可选的值", field="urgency")


def limits_of(new: NewCall) -> tuple[Limit, Limit]:
    """The response and resolution limits: the matter's, or by urgency for a free-form call."""
    if new.matter is not None:
        return new.matter.response_limit, new.matter.resolution_limit
    return URGENCY_RESPONSE[Urgency(new.urgency)], DEFAULT_RESOLUTION


def call_number(pk: int, now: datetime) -> str:
    return f"HY{timezone.localtime(now).year}{pk:07d}"  # the local year


# --- the writers -------------------------------------------------------------------------------


@transaction.atomic
def create_call(*, actor: User, new: NewCall) -> Call:
    """A town or key village calls; the matter routes it, or the command centre will."""
    return _create(actor, [new], where=lambda i, field: field)[0]


@transaction.atomic
def create_calls(*, actor: User, items: Sequence[NewCall]) -> list[Call]:
    """Many calls from one caller at once, all or nothing (at most BATCH_MAX).

    For integrations that raise calls in bulk: the sensing app's alarm dispatch, hotline and
    other imports. Every item is checked before anything is written; an error names the item
    and its field (`items.3.title`). Each call gets exactly what `create_call` gives it.
    """
    if not 1 <= len(items) <= BATCH_MAX:
        raise Invalid(f"一批呼叫应为 1 到 {BATCH_MAX} 条", field="items")
    return _create(actor, list(items), where=lambda i, field: f"items.{i}.{field}")


def _create(actor: User, items: list[NewCall], *, where: Where) -> list[Call]:
    caller_org = check_calling_right(actor)
    _validate_all(actor, items, where)
    now = clock.now()
    departments = _departments(items)
    calls = _insert_calls(actor, caller_org, items, departments, now)
    CallAssignment.objects.bulk_create(
        CallAssignment(
            call=call,
            department_id=department,
            role=AssignmentRole.LEAD if k == 0 else AssignmentRole.CO,
        )
        for call, wanted in zip(calls, departments, strict=True)
        for k, department in enumerate(wanted)
    )
    steps = [
        (call, _created_event(call, new, wanted, actor, now))
        for call, new, wanted in zip(calls, items, departments, strict=True)
    ]
    CallEvent.objects.bulk_create(event for _, event in steps)
    for (call, event), new in zip(steps, items, strict=True):
        attachments.bind_to_event(actor, new.attachment_ids, call=call, event=event)
    notices.announce_created(steps)
    events.record([events.audit_entry(call, event) for call, event in steps])  # locks last
    return calls


def _validate_all(actor: User, items: list[NewCall], where: Where) -> None:
    """Every item, before anything is written; errors name the item (`where`) and its field."""
    claimed: set[int] = set()
    for i, new in enumerate(items):
        try:
            validate_new_call(new)
            ids = {int(a) for a in new.attachment_ids}
            if ids & claimed:
                raise Invalid("同一附件不能用于两条呼叫", field="attachment_ids")
            claimed |= ids
            attachments.check(actor, new.attachment_ids)
        except Invalid as error:
            raise Invalid(error.message, field=where(i, error.field)) from error


def _departments(items: list[NewCall]) -> list[list[int]]:
    """Each call's departments: its matter's lead, then the co-departments (one query)."""
    matter_ids = {new.matter.pk for new in items if new.matter is not None}
    co: dict[int, list[int]] = {pk: [] for pk in matter_ids}
    if matter_ids:
        through = Matter.co_departments.through.objects.filter(matter_id__in=matter_ids)
        for matter_id, org_id in through.order_by("org__path").values_list("matter_id", "org_id"):
            co[matter_id].append(org_id)
    found = []
    for new in items:
        if new.matter is None:  # free-form: the command centre will route it
            found.append([])
            continue
        lead = new.matter.lead_department_id
        found.append([lead, *(d for d in co[new.matter.pk] if d != lead)])
    return found


def _insert_calls(
    actor: User, caller_org: Org, items: list[NewCall], departments: list[list[int]], now: datetime
) -> list[Call]:
    """The calls in their final state, inserted together; numbered from their ids."""
    ids = _reserve_ids(len(items))
    due: dict[Limit, datetime] = {}  # a batch shares `now`: each limit's deadline once
    calls = []
    for k, (new, wanted) in enumerate(zip(items, departments, strict=True)):
        response, resolution = limits_of(new)
        if response not in due:
            due[response] = response.due_from(now)
        matter = new.matter
        call = Call(
            pk=ids[k] if ids else None,
            number=call_number(ids[k], now) if ids else f"~{secrets.token_hex(12)}",
            title=new.title.strip(),
            description=new.description.strip(),
            matter=matter,
            domain=matter.domain if matter else new.domain,
            urgency=new.urgency,
            source=new.source,
            caller_org=caller_org,
            caller=actor,
            lead_department_id=wanted[0] if wanted else None,
            address=new.address,
            lat=new.lat,
            lon=new.lon,
            status=CallStatus.CALLED,
            event_count=1,  # the CREATED event
            called_at=now,
            response_clock_from=now,
            response_due_at=due[response],
            response_seconds=response.seconds,
            response_working_days=response.working_days,
            resolution_seconds=resolution.seconds,
            resolution_working_days=resolution.working_days,
        )
        if matter is not None and Matter.lead_department.is_cached(matter):
            call.lead_department = matter.lead_department  # at hand: showing the call costs none
        ladder.sync(call, restarted=True)
        calls.append(call)
    Call.objects.bulk_create(calls)
    if not ids:  # the ids came back with the insert: number the calls now
        for call in calls:
            call.number = call_number(call.pk, now)
        Call.objects.bulk_update(calls, ["number"])
    return calls


def _reserve_ids(count: int) -> list[int] | None:
    """On PostgreSQL, take the calls' ids from their sequence before the insert, so that each
    call is inserted with its number (an UPDATE of a unique column rewrites every index entry
    of the row). SQLite has no sequence to draw from: None, and the number follows the insert."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Call._meta.db_table, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _created_event(
    call: Call, new: NewCall, departments: list[int], actor: User, now: datetime
) -> CallEvent:
    data = {
        "lead_department_id": call.lead_department_id,
        "departments": departments,
        "response_clock_from": events.iso(now),
        "response_due_at": events.iso(call.response_due_at),
    }
    if new.attachment_ids:
        data["attachment_ids"] = sorted(set(int(i) for i in new.attachment_ids))
    return events.event_row(
        call,
        EventKind.CREATED,
        actor,
        from_status="",
        to_status=CallStatus.CALLED,
        note="",
        data=data,
        now=now,
    )
