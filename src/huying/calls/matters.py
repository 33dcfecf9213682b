"""The special list (专项清单): every change to a matter, its rules, and its reads.

`create_matter` and `update_matter` each run in one transaction and write one audit row with
before/after snapshots (co-department codes and limits included); those audit rows are the
matter's history of edits (`matter_history`). Only administrators change the list (actor None
is the system itself, e.g. the demo loader); every signed-in user reads it.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from huying.calls import read_cache
from huying.calls.choices import Domain
from huying.calls.limits import Limit, parse_limit
from huying.calls.models import Matter
from huying.core import audit
from huying.core.errors import Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User

CREATED = "calls.matter_created"
UPDATED = "calls.matter_updated"
# Codes are URL path segments (/api/v1/matters/{code}).
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
RESERVED_CODE = "free-form"  # the Open311 service code of calls with no matter
MAX_SECONDS = 366 * 86400  # a duration limit longer than a year is a typo
MAX_WORKING_DAYS = 365
TEXT_FIELDS = ("code", "name", "description", "legal_basis")
RAW_LIMIT_FIELDS = (
    "response_seconds",
    "response_working_days",
    "resolution_seconds",
    "resolution_working_days",
)
SCALAR_FIELDS = (*TEXT_FIELDS, "domain", "lead_department", "is_active", *RAW_LIMIT_FIELDS)
LIMITS = {"response": "响应时限", "resolution": "办结时限"}
# The snapshot's keys in the words of the form and the sheet (the history shows them).
FIELD_LABELS = {
    "code": "编号",
    "domain": "领域",
    "name": "事项名称",
    "description": "说明",
    "lead_department": "牵头部门",
    "co_departments": "协办部门",
    "response_limit": "响应时限",
    "resolution_limit": "办结时限",
    "legal_basis": "依据",
    "is_active": "启用",
}


# --- snapshots and history ---------------------------------------------------------------------


def _limit_api(seconds: int | None, working_days: int | None) -> str | int | None:
    if (seconds is None) == (working_days is None):
        return None
    return Limit(seconds, working_days).to_api()


def matter_snapshot(matter: Matter, co_departments: Iterable[Org] | None = None) -> dict:
    """What the audit log keeps of a matter: departments by code, limits as the API writes them."""
    if co_departments is None:
        co_codes = list(matter.co_departments.values_list("code", flat=True))
    else:
        co_codes = [org.code for org in co_departments]
    return {
        "code": matter.code,
        "domain": matter.domain,
        "name": matter.name,
        "description": matter.description,
        "lead_department": matter.lead_department.code if matter.lead_department_id else None,
        "co_departments": sorted(set(co_codes)),
        "response_limit": _limit_api(matter.response_seconds, matter.response_working_days),
        "resolution_limit": _limit_api(matter.resolution_seconds, matter.resolution_working_days),
        "legal_basis": matter.legal_basis,
        "is_active": matter.is_active,
    }


def matter_history(matter: Matter) -> QuerySet[AuditEntry]:
    """The matter's history of edits: its audit rows, oldest first."""
    return AuditEntry.objects.filter(
        object_type=Matter._meta.label_lower, object_id=str(matter.pk)
    ).order_by("seq")


def describe_changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(label, before, after) for each field an audit row changed; all fields for a creation."""
    before, after = entry.before or {}, entry.after or {}
    return [
        (label, before.get(key), after.get(key))
        for key, label in FIELD_LABELS.items()
        if key in after and before.get(key) != after.get(key)
    ]


# --- rules -------------------------------------------------------------------------------------


def require_admin(actor: User | None) -> None:
    """Only administrators change the special list (None: the system, e.g. the demo loader)."""
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise Forbidden("只有系统管理员可以修改专项清单", field="actor")


def validate_matter(matter: Matter, co_departments: Iterable[Org]) -> None:
    """The list's rules, each refused with the field it concerns (also run by the admin form).

    An active matter's departments must be active; a matter whose department was dissolved
    can still be deactivated.
    """
    _validate_text(matter)
    if matter.domain not in Domain.values:
        raise Invalid("领域应为综合执法、重点工作或应急处置", field="domain")
    lead = _validate_lead(matter)
    for org in co_departments:
        _validate_department(org, "co_departments", "协办部门", matter.is_active)
        if org.pk == lead.pk:
            raise Invalid(f"{org.name}已是牵头部门，不能同时是协办部门", field="co_departments")
    for which, label in LIMITS.items():
        _validate_limit(matter, which, label)
    if Matter.objects.filter(code=matter.code).exclude(pk=matter.pk).exists():
        raise Invalid(f"编号 {matter.code} 已被使用", field="code")


def _validate_text(matter: Matter) -> None:
    for name in TEXT_FIELDS:
        value = (getattr(matter, name) or "").strip()
        if "\x00" in value:
            raise Invalid(f"{FIELD_LABELS[name]}不能含有空字符（NUL）", field=name)
        setattr(matter, name, value)
    if not CODE_PATTERN.match(matter.code):
        raise Invalid("编号只能由字母、数字、“-”和“_”组成，且不能为空", field="code")
    if len(matter.code) > 32:
        raise Invalid("编号不能超过 32 个字符", field="code")
    if matter.code.lower() == RESERVED_CODE:
        raise Invalid(
            f"编号“{RESERVED_CODE}”留给自由呼叫（Open311 服务编号），请换一个", field="code"
        )
    if not matter.name:
        raise Invalid("请填写事项名称", field="name")
    if len(matter.name) > 100:
        raise Invalid("事项名称不能超过 100 个字", field="name")


def _validate_lead(matter: Matter) -> Org:
    if not matter.lead_department_id:
        raise Invalid("请选择牵头部门", field="lead_department")
    lead = matter.lead_department
    return _validate_department(lead, "lead_department", "牵头部门", matter.is_active)


def _validate_department(org: Org, field: str, role: str, must_be_active: bool) -> Org:
    if org.kind != OrgKind.DEPARTMENT:
        raise Invalid(f"{role}必须是区直部门：{org.name}是{org.get_kind_display()}", field=field)
    if must_be_active and not org.is_active:
        raise Invalid(f"{role}{org.name}已停用", field=field)
    return org


def _validate_limit(matter: Matter, which: str, label: str) -> None:
    field = f"{which}_limit"
    seconds = getattr(matter, f"{which}_seconds")
    days = getattr(matter, f"{which}_working_days")
    if seconds is None and days is None:
        raise Invalid(f"请填写{label}", field=field)
    if seconds is not None and days is not None:
        raise Invalid(f"{label}只能是时长或工作日天数中的一种", field=field)
    if seconds is not None and not 1 <= seconds <= MAX_SECONDS:
        raise Invalid(f"{label}应在 1 秒到 366 天之间", field=field)
    if days is not None and not 1 <= days <= MAX_WORKING_DAYS:
        raise Invalid(f"{label}的工作日天数应在 1 到 365 之间", field=field)


# --- changes -----------------------------------------------------------------------------------


@transaction.atomic
def create_matter(actor: User | None, **fields: Any) -> Matter:
    """Add a matter to the list.

    Departments may be Orgs or codes; a limit is `response_limit` / `resolution_limit` (a Limit,
    an ISO 8601 string or working days) or the model's own columns (`response_seconds`, ...).
    """
    require_admin(actor)
    matter = Matter()
    co = _apply(matter, fields)
    co = [] if co is None else co
    validate_matter(matter, co)
    _save(matter)
    matter.co_departments.set(co)
    read_cache.changed()  # calls show their matter's name
    audit.record(CREATED, actor=actor, obj=matter, after=matter_snapshot(matter, co))
    return matter


def update_matter(actor: User | None, matter: Matter, reason: str = "", **changes: Any) -> Matter:
    """Change a matter; audited (before/after) when anything changed. Never deleted: deactivate."""
    apply_update(actor, matter, reason, **changes)
    return matter


@transaction.atomic
def apply_update(actor: User | None, matter: Matter, reason: str = "", **changes: Any) -> bool:
    """`update_matter`, telling whether anything changed (the Excel import counts them)."""
    require_admin(actor)
    current = Matter.objects.select_for_update().select_related("lead_department").get(pk=matter.pk)
    before = matter_snapshot(current)
    co = _apply(matter, changes)
    co = list(current.co_departments.all()) if co is None else co
    if matter_snapshot(matter, co) == before:
        return False  # nothing to check, nothing to record (e.g. an unchanged sheet row)
    validate_matter(matter, co)
    after = matter_snapshot(matter, co)
    if after == before:
        return False
    _save(matter)
    matter.co_departments.set(co)
    read_cache.changed()  # calls show their matter's name
    audit.record(UPDATED, actor=actor, obj=matter, before=before, after=after, reason=reason)
    return True


def _save(matter: Matter) -> None:
    try:
        with transaction.atomic():
            matter.save()
    except IntegrityError:  # a concurrent writer took the code between the check and the save
        raise Invalid(f"编号 {matter.code} 已被使用", field="code") from None


def _apply(matter: Matter, fields: dict[str, Any]) -> list[Org] | None:
    """Set the given fields on the instance; return the co-departments if they were given."""
    fields = dict(fields)
    unknown = set(fields) - {*SCALAR_FIELDS, "co_departments", "response_limit", "resolution_limit"}
    if unknown:
        raise TypeError(f"unknown matter fields: {sorted(unknown)}")
    for which in LIMITS:
        if f"{which}_limit" in fields:
            limit = _limit(fields.pop(f"{which}_limit"), f"{which}_limit")
            setattr(matter, f"{which}_seconds", limit.seconds if limit else None)
            setattr(matter, f"{which}_working_days", limit.working_days if limit else None)
    if "lead_department" in fields:
        matter.lead_department = _department(fields.pop("lead_department"), "lead_department")
    co = fields.pop("co_departments", None)
    for name, value in fields.items():
        setattr(matter, name, value)
    if co is None:
        return None
    return list({org.pk: org for org in (_department(d, "co_departments") for d in co)}.values())


def _limit(value: Limit | str | int | None, field: str) -> Limit | None:
    if value is None or isinstance(value, Limit):
        return value
    return parse_limit(value, field)


def _department(value: Org | str | None, field: str) -> Org | None:
    if value is None or isinstance(value, Org):
        return value
    return department_by_code(value, field)


# --- reads -------------------------------------------------------------------------------------


def department_by_code(code: str, field: str) -> Org:
    org = Org.objects.filter(code=code).first()
    if org is None:
        raise Invalid(f"没有编码为“{code}”的部门", field=field)
    return org


def matters_visible_to(user: User | None) -> QuerySet[Matter]:
    """The special list is public inside the district: every signed-in user reads all of it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Matter.objects.none()
    return Matter.objects.select_related("lead_department").prefetch_related("co_departments")


def matter_list(
    user: User,
    *,
    domain: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    department: str | None = None,
) -> QuerySet[Matter]:
    matters = matters_visible_to(user)
    if domain:
        matters = matters.filter(domain=domain)
    if active is not None:
        matters = matters.filter(is_active=active)
    if q:
        matters = matters.filter(Q(name__contains=q) | Q(code__icontains=q))
    if department:
        co = Matter.co_departments.through.objects.filter(org__code=department)
        matters = matters.filter(
            Q(lead_department__code=department) | Q(pk__in=co.values("matter_id"))
        )
    return matters.order_by("domain", "code")


def matter_detail(user: User, code: str) -> Matter:
    matter = matters_visible_to(user).filter(code=code).first()
    if matter is None:
        raise Http404("未找到该清单事项")
    return matter
