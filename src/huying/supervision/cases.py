"""The discipline commission's register of formalism and bureaucratism cases (形式主义、官僚主义).

Only the commission (Role.SUPERVISOR) writes. A case rests on evidence the platform already
holds, and each piece is checked before it is linked: an overdue or perfunctory call of the
calls app, a task the burden checks flagged, an assessment launched outside the plan, or a task
pushed down without guidance whose recipients then missed it. That last one makes the issuer
the guiding unit (指导单位) of the case: "基层工作没落实、指导单位得负责".
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.calls.models import AccountabilityCase, Call, Rating
from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.orgs.choices import Role
from huying.orgs.models import Org, User
from huying.supervision import inbox
from huying.supervision.choices import (
    AccountabilityLevel,
    AccountabilityMeasure,
    CaseStatus,
    EvidenceKind,
    SubmissionStatus,
)
from huying.supervision.models import (
    AccountablePerson,
    Assessment,
    CaseEvidence,
    FormalismCase,
    ReportingTask,
    Submission,
)

NUMBER_PREFIX = "XS"


def _require_commission(actor: User) -> None:
    if actor is None or actor.role != Role.SUPERVISOR:
        raise Forbidden(_("只有纪委监委可以登记和处理形式主义问题"), field="actor")


# --- evidence checks ---------------------------------------------------------------------------


def call_overdue(call: Call, now: datetime) -> bool:
    """Past its response or resolution limit (answered late, or not yet), or urged."""
    if call.urge_level > 0:
        return True
    for due, done in ((call.response_due_at, call.responded_at), (call.resolution_due_at,
                                                                   call.resolved_at)):  # fmt: skip
        if due is not None and (done or now) > due:
            return True
    return AccountabilityCase.objects.filter(call=call).exists()


def call_perfunctory(call: Call) -> bool:
    return Rating.objects.filter(call=call, perfunctory=True).exists()


def last_due_period(task: ReportingTask, today: date) -> tuple[date, date] | None:
    """The latest (period start, due date) whose due date has passed; None if none has yet.
    The periods are the inbox's, so a case and the town's calendar agree on what was due."""
    passed = list(inbox.periods_between(task, today - timedelta(days=400), today - timedelta(1)))
    return passed[-1] if passed else None


def late_recipients(task: ReportingTask, today: date) -> list[Org]:
    """Recipients that did not submit the latest period whose deadline has passed."""
    due = last_due_period(task, today)
    if due is None:
        return []
    submitted = Submission.objects.filter(
        task=task, period=due[0], status=SubmissionStatus.SUBMITTED
    ).values("org_id")
    return list(task.recipients.exclude(pk__in=submitted).order_by("path"))


def task_unguided_and_failed(task: ReportingTask, today: date) -> bool:
    return not task.guidance.strip() and bool(late_recipients(task, today))


def _resolve(item: dict, now: datetime) -> CaseEvidence:
    """One evidence item ({kind, call|task|assessment id, note}) checked and unsaved."""
    kind = item.get("kind")
    if kind not in EvidenceKind.values:
        raise Invalid(_("证据类型不正确"), field="evidence.kind")
    evidence = CaseEvidence(kind=kind, note=str(item.get("note") or "")[:300])
    if kind in (EvidenceKind.OVERDUE_CALL, EvidenceKind.PERFUNCTORY_CALL):
        evidence.call = _fetch(Call, item.get("call"), "evidence.call")
        holds = (call_overdue(evidence.call, now) if kind == EvidenceKind.OVERDUE_CALL
                 else call_perfunctory(evidence.call))  # fmt: skip
        if not holds:
            raise Invalid(_("该呼叫不属于所选的证据类型"), field="evidence.call")
    elif kind in (EvidenceKind.TASK, EvidenceKind.UNGUIDED_TASK):
        evidence.task = _fetch(ReportingTask, item.get("task"), "evidence.task")
        _check_task(evidence.task, kind, timezone.localdate(now))
    elif kind == EvidenceKind.UNPLANNED_ASSESSMENT:
        evidence.assessment = _fetch(Assessment, item.get("assessment"), "evidence.assessment")
        if not evidence.assessment.unplanned:
            raise Invalid(_("该考核在计划内"), field="evidence.assessment")
    elif not evidence.note:
        raise Invalid(_("请说明证据"), field="evidence.note")
    return evidence


def _check_task(task: ReportingTask, kind: str, today: date) -> None:
    if kind == EvidenceKind.TASK and not task.flags.exists():
        raise Invalid(_("该任务没有负担检查发现"), field="evidence.task")
    if kind == EvidenceKind.UNGUIDED_TASK and not task_unguided_and_failed(task, today):
        raise Invalid(_("该任务有填报指导，或填报单位均已按时报送"), field="evidence.task")


def _fetch(model, value, field: str):
    pk = getattr(value, "pk", value)
    found = model.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        raise Invalid(_("证据所指的记录不存在"), field=field)
    return found


# --- actions -----------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}{year}-"
    last = (FormalismCase.objects.filter(number__startswith=prefix)
            .order_by("-number").values_list("number", flat=True).first())  # fmt: skip
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:04d}"


def open_case(
    actor: User,
    problem: str,
    unit: Org,
    evidence: Sequence[dict] = (),
    *,
    guiding_unit: Org | None = None,
) -> FormalismCase:
    """Register a case; an unguided failed task names its issuer as the guiding unit."""
    _require_commission(actor)
    if not problem.strip():
        raise Invalid(_("请填写问题"), field="problem")
    now = clock.now()
    items = [_resolve(item, now) for item in evidence]
    for item in items:
        if item.kind == EvidenceKind.UNGUIDED_TASK and guiding_unit is None:
            guiding_unit = item.task.issuer
    for _attempt in range(3):  # two commissioners numbering at once: the loser takes the next
        try:
            with transaction.atomic():
                return _create(actor, problem.strip(), unit, guiding_unit, items, now)
        except IntegrityError:
            continue
    raise Conflict(_("编号冲突，请重试"), field="number")


def _create(actor, problem, unit, guiding_unit, items, now) -> FormalismCase:
    case = FormalismCase.objects.create(
        number=_next_number(timezone.localdate(now).year), problem=problem, unit=unit,
        guiding_unit=guiding_unit, opened_by=actor, opened_at=now,
    )  # fmt: skip
    for item in items:
        item.case = case
    CaseEvidence.objects.bulk_create(items)
    audit.record(
        "supervision.case_opened",
        actor=actor,
        obj=case,
        after={
            "problem": problem,
            "unit": unit.name,
            "guiding_unit": guiding_unit.name if guiding_unit else None,
            "evidence": [_describe(item) for item in items],
        },
    )
    return case


def open_guidance_case(actor: User, task: ReportingTask, problem: str = "") -> FormalismCase:
    """A task pushed down without guidance that failed: a case against its issuer."""
    late = late_recipients(task, timezone.localdate(clock.now()))
    text = problem or _("%(task)s 下派时未提供填报指导，%(n)s 个填报单位逾期未报送") % {
        "task": task.title, "n": len(late)}  # fmt: skip
    evidence = [{"kind": EvidenceKind.UNGUIDED_TASK, "task": task.pk}]
    return open_case(actor, text, task.issuer, evidence, guiding_unit=task.issuer)


def _describe(item: CaseEvidence) -> dict:
    return {"kind": item.kind, "call": item.call_id, "task": item.task_id,
            "assessment": item.assessment_id, "note": item.note}  # fmt: skip


@transaction.atomic
def add_evidence(actor: User, case: FormalismCase, item: dict) -> CaseEvidence:
    _require_commission(actor)
    case = _open_for_update(case)
    evidence = _resolve(item, clock.now())
    evidence.case = case
    evidence.save()
    audit.record("supervision.case_evidence_added", actor=actor, obj=case,
                 after=_describe(evidence))  # fmt: skip
    return evidence


@transaction.atomic
def add_person(actor: User, case: FormalismCase, person: dict) -> AccountablePerson:
    """One person held accountable: name, position, level, measure, date (default today)."""
    _require_commission(actor)
    case = _open_for_update(case)
    row = AccountablePerson(case=case, **_person_fields(person))
    row.save()
    audit.record("supervision.case_person_added", actor=actor, obj=case,
                 after={**_person_fields(person), "decided_at": row.decided_at})  # fmt: skip
    return row


def _person_fields(person: dict) -> dict:
    name, position = str(person.get("name") or "").strip(), str(person.get("position") or "")
    if not name:
        raise Invalid(_("请填写姓名"), field="name")
    if person.get("level") not in AccountabilityLevel.values:
        raise Invalid(_("级别不正确"), field="level")
    if person.get("measure") not in AccountabilityMeasure.values:
        raise Invalid(_("处理方式不正确"), field="measure")
    decided = person.get("decided_at") or timezone.localdate(clock.now())
    if isinstance(decided, str):
        try:
            decided = date.fromisoformat(decided)
        except ValueError:
            raise Invalid(_("处理日期不正确"), field="decided_at") from None
    return {"name": name[:50], "position": position.strip()[:80], "level": person["level"],
            "measure": person["measure"], "decided_at": decided}  # fmt: skip


@transaction.atomic
def conclude(actor: User, case: FormalismCase, outcome: str) -> FormalismCase:
    _require_commission(actor)
    case = _open_for_update(case)
    if not outcome.strip():
        raise Invalid(_("请填写处理结果"), field="outcome")
    case.outcome, case.status = outcome.strip(), CaseStatus.CONCLUDED
    case.concluded_at = clock.now()
    case.save(update_fields=["outcome", "status", "concluded_at"])
    audit.record("supervision.case_concluded", actor=actor, obj=case,
                 before={"status": CaseStatus.OPEN}, after={"status": case.status,
                                                            "outcome": case.outcome})  # fmt: skip
    return case


def _open_for_update(case: FormalismCase) -> FormalismCase:
    case = FormalismCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise Conflict(_("该问题已处理完毕"), field="status")
    return case
