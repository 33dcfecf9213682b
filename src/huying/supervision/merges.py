"""Similar assessments merged into one (e.g. 城市管理综合考评 and 创建文明城市考核: different
names, largely the same checks on the same streets).

Two assessments are alike when their names are alike or when most of the checks of the smaller
one appear in the other: the second catches the same content under another name, which is the
case the merges exist for. `likeness` is the one measure, used here for the proposals and in
`assessments` to tell a planned launch from an unplanned one.

A merge keeps one plan item; the merged ones point to it (`merged_into`) and no longer count
as separate assessments: the metrics count items with no `merged_into`, and a launch matching
a merged item is linked to the kept one.
"""

from dataclasses import dataclass
from itertools import combinations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.orgs.choices import Role
from huying.supervision.choices import InspectionKind, PlanStatus
from huying.supervision.matching import text_similarity
from huying.supervision.models import Merge, PlanItem

# Two lines of items are the same check at or above this text similarity.
SAME_LINE = 0.8
# Plans whose items may be merged: the ones the department has put forward.
PROPOSED_STATUSES = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
MERGER_ROLES = (Role.LEADER, Role.ADMIN)


def lines(items: str) -> list[str]:
    return [line.strip() for line in (items or "").splitlines() if line.strip()]


def shared_items(a: list[str], b: list[str]) -> list[str]:
    """The lines of `a` that some line of `b` says too (in `a`'s words)."""
    return [x for x in a if any(x == y or text_similarity(x, y) >= SAME_LINE for y in b)]


@dataclass(frozen=True)
class Likeness:
    score: float
    name_score: float
    shared: list[str]


def likeness(name_a: str, items_a: list[str], name_b: str, items_b: list[str]) -> Likeness:
    """max(name similarity, share of the smaller list of items found in the other)."""
    name_score = text_similarity(name_a, name_b)
    shared = shared_items(items_a, items_b) if items_a and items_b else []
    overlap = len(shared) / min(len(items_a), len(items_b)) if shared else 0.0
    return Likeness(round(max(name_score, overlap), 3), round(name_score, 3), shared)


def threshold() -> float:
    return settings.SUPERVISION_SIMILAR_ASSESSMENT


@dataclass(frozen=True)
class Proposal:
    first: PlanItem
    second: PlanItem
    similarity: float
    shared: list[str]


def mergeable_items(year: int) -> QuerySet[PlanItem]:
    """Items of the year's submitted or approved plans that are assessments of some kind and
    not merged yet (a responsibility agreement is signed, not launched: never merged)."""
    return (
        PlanItem.objects.filter(
            plan__year=year, plan__status__in=PROPOSED_STATUSES, merged_into__isnull=True
        )
        .exclude(kind=InspectionKind.RESPONSIBILITY)
        .select_related("plan", "plan__department")
        .order_by("plan__department__sort_order", "id")
    )


def propose_merges(year: int, items: QuerySet[PlanItem] | None = None) -> list[Proposal]:
    """Pairs of items of different departments at or above the threshold, most alike first."""
    pool = [(i, lines(i.items)) for i in (items if items is not None else mergeable_items(year))]
    found = []
    for (a, a_lines), (b, b_lines) in combinations(pool, 2):
        if a.plan.department_id == b.plan.department_id:
            continue
        like = likeness(a.name, a_lines, b.name, b_lines)
        if like.score >= threshold():
            found.append(Proposal(a, b, like.score, like.shared))
    return sorted(found, key=lambda p: (-p.similarity, p.first.pk, p.second.pk))


def _merge_state(merge: Merge, merged: list[PlanItem]) -> dict:
    return {
        "kept": merge.kept_id,
        "merged": [i.pk for i in merged],
        "similarity": merge.similarity,
        "reason": merge.reason,
    }


def _check(kept: PlanItem, merged: list[PlanItem]) -> None:
    if not merged:
        raise Invalid(_("请选择要合并的考核事项"), field="merged")
    for item in [kept, *merged]:
        if item.kind == InspectionKind.RESPONSIBILITY:
            raise Invalid(_("责任制事项不能合并"), field="merged")
        if item.merged_into_id is not None:
            raise Conflict(_("“%(name)s”已被合并") % {"name": item.name}, field="merged")
    if any(i.pk == kept.pk for i in merged):
        raise Invalid(_("保留的事项不能同时被合并"), field="merged")
    if any(i.plan.year != kept.plan.year for i in merged):
        raise Invalid(_("只能合并同一年度的事项"), field="merged")


def merge(actor, kept: PlanItem, merged_items: list[PlanItem], reason: str) -> Merge:
    """Record the merge and point the merged items at the kept one."""
    if actor.role not in MERGER_ROLES:
        raise Forbidden(_("只有区领导或系统管理员可以合并考核"))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("请写明合并理由"), field="reason")
    merged = list({i.pk: i for i in merged_items}.values())
    _check(kept, merged)
    kept_lines = lines(kept.items)
    similarity = min(likeness(kept.name, kept_lines, i.name, lines(i.items)).score for i in merged)
    with transaction.atomic():
        ids = [i.pk for i in merged]
        if PlanItem.objects.filter(pk__in=ids, merged_into__isnull=True).update(
            merged_into=kept
        ) != len(ids):
            raise Conflict(_("所选事项已被合并"), field="merged")
        record = Merge.objects.create(
            kept=kept,
            similarity=similarity,
            reason=reason[:300],
            decided_by=actor,
            decided_at=clock.now(),
        )
        record.merged.set(merged)
        audit.record(
            "supervision.assessments_merged",
            actor=actor,
            obj=record,
            after=_merge_state(record, merged),
            reason=reason[:300],
        )
    return record
