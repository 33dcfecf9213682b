"""Accountability cases (问责) for the discipline commission.

A case is opened by the sweeper when a call had no response at all past the grace period, or
by a supervisor who confirms a "perfunctory response" flag. It carries the call's event trail
as evidence; the supervisor records the outcome and the people held accountable.
"""

from django.db import IntegrityError, transaction

from huying.calls.choices import CaseReason, CaseStatus
from huying.calls.models import AccountabilityCase, Call, Rating
from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.orgs.choices import Role
from huying.orgs.models import Org, User

ACCOUNTABILITY_LEVELS = ("提醒谈话", "批评教育", "责令检查", "诫勉", "通报批评", "党纪政务处分")


def _trail(call: Call) -> list[dict]:
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "at": e.at.isoformat(),
            "actor": e.actor_name,
            "from": e.from_status,
            "to": e.to_status,
            "note": e.note,
        }
        for e in call.events.order_by("seq")
    ]


def open_case(*, call: Call, department: Org, reason: str, actor: User | None = None):
    """Open one case per call, department and reason; a second attempt returns the first."""
    existing = AccountabilityCase.objects.filter(
        call=call, department=department, reason=reason
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            case = AccountabilityCase.objects.create(
                call=call,
                department=department,
                reason=reason,
                opened_at=clock.now(),
                opened_by=actor,
                evidence=_trail(call),
            )
            audit.record(
                "calls.case_opened",
                actor=actor,
                obj=case,
                after={"call": call.number, "department": department.name, "reason": reason},
            )
    except IntegrityError:  # a concurrent sweeper opened it a moment ago
        return AccountabilityCase.objects.get(call=call, department=department, reason=reason)
    return case


@transaction.atomic
def confirm_perfunctory(*, actor: User, rating: Rating):
    """The commission agrees the response was perfunctory: that opens a case."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden("只有纪委监委可以认定应付式响应", field="actor")
    if not rating.perfunctory:
        raise Conflict("该评价没有标记应付式响应", field="rating")
    if rating.perfunctory_confirmed_at is None:
        rating.perfunctory_confirmed_at = clock.now()
        rating.save(update_fields=["perfunctory_confirmed_at"])
    return open_case(
        call=rating.call, department=rating.department, reason=CaseReason.PERFUNCTORY, actor=actor
    )


@transaction.atomic
def record_outcome(
    *, actor: User, case: AccountabilityCase, outcome: str, people: list[dict]
) -> AccountabilityCase:
    """Close a case with its outcome and the people held accountable (name, post, level)."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden("只有纪委监委可以记录问责结果", field="actor")
    case = AccountabilityCase.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("案件已结案", field="status")
    if not outcome.strip():
        raise Invalid("请填写处理结果", field="outcome")
    for index, person in enumerate(people):
        if not str(person.get("name", "")).strip():
            raise Invalid(f"第 {index + 1} 名被问责人员缺少姓名", field=f"people.{index}.name")
        if person.get("level") not in ACCOUNTABILITY_LEVELS:
            raise Invalid(
                f"问责方式应为：{'、'.join(ACCOUNTABILITY_LEVELS)}", field=f"people.{index}.level"
            )
    case.outcome, case.people = outcome.strip(), people
    case.status, case.closed_at = CaseStatus.CLOSED, clock.now()
    case.save()
    audit.record(
        "calls.case_closed",
        actor=actor,
        obj=case,
        after={"outcome": case.outcome, "people": people},
    )
    return case
