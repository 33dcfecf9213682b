"""Changes to the data catalogue: access requests, their decision, grants and their revocation;
and the hub's own categories kept true to what the hub has loaded.

Each change runs in one transaction with its audit row (written last) and the notices it sends.
Who may decide: the owner department's head, or an administrator (`may_decide`); anyone else
who can see the request is refused with 403, as the calls services refuse a wrong role; a
request outside the user's view is a 404 before that (the selectors).
"""

from datetime import date

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.datahub.catalogue_selectors import may_decide, may_read, today
from huying.datahub.choices import AccessPolicy, AccessRequestState, LoadStatus, Source
from huying.datahub.models import AccessGrant, AccessRequest, Category, LoadFile
from huying.notify.services import notify
from huying.orgs.choices import Role
from huying.orgs.models import User

MAX_PURPOSE = 2000


def _deciders(category: Category):
    return User.objects.filter(org_id=category.owner_id, role=Role.DEPARTMENT_HEAD)


def _request_link(request: AccessRequest) -> str:
    return f"/datahub/catalogue/{request.category.code}/"


def _check_fields(category: Category, fields) -> list[str]:
    """The field names asked for, in the category's order; unknown names are refused by name."""
    names = [f.name for f in category.fields.all()]
    asked = list(dict.fromkeys(fields or []))
    unknown = [f for f in asked if f not in names]
    if unknown:
        raise Invalid(f"该类目没有这些数据项：{'、'.join(unknown)}", field="fields")
    return [n for n in names if n in asked]


def _check_valid_until(valid_until: date | None) -> None:
    if valid_until is not None and valid_until < today():
        raise Invalid("有效期不能早于今天", field="valid_until")


@transaction.atomic
def request_access(
    *,
    actor: User,
    category: Category,
    purpose: str,
    fields: list[str] | None = None,
    valid_until: date | None = None,
) -> AccessRequest:
    """The actor's unit asks for the category (or some fields); the owner's head is told."""
    if actor.org_id is None:
        raise Forbidden("您不属于任何单位，不能申请数据", field="actor")
    if not category.is_active:
        raise Conflict("该类目已停用", field="category")
    if category.access_policy == AccessPolicy.OPEN:
        raise Conflict("该类目为开放数据，无需申请即可查阅", field="access_policy")
    purpose = (purpose or "").strip()
    if not purpose:
        raise Invalid("请说明申请用途", field="purpose")
    if len(purpose) > MAX_PURPOSE:
        raise Invalid(f"用途不超过 {MAX_PURPOSE} 个字", field="purpose")
    fields = _check_fields(category, fields)
    _check_valid_until(valid_until)
    if may_read(actor, category, fields or None):
        raise Conflict("贵单位已可查阅这些数据，无需申请", field="category")
    Category.objects.select_for_update().filter(pk=category.pk).first()  # one pending at a time
    if AccessRequest.objects.filter(
        category=category, org_id=actor.org_id, state=AccessRequestState.PENDING
    ).exists():
        raise Conflict("贵单位已有一份待审批的申请，请等待审批或先撤回", field="state")
    request = AccessRequest.objects.create(
        category=category,
        org_id=actor.org_id,
        requested_by=actor,
        purpose=purpose,
        fields=fields,
        valid_until=valid_until,
        created_at=clock.now(),
    )
    notify(
        _deciders(category),
        kind="datahub.access_requested",
        title="数据共享申请待审批",
        body=f"{actor.org.name}申请「{category.name}」：{purpose[:100]}",
        link=_request_link(request),
    )
    audit.record(
        "datahub.access_requested",
        actor=actor,
        obj=request,
        after={"category": category.code, "fields": fields, "purpose": purpose},
    )
    return request


def _locked_pending(actor: User, request: AccessRequest, *, decider: bool) -> AccessRequest:
    request = (
        AccessRequest.objects.select_for_update()
        .select_related("category", "org", "requested_by")
        .get(pk=request.pk)
    )
    if decider and not may_decide(actor, request.category):
        raise Forbidden("只有数据所属部门的负责人可以审批", field="actor")
    if not decider and actor.pk != request.requested_by_id:
        raise Forbidden("只有申请人本人可以撤回", field="actor")
    if request.state != AccessRequestState.PENDING:
        raise Conflict(f"此申请已处理（{request.get_state_display()}），不能再操作", field="state")
    return request


def _decide(request: AccessRequest, actor: User, state: str, note: str) -> None:
    request.state = state
    request.decided_by = actor
    request.decided_at = clock.now()
    request.decision_note = note
    request.save(
        update_fields=["state", "decided_by", "decided_at", "decision_note", "valid_until"]
    )


@transaction.atomic
def approve(
    *,
    actor: User,
    request: AccessRequest,
    note: str = "",
    valid_until: date | None = None,
    role: str = "",
) -> AccessGrant:
    """Approve and grant: the requesting unit (every role, or `role`) may read what it asked for,
    until `valid_until` (the request's own date when not given; none = no end)."""
    request = _locked_pending(actor, request, decider=True)
    if role and role not in Role.values:
        raise Invalid("不是可选的角色", field="role")
    _check_valid_until(valid_until)
    until = request.valid_until = valid_until or request.valid_until
    _decide(request, actor, AccessRequestState.APPROVED, (note or "").strip())
    grant = AccessGrant.objects.create(
        category=request.category,
        org=request.org,
        role=role,
        fields=request.fields,
        granted_by=actor,
        granted_at=request.decided_at,
        valid_until=until,
        request=request,
    )
    notify(
        [request.requested_by],
        kind="datahub.access_approved",
        title="数据共享申请已批准",
        body=f"「{request.category.name}」的申请已批准"
        + (f"，有效期至 {until:%Y-%m-%d}" if until else ""),
        link=_request_link(request),
    )
    audit.record(
        "datahub.access_approved",
        actor=actor,
        obj=request,
        before={"state": AccessRequestState.PENDING},
        after={
            "state": request.state,
            "grant": grant.pk,
            "role": role,
            "fields": request.fields,
            "valid_until": until,
        },
        reason=request.decision_note,
    )
    return grant


@transaction.atomic
def decline(*, actor: User, request: AccessRequest, reason: str) -> AccessRequest:
    request = _locked_pending(actor, request, decider=True)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("驳回必须说明理由", field="reason")
    _decide(request, actor, AccessRequestState.DECLINED, reason)
    notify(
        [request.requested_by],
        kind="datahub.access_declined",
        title="数据共享申请已驳回",
        body=f"「{request.category.name}」的申请已驳回：{reason[:100]}",
        link=_request_link(request),
    )
    audit.record(
        "datahub.access_declined",
        actor=actor,
        obj=request,
        before={"state": AccessRequestState.PENDING},
        after={"state": request.state},
        reason=reason,
    )
    return request


@transaction.atomic
def withdraw(*, actor: User, request: AccessRequest) -> AccessRequest:
    request = _locked_pending(actor, request, decider=False)
    request.state = AccessRequestState.WITHDRAWN
    request.save(update_fields=["state"])
    audit.record(
        "datahub.access_withdrawn",
        actor=actor,
        obj=request,
        before={"state": AccessRequestState.PENDING},
        after={"state": request.state},
    )
    return request


@transaction.atomic
def revoke(*, actor: User, grant: AccessGrant, reason: str) -> AccessGrant:
    grant = AccessGrant.objects.select_for_update().select_related("category").get(pk=grant.pk)
    if not may_decide(actor, grant.category):
        raise Forbidden("只有数据所属部门的负责人可以撤销授权", field="actor")
    if grant.revoked_at is not None:
        raise Conflict("该授权已撤销", field="revoked_at")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("撤销授权必须说明理由", field="reason")
    grant.revoked_at = clock.now()
    grant.revoke_reason = reason
    grant.save(update_fields=["revoked_at", "revoke_reason"])
    audit.record(
        "datahub.access_revoked",
        actor=actor,
        obj=grant,
        after={"category": grant.category.code, "org": grant.org_id, "role": grant.role},
        reason=reason,
    )
    return grant


# --- the hub's own categories ------------------------------------------------------------------


def refresh_hub_categories() -> int:
    """Set each hub category's record count and as-of date from the succeeded loads.

    A record is counted once, in the load that first brought its key (`LoadFile.new`); later
    loads only change or repeat it. So the sum of `new` is the source's current record count,
    with no Parquet to read. Run after every load, inside its transaction. Returns how many
    categories changed.
    """
    figures = {
        row["source"]: row
        for row in LoadFile.objects.filter(load__status=LoadStatus.SUCCEEDED)
        .values("source")
        .annotate(records=Sum("new"), last=Max("load__finished_at"))
    }
    changed = 0
    now = clock.now()
    for category in Category.objects.filter(hub_source__in=Source.values):
        row = figures.get(category.hub_source)
        records = int(row["records"] or 0) if row else 0
        as_of = _local_date(row["last"]) if row and row["last"] else category.as_of
        if (records, as_of) != (category.record_count, category.as_of):
            Category.objects.filter(pk=category.pk).update(
                record_count=records, as_of=as_of, updated_at=now
            )
            changed += 1
    return changed


def _local_date(moment) -> date:
    return timezone.localdate(moment)
