"""Filling in (填报): a recipient unit starts one period of a registered task, pre-filled with
what the platform already holds for it; it confirms or corrects those values, types the rest,
and submits. Each submission counts the fields kept as pre-filled and the fields typed, and
estimates the minutes saved (kept pre-filled fields × SUPERVISION_MINUTES_PER_FIELD).

`Submission.values` holds, per field id: {"value": "...", "source": "<部门>·<类目>" or "",
"prefilled": the platform's value (kept, to tell a confirmation from a correction)}.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.core import audit, clock
from huying.core.errors import Conflict, Invalid, NotFound
from huying.core.idnumbers import ERROR, check_id_number, check_phone
from huying.core.scoping import scope_for
from huying.supervision import inbox, prefill
from huying.supervision.choices import FieldType, SubmissionStatus, TaskStatus
from huying.supervision.models import ReportingTask, Submission, TaskField

MAX_VALUE = 2000


class FillErrors(Invalid):
    """Every bad field at once, each named: [{"field": name, "message": ...}]."""

    def __init__(self, errors: list[dict]):
        summary = "；".join(f"{e['field']}：{e['message']}" for e in errors)
        super().__init__(summary, field=errors[0]["field"] if errors else None)
        self.errors = errors


def _require_recipient(actor, task: ReportingTask) -> None:
    if task.status != TaskStatus.REGISTERED or actor.org_id is None:
        raise NotFound(_("未找到，或不在您的可见范围内"))
    if not task.recipients.filter(pk=actor.org_id).exists():
        raise NotFound(_("未找到，或不在您的可见范围内"))


def start_submission(actor, task: ReportingTask, period: date) -> Submission:
    """The actor's unit's submission for the period `period` falls in, made (pre-filled) on
    first request; a second request returns the same one."""
    _require_recipient(actor, task)
    start = inbox.period_start(task, period)
    found = Submission.objects.filter(task=task, org_id=actor.org_id, period=start).first()
    if found is not None:
        return found
    fields = list(task.fields.select_related("shared_field"))
    known = prefill.prefill(actor.org, fields, timezone.localdate(clock.now()))
    values = {
        str(f.pk): {"value": p.value, "source": p.source, "prefilled": p.value}
        for f in fields
        if (p := known.get(f.pk)) is not None
    }
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                task=task, org_id=actor.org_id, period=start, values=values
            )
            audit.record(
                "supervision.submission_started", actor=actor, obj=submission,
                after={"task": task.code, "period": start, "prefilled": len(values)},
            )  # fmt: skip
    except IntegrityError:  # another request made it first: theirs is the one
        submission = Submission.objects.get(task=task, org_id=actor.org_id, period=start)
    return submission


# --- validation by field type ------------------------------------------------------------------


def _number(raw: str) -> str | None:
    try:
        value = Decimal(raw.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return _("应为数字")
    return None if value.is_finite() else _("应为数字")


def _date(raw: str) -> str | None:
    text = re.sub(r"[/.年月]", "-", raw).removesuffix("日")
    try:
        date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        return _("应为日期，如 2026-11-24")
    return None


def _id_number(raw: str) -> str | None:
    errors = [f for f in check_id_number(raw).findings if f.severity == ERROR]
    return errors[0].message if errors else None


def _phone(raw: str) -> str | None:
    _normalised, finding = check_phone(raw)
    return finding.message if finding else None


CHECKS = {
    FieldType.NUMBER: _number,
    FieldType.DATE: _date,
    FieldType.ID_NUMBER: _id_number,
    FieldType.PHONE: _phone,
}


def check_value(field: TaskField, raw: str) -> str | None:
    """The reason `raw` cannot be the field's value, or None."""
    if not raw:
        return None if field.field_type == FieldType.FILE else _("必填")
    if len(raw) > MAX_VALUE:
        return _("太长")
    check = CHECKS.get(field.field_type)
    return check(raw) if check else None


# --- submitting --------------------------------------------------------------------------------


def _given(values: dict, field: TaskField, kept: dict) -> str:
    """What the unit gave for a field (by id or by name), else what the form already holds."""
    for key in (str(field.pk), field.name):
        if key in values and values[key] is not None:
            return str(values[key]).strip()
    return str(kept.get("value", "")).strip()


def merge_values(task: ReportingTask, submission: Submission, values: dict) -> dict:
    """The submission's values with `values` applied; raises FillErrors naming every bad field."""
    merged, errors = {}, []
    for field in task.fields.all():
        kept = submission.values.get(str(field.pk), {})
        raw = _given(values, field, kept)
        problem = check_value(field, raw)
        if problem:
            errors.append({"field": field.name, "message": problem})
        merged[str(field.pk)] = {**kept, "value": raw}
    if errors:
        raise FillErrors(errors)
    return merged


def counts(task: ReportingTask, merged: dict) -> tuple[int, int]:
    """(kept as pre-filled, typed): a corrected pre-filled value counts as typed."""
    kept = sum(1 for v in merged.values() if v.get("prefilled") not in (None, "")
               and v.get("value") == v.get("prefilled"))  # fmt: skip
    typed = sum(1 for v in merged.values() if v.get("value")) - kept
    return kept, typed


def _state(submission: Submission) -> dict:
    return {
        "status": submission.status,
        "prefilled_fields": submission.prefilled_fields,
        "typed_fields": submission.typed_fields,
        "minutes_saved": submission.minutes_saved,
    }


def _require_own_draft(actor, submission: Submission) -> None:
    if actor.org_id != submission.org_id:
        raise NotFound(_("未找到，或不在您的可见范围内"))
    if submission.status != SubmissionStatus.DRAFT:
        raise Conflict(_("本期已报送，不能再修改"), field="status")


def save_draft(actor, submission: Submission, values: dict) -> Submission:
    """Keep what was typed so far, without checking it (a half-filled form is normal)."""
    _require_own_draft(actor, submission)
    for field in submission.task.fields.all():
        kept = submission.values.get(str(field.pk), {})
        submission.values[str(field.pk)] = {**kept, "value": _given(values, field, kept)}
    submission.save(update_fields=["values"])
    return submission


def submit(actor, submission: Submission, values: dict) -> Submission:
    """Check every field by its type, record the counts and the time saved, and send it."""
    _require_own_draft(actor, submission)
    merged = merge_values(submission.task, submission, values)
    kept, typed = counts(submission.task, merged)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != SubmissionStatus.DRAFT:
            raise Conflict(_("本期已报送，不能再修改"), field="status")
        before = _state(locked)
        submission.values = merged
        submission.prefilled_fields, submission.typed_fields = kept, typed
        submission.minutes_saved = kept * settings.SUPERVISION_MINUTES_PER_FIELD
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_by, submission.submitted_at = actor, clock.now()
        submission.save()
        audit.record(
            "supervision.submission_submitted", actor=actor, obj=submission,
            before=before, after=_state(submission),
        )  # fmt: skip
    return submission


# --- reads -------------------------------------------------------------------------------------


def visible_to(user):
    """Submissions the user may read: their unit's (a town also its villages'), those the
    user's department asked for, and all for the district roles."""
    qs = Submission.objects.select_related("task", "org")
    if user.sees_whole_district:
        return qs
    return qs.filter(scope_for(user).q("org") | Q(task__issuer_id=user.org_id))


def rows(submission: Submission) -> list[dict]:
    """Each field with its value and where a pre-filled one came from."""
    out = []
    for field in submission.task.fields.all():
        held = submission.values.get(str(field.pk), {})
        out.append({
            "id": field.pk, "name": field.name, "meaning": field.meaning,
            "field_type": field.field_type, "value": held.get("value", ""),
            "source": held.get("source", ""), "prefilled": held.get("prefilled") or None,
        })  # fmt: skip
    return out
