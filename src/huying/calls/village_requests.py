"""A village without the calling right raises a matter to its town (村社上报); the town
forwards it as its own call or declines it with a reason.

The request is a small state machine (pending → forwarded | declined), each step audited;
once forwarded, the call's own event trail carries the story and the village follows it here.
"""

from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from huying.calls import attachments, services
from huying.calls.choices import EventKind, Source, VillageRequestStatus
from huying.calls.models import Call, VillageRequest
from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden
from huying.notify.services import notify
from huying.orgs.choices import Role, Tier
from huying.orgs.models import Org, User


def _village_of(actor: User) -> Org:
    org = actor.org
    if actor.role != Role.CALLER or org is None or org.tier != Tier.VILLAGE:
        raise Forbidden("只有村社干部可以向镇街上报", field="actor")
    if org.has_calling_right:
        raise Forbidden("贵村社持有呼叫权，请直接发起呼叫", field="actor")
    return org


def _town_callers(town_id: int):
    return User.objects.filter(org_id=town_id, role=Role.CALLER)


@transaction.atomic
def raise_request(*, actor: User, new: services.NewCall) -> VillageRequest:
    """The village tells its town; the town's callers are notified."""
    village = _village_of(actor)
    services.validate_new_call(new)
    attachments.check(actor, new.attachment_ids)
    now = clock.now()
    request = VillageRequest.objects.create(
        number=f"tmp-{now.timestamp()}-{actor.pk}",
        village=village,
        town_id=village.parent_id,
        raised_by=actor,
        raised_at=now,
        title=new.title.strip(),
        description=new.description.strip(),
        matter=new.matter,
        domain=new.matter.domain if new.matter else new.domain,
        urgency=new.urgency,
        address=new.address,
        lat=new.lat,
        lon=new.lon,
    )
    request.number = f"SB{timezone.localtime(now).year}{request.pk:07d}"
    request.save(update_fields=["number"])
    attachments.bind_to_request(actor, new.attachment_ids, request)
    audit.record("calls.request_raised", actor=actor, obj=request, after={"status": "pending"})
    notify(
        _town_callers(request.town_id),
        kind="calls.request_raised",
        title="村社上报待处理",
        body=f"{village.name}上报「{request.title}」，请决定是否转为呼叫",
        link=f"/calls/requests/{request.pk}/",
    )
    return request


def _locked_pending(actor: User, request: VillageRequest) -> VillageRequest:
    request = VillageRequest.objects.select_for_update().get(pk=request.pk)
    if actor.role != Role.CALLER or actor.org_id != request.town_id:
        raise Forbidden("只有所属镇街可以处理此上报", field="actor")
    if request.status != VillageRequestStatus.PENDING:
        raise Conflict(
            f"此上报已处理（{request.get_status_display()}），不能再处理", field="status"
        )
    return request


def _decided(actor: User, request: VillageRequest, status: str, **fields) -> None:
    request.status = status
    request.decided_by = actor
    request.decided_at = clock.now()
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()


@transaction.atomic
def forward_request(
    *, actor: User, request: VillageRequest, edits: services.NewCall | None = None
) -> Call:
    """The town makes the village's matter its own call (it may edit the wording first)."""
    request = _locked_pending(actor, request)
    base = edits or services.NewCall(
        title=request.title,
        description=request.description,
        matter=request.matter,
        urgency=request.urgency,
        domain=request.domain,
        address=request.address,
        lat=request.lat,
        lon=request.lon,
    )
    call = services.create_call(
        actor=actor, new=replace(base, source=Source.FORWARDED, attachment_ids=())
    )
    created = call.events.get(kind=EventKind.CREATED)
    attachments.carry_to_call(request, call=call, event=created)
    _decided(actor, request, VillageRequestStatus.FORWARDED, call=call)
    audit.record(
        "calls.request_forwarded",
        actor=actor,
        obj=request,
        before={"status": "pending"},
        after={"status": "forwarded", "call": call.number},
    )
    notify(
        [request.raised_by],
        kind="calls.request_forwarded",
        title="上报已转为呼叫",
        body=f"「{request.title}」已由{actor.org.name}转为呼叫{call.number}",
        link=f"/calls/requests/{request.pk}/",
    )
    return call


@transaction.atomic
def decline_request(*, actor: User, request: VillageRequest, reason: str) -> VillageRequest:
    """The town will not forward it; the village is told why."""
    request = _locked_pending(actor, request)
    reason = services.required_text(reason, "reason", "不予转呼必须说明理由")
    _decided(actor, request, VillageRequestStatus.DECLINED, decline_reason=reason)
    audit.record(
        "calls.request_declined",
        actor=actor,
        obj=request,
        before={"status": "pending"},
        after={"status": "declined"},
        reason=reason,
    )
    notify(
        [request.raised_by],
        kind="calls.request_declined",
        title="上报未转为呼叫",
        body=f"「{request.title}」：{reason}",
        link=f"/calls/requests/{request.pk}/",
    )
    return request
