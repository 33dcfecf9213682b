"""The register of reporting tasks (填表报数): a task not registered has no standing.

A department's staff draft a task (fields, recipients, frequency, basis), run the burden checks
(`check_task`: burden.py's findings stored as TaskFlags; a re-run refreshes the flags whose
finding still stands, keeping their ids and justifications, and drops the others), justify
what they keep, and register it; registering re-runs the checks and is refused (409, the open
flags listed) while any flag lacks a justification.

Warnings at registration: a flag justified and kept is a burden the commission follows up, so
each kind of justified flag raises one automatic warning (提醒) to the issuer listing the flags
and their reasons. A finding that was resolved by changing the task (a field the hub holds
removed, the frequency lowered) leaves no flag and so raises none.

Each action is one transaction with an audit row.
"""

import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.notify.services import Notice, notify_many
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User
from huying.supervision import burden, reminders
from huying.supervision.choices import FieldType, FlagKind, Frequency, TaskStatus
from huying.supervision.models import ReportingTask, TaskField, TaskFlag

STAFF = (Role.RESPONDER, Role.DEPARTMENT_HEAD)
EDITABLE = (TaskStatus.DRAFT, TaskStatus.CHECKED)
RECIPIENT_KINDS = (OrgKind.TOWN, OrgKind.STREET, OrgKind.VILLAGE, OrgKind.COMMUNITY)
SIMPLE = ("title", "basis", "frequency", "due_day", "due_date", "starts_on", "ends_on", "guidance")
MAX_FIELDS = 200


# --- validation ----------------------------------------------------------------------------------


def _require_staff(actor: User) -> None:
    if actor.role not in STAFF or actor.org is None or actor.org.kind != OrgKind.DEPARTMENT:
        raise Forbidden(_("只有区直部门的工作人员可以登记填表报数任务"), field="actor")


def require_issuer(actor: User, task: ReportingTask) -> None:
    _require_staff(actor)
    if actor.org_id != task.issuer_id:
        raise Forbidden(_("只有发起部门可以这样做"), field="actor")


def _require_status(task: ReportingTask, allowed: Sequence[str], verb: str) -> None:
    if task.status not in allowed:
        raise Conflict(
            _("该任务当前为“%(state)s”，不能%(verb)s")
            % {"state": task.get_status_display(), "verb": verb},
            field="status",
        )


def _text(data: Mapping, name: str, message: str, limit: int) -> str:
    value = (data.get(name) or "").strip()
    if not value:
        raise Invalid(message, field=name)
    if len(value) > limit:
        raise Invalid(_("不超过 %(n)s 个字") % {"n": limit}, field=name)
    return value


def clean_fields(rows: Sequence[Mapping]) -> list[dict]:
    """Names required, unique in the task, at most 64 characters; a known type."""
    if not rows:
        raise Invalid(_("请至少填写一个字段"), field="fields")
    if len(rows) > MAX_FIELDS:
        raise Invalid(_("字段不超过 %(n)s 个") % {"n": MAX_FIELDS}, field="fields")
    cleaned, seen = [], set()
    for i, row in enumerate(rows):
        name = (row.get("name") or "").strip()
        if not name or len(name) > 64:
            message = _("第 %(n)s 个字段的字段名必填，且不超过 64 个字") % {"n": i + 1}
            raise Invalid(message, field=f"fields.{i}.name")
        if name in seen:
            raise Invalid(_("字段名“%(name)s”重复") % {"name": name}, field=f"fields.{i}.name")
        seen.add(name)
        field_type = row.get("field_type") or FieldType.TEXT
        if field_type not in FieldType.values:
            raise Invalid(_("字段类型不是可选的值"), field=f"fields.{i}.field_type")
        meaning = (row.get("meaning") or "").strip()[:300]
        cleaned.append({"name": name, "meaning": meaning, "field_type": field_type})
    return cleaned


def clean_recipients(ids: Sequence[int]) -> list[Org]:
    orgs = list(Org.objects.filter(pk__in=set(ids or ()), is_active=True))
    if not orgs:
        raise Invalid(_("请选择填报的镇街或村社"), field="recipients")
    if len(orgs) != len(set(ids)) or any(o.kind not in RECIPIENT_KINDS for o in orgs):
        raise Invalid(_("填报单位只能是镇街或村社"), field="recipients")
    return orgs


def _clean(values: dict) -> dict:
    """The task's own columns, checked together (a PATCH merged over the stored ones)."""
    values["title"] = _text(values, "title", _("请填写任务名称"), 120)
    values["basis"] = _text(values, "basis", _("请填写依据：未登记依据的任务没有效力"), 300)
    if values.get("frequency") not in Frequency.values:
        raise Invalid(_("填报频次不是可选的值"), field="frequency")
    if not values.get("starts_on"):
        raise Invalid(_("请填写开始日期"), field="starts_on")
    if values["frequency"] == Frequency.ONCE and not values.get("due_date"):
        raise Invalid(_("一次性任务请填写截止日期"), field="due_date")
    if values.get("due_day") is not None and not 1 <= values["due_day"] <= 31:
        raise Invalid(_("每期截止日应为 1–31"), field="due_day")
    if values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        raise Invalid(_("结束日期不能早于开始日期"), field="ends_on")
    values["guidance"] = (values.get("guidance") or "").strip()
    return values


def _snapshot(task: ReportingTask) -> dict:
    return {
        **{name: getattr(task, name) for name in SIMPLE},
        "status": task.status,
        "recipients": sorted(task.recipients.values_list("pk", flat=True)),
        "fields": list(task.fields.values_list("name", flat=True)),
    }


def _write_fields(task: ReportingTask, rows: list[dict], start: int = 0) -> None:
    TaskField.objects.bulk_create(
        TaskField(task=task, order=start + i, **row) for i, row in enumerate(rows)
    )


# --- drafting ------------------------------------------------------------------------------------


@transaction.atomic
def create_task(actor: User, data: Mapping) -> ReportingTask:
    """A draft from `data`: the SIMPLE columns, `recipients` (org ids), `fields` (name,
    meaning, field_type)."""
    _require_staff(actor)
    values = _clean({name: data.get(name) for name in SIMPLE})
    recipients = clean_recipients(data.get("recipients") or ())
    rows = clean_fields(data.get("fields") or ())
    now = clock.now()
    task = ReportingTask.objects.create(
        code=f"~{secrets.token_hex(8)}", issuer_id=actor.org_id, created_by=actor,
        created_at=now, **values,
    )  # fmt: skip
    task.code = f"TB{now.year}{task.pk:06d}"  # numbered from its id: no race for the next one
    task.save(update_fields=["code"])
    task.recipients.set(recipients)
    _write_fields(task, rows)
    audit.record("supervision.task_created", actor=actor, obj=task, after=_snapshot(task))
    return task


def _locked(task: ReportingTask) -> ReportingTask:
    return ReportingTask.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def update_task(actor: User, task: ReportingTask, changes: Mapping) -> ReportingTask:
    """Change a draft: any SIMPLE column, `recipients`, `fields` (the whole list, replaced)."""
    task = _locked(task)
    require_issuer(actor, task)
    _require_status(task, EDITABLE, _("修改"))
    before = _snapshot(task)
    values = _clean({name: changes.get(name, getattr(task, name)) for name in SIMPLE})
    for name, value in values.items():
        setattr(task, name, value)
    task.save()
    if changes.get("recipients") is not None:
        task.recipients.set(clean_recipients(changes["recipients"]))
    if changes.get("fields") is not None:
        rows = clean_fields(changes["fields"])
        task.fields.all().delete()  # their flags go with them
        _write_fields(task, rows)
    audit.record(
        "supervision.task_updated", actor=actor, obj=task, before=before, after=_snapshot(task)
    )
    return task


@transaction.atomic
def add_fields(actor: User, task: ReportingTask, rows: Sequence[Mapping]) -> ReportingTask:
    task = _locked(task)
    require_issuer(actor, task)
    _require_status(task, EDITABLE, _("修改"))
    existing = list(task.fields.values_list("name", flat=True))
    cleaned = clean_fields([{"name": n} for n in existing] + list(rows))[len(existing) :]
    _write_fields(task, cleaned, start=len(existing))
    audit.record("supervision.task_fields_added", actor=actor, obj=task, after=_snapshot(task))
    return task


# --- the checks ----------------------------------------------------------------------------------


def _key(kind: str, field_id: int | None, other_id: int | None) -> tuple:
    return (kind, field_id, other_id)


def _store_matches(fields: list[TaskField], findings: list[burden.Finding]) -> None:
    shared = {f.field_index: f.evidence for f in findings if f.kind == FlagKind.ALREADY_SHARED}
    for i, f in enumerate(fields):
        hit = shared.get(i)
        f.shared_field_id = hit["catalogue_field_id"] if hit else None
        f.match_score = hit["score"] if hit else None
    TaskField.objects.bulk_update(fields, ["shared_field", "match_score"])


def _store_flags(task, fields, findings, now) -> list[TaskFlag]:
    # A finding that still stands keeps its row (its id, and any justification); the rest go.
    kept = {_key(f.kind, f.field_id, f.other_task_id): f for f in task.flags.all()}
    flags = []
    for found in findings:
        field_id = fields[found.field_index].pk if found.field_index is not None else None
        flag = kept.pop(_key(found.kind, field_id, found.other_task_id), None)
        flag = flag or TaskFlag(task=task, kind=found.kind, field_id=field_id, created_at=now)
        flag.other_task_id, flag.message = found.other_task_id, found.message[:300]
        flag.evidence = found.evidence
        flags.append(flag)
    task.flags.exclude(pk__in=[f.pk for f in flags if f.pk]).delete()
    for flag in flags:
        flag.save()
    return flags


@transaction.atomic
def check_task(task: ReportingTask) -> list[TaskFlag]:
    """Run every burden check on a draft and store the flags; CHECKED while any needs an
    answer, back to DRAFT when none does."""
    task = _locked(task)
    _require_status(task, EDITABLE, _("检查"))
    fields = list(task.fields.order_by("order", "pk"))
    findings = burden.run_checks(task, [(f.name, f.meaning) for f in fields])
    now = clock.now()
    _store_matches(fields, findings)
    flags = _store_flags(task, fields, findings, now)
    open_count = sum(1 for f in flags if f.justified_at is None)
    before = task.status
    task.status = TaskStatus.CHECKED if open_count else TaskStatus.DRAFT
    task.checked_at = now
    task.save(update_fields=["status", "checked_at"])
    audit.record(
        "supervision.task_checked", obj=task, before={"status": before},
        after={"status": task.status, "flags": [f.kind for f in flags], "open": open_count},
    )  # fmt: skip
    return flags


@transaction.atomic
def justify(actor: User, flag: TaskFlag, text: str) -> TaskFlag:
    """The issuer explains why a flagged field or frequency stays."""
    task = _locked(flag.task)
    require_issuer(actor, task)
    _require_status(task, EDITABLE, _("说明"))
    text = _text({"text": text}, "text", _("请说明保留的理由"), 300)
    flag.justification, flag.justified_at = text, clock.now()
    flag.save(update_fields=["justification", "justified_at"])
    if flag.field_id and flag.kind == FlagKind.ALREADY_SHARED:
        TaskField.objects.filter(pk=flag.field_id).update(justification=text)
    if not task.flags.filter(justified_at__isnull=True).exists():
        task.status = TaskStatus.DRAFT
        task.save(update_fields=["status"])
    audit.record(
        "supervision.flag_justified", actor=actor, obj=flag, after={"kind": flag.kind},
        reason=text,
    )  # fmt: skip
    return flag


# --- registration and after ----------------------------------------------------------------------


def register(actor: User, task: ReportingTask) -> ReportingTask:
    """Re-run the checks (committed: the issuer sees what stands in the way), then register."""
    require_issuer(actor, task)
    check_task(task)
    return _register(actor, task)


def _open_flags_text(flags) -> str:
    return "；".join(f"{f.get_kind_display()}：{f.message}" for f in flags)


@transaction.atomic
def _register(actor: User, task: ReportingTask) -> ReportingTask:
    task = _locked(task)
    _require_status(task, EDITABLE, _("登记"))
    open_flags = list(task.flags.filter(justified_at__isnull=True))
    if open_flags:
        raise Conflict(
            _("有 %(n)s 项问题尚未说明，不能登记：%(flags)s")
            % {"n": len(open_flags), "flags": _open_flags_text(open_flags)},
            field="flags",
        )
    before = task.status
    task.status, task.registered_at = TaskStatus.REGISTERED, clock.now()
    task.save(update_fields=["status", "registered_at"])
    audit.record(
        "supervision.task_registered", actor=actor, obj=task, before={"status": before},
        after={"status": task.status},
    )  # fmt: skip
    _warn_justified(task)
    _tell_recipients(task)
    return task


def _warn_justified(task: ReportingTask) -> None:
    by_kind = defaultdict(list)
    for flag in task.flags.exclude(justification=""):
        by_kind[flag.kind].append(flag)
    for kind, flags in by_kind.items():
        items = "；".join(f"{f.message}（说明：{f.justification}）" for f in flags)
        text = _("任务“%(title)s”（%(code)s）经说明后登记，仍存在“%(kind)s”问题：%(items)s") % {
            "title": task.title, "code": task.code, "kind": FlagKind(kind).label, "items": items,
        }  # fmt: skip
        reminders.raise_reminder(None, task.issuer, text, flag_kind=kind, task=task)


def _tell_recipients(task: ReportingTask) -> None:
    orgs = task.recipients.values_list("pk", flat=True)
    users = User.objects.filter(org_id__in=orgs, role=Role.CALLER)
    notify_many([Notice(
        users, kind="supervision.task_registered", title=_("新的填表报数任务"),
        body=f"{task.code}「{task.title}」", link=f"/supervision/tasks/{task.pk}/",
    )])  # fmt: skip


def _move(actor, task, allowed, to_status, verb, action, reason="") -> ReportingTask:
    task = _locked(task)
    require_issuer(actor, task)
    _require_status(task, allowed, verb)
    before = task.status
    task.status = to_status
    task.save(update_fields=["status"])
    audit.record(
        action, actor=actor, obj=task, before={"status": before}, after={"status": to_status},
        reason=reason[:300],
    )  # fmt: skip
    return task


@transaction.atomic
def withdraw(actor: User, task: ReportingTask, reason: str = "") -> ReportingTask:
    allowed = (*EDITABLE, TaskStatus.REGISTERED)
    return _move(actor, task, allowed, TaskStatus.WITHDRAWN, _("撤回"),
                 "supervision.task_withdrawn", reason)  # fmt: skip


@transaction.atomic
def close(actor: User, task: ReportingTask, reason: str = "") -> ReportingTask:
    return _move(actor, task, (TaskStatus.REGISTERED,), TaskStatus.CLOSED, _("结束"),
                 "supervision.task_closed", reason)  # fmt: skip
