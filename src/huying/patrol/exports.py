"""A village's or an inspector's residents and visits as an Excel workbook (巡查导出): one sheet
per kind (实有人口, 巡查记录, 核查住户), times in Asia/Shanghai, masked by default.

Unmasked only for the roles that may reveal (datahub.privacy.REVEAL_ROLES, the hub's rule) and
with a reason; every export, masked or not, is audited (`patrol.export`) and logged in the hub's
lookup log (privacy.log_access, kind export): one access whose subjects are every resident in
the file, so each resident's 谁查看过 lists it. What is in view is coverage_scope's (the
village or inspector must be in the user's coverage) and, for residents, the hub's.
"""

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from huying.core import audit
from huying.core.errors import Forbidden, Invalid
from huying.core.masking import mask_id_number, mask_phone
from huying.core.scoping import get_visible_or_404
from huying.datahub import hub_selectors, privacy
from huying.datahub.models import AccessKind, AccessVia, Resident
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User
from huying.patrol.coverage_scope import Period, Scope, area_dwellings
from huying.patrol.models import Visit, VisitOccupant

FIELDS = ["name", "gender", "birth_date", "id_number", "phone", "village", "dwelling"]
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    residents: int
    visits: int


def villages_in_view(scope: Scope) -> QuerySet[Org]:
    if scope.everything:
        return Org.objects.filter(kind__in=(OrgKind.VILLAGE, OrgKind.COMMUNITY))
    return scope.villages()


def village_for(user, scope: Scope, code: str) -> Org:
    return get_visible_or_404(villages_in_view(scope), user, code=code)


def inspector_for(user, scope: Scope, inspector_id: int) -> User:
    return get_visible_or_404(scope.inspectors, user, pk=inspector_id)


def export(user, scope: Scope, subject: Org | User, *, period: str, now: datetime,
           unmasked: bool = False, reason: str = "") -> Export:  # fmt: skip
    """The workbook of a village (an Org) or an inspector (a User), visits of `period`."""
    reason = _checked_reason(user, unmasked, reason)
    span = Period.of(period, now)
    residents, visits = _rows(user, scope, subject, span)
    occupants = list(
        VisitOccupant.objects.filter(visit__in=[v.pk for v in visits])
        .select_related("visit__dwelling", "resident")
        .order_by("visit__visited_at", "pk")
    )
    content = _workbook(residents, visits, occupants, unmasked)
    people = [r.pk for r in residents] + [o.resident_id for o in occupants if o.resident_id]
    kind = "inspector" if isinstance(subject, User) else "village"
    with transaction.atomic():
        privacy.log_access(user, people, kind=AccessKind.EXPORT, via=AccessVia.EXPORT,
                           purpose=reason or _("导出巡查数据（遮蔽）"), fields=FIELDS,
                           unmasked=unmasked)  # fmt: skip
        audit.record("patrol.export", actor=user, obj=subject, reason=reason, after={
            "kind": kind, "period": period, "residents": len(residents),
            "visits": len(visits), "unmasked": unmasked,
        })  # fmt: skip
    code = subject.username if kind == "inspector" else subject.code
    filename = f"patrol-{kind}-{code}-{span.first:%Y%m%d}-{span.last:%Y%m%d}.xlsx"
    return Export(content, filename, len(residents), len(visits))


def _checked_reason(user, unmasked: bool, reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > privacy.MAX_REASON:
        raise Invalid(f"理由不能超过 {privacy.MAX_REASON} 个字", field="reason")
    if unmasked and not reason:
        raise Invalid("导出完整身份证号和电话须说明理由", field="reason")
    if unmasked and not privacy.may_reveal(user):
        raise Forbidden("您的角色只能导出遮蔽后的数据")
    return reason


def _rows(user, scope: Scope, subject, span: Period) -> tuple[list[Resident], list[Visit]]:
    visits = Visit.objects.filter(scope.dwelling_q(), inspector__in=scope.inspectors,
                                  visited_at__gte=span.start, visited_at__lt=span.end)  # fmt: skip
    residents = hub_selectors.residents_visible_to(user)
    if isinstance(subject, User):
        mine = User.objects.filter(pk=subject.pk)
        residents = residents.filter(dwelling__in=area_dwellings(mine).filter(scope.dwelling_q("")))
        visits = visits.filter(inspector=subject)
    else:
        residents = residents.filter(Q(village=subject))
        visits = visits.filter(dwelling__village=subject)
    residents = residents.select_related("village", "dwelling").order_by("dwelling__code", "name")
    visits = visits.select_related("inspector", "dwelling", "dwelling__village")
    return list(residents), list(visits.prefetch_related("occupants").order_by("visited_at"))


def _local(moment: datetime) -> datetime:
    """Excel has no time zones: the Beijing wall-clock time, naive."""
    return timezone.localtime(moment).replace(tzinfo=None)


def _workbook(residents, visits, occupants, unmasked: bool) -> bytes:
    book = Workbook()
    people = book.active
    people.title = _("实有人口")
    people.append([_("姓名"), _("性别"), _("出生日期"), _("身份证号"), _("电话"), _("村社"),
                   _("出租屋编码"), _("现住地址")])  # fmt: skip
    for r in residents:
        people.append([
            r.name, r.gender, r.birth_date, _id(r.id_number, unmasked), _phone(r.phone, unmasked),
            r.village.name if r.village_id else "", r.dwelling.code if r.dwelling_id else "",
            r.current_address,
        ])  # fmt: skip
    _format(people, "C", DATE_FORMAT)
    rounds = book.create_sheet(_("巡查记录"))
    rounds.append([_("巡查时间"), _("巡查员"), _("村社"), _("出租屋编码"), _("地址"), _("来源"),
                   _("发现问题"), _("安全检查"), _("核查住户数"), _("备注")])  # fmt: skip
    for v in visits:
        outcomes = [o.outcome for o in v.occupants.all()]
        problem = v.found_problem  # findings.found_problem, as the revisit reason reads it
        rounds.append([
            _local(v.visited_at), v.inspector.display_name,
            v.dwelling.village.name if v.dwelling.village_id else "", v.dwelling.code,
            v.dwelling.address, v.get_origin_display(), _("是") if problem else _("否"),
            checklist_text(v.checklist), len(outcomes), v.notes,
        ])  # fmt: skip
    _format(rounds, "A", DATETIME_FORMAT)
    found = book.create_sheet(_("核查住户"))
    found.append([_("巡查时间"), _("出租屋编码"), _("核查结果"), _("姓名"), _("身份证号"),
                  _("电话")])  # fmt: skip
    for o in occupants:
        person = o.resident
        found.append([
            _local(o.visit.visited_at), o.visit.dwelling.code, o.get_outcome_display(),
            o.name or (person.name if person else ""),
            _id(o.id_number or (person.id_number if person else ""), unmasked),
            _phone(o.phone or (person.phone if person else ""), unmasked),
        ])  # fmt: skip
    _format(found, "A", DATETIME_FORMAT)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _id(value: str, unmasked: bool) -> str:
    return value if unmasked else mask_id_number(value)


def _phone(value: str, unmasked: bool) -> str:
    return value if unmasked else mask_phone(value)


def _format(sheet, column: str, number_format: str) -> None:
    for cell in sheet[column][1:]:
        cell.number_format = number_format


def checklist_labels() -> dict[str, str]:
    # The household page's checklist (api_visits.ChecklistIn); other keys show as themselves.
    return {"fire_exit": _("消防通道畅通"), "not_overcrowded": _("未超员居住"),
            "no_hazard": _("无安全隐患"), "hazard_notes": _("隐患说明")}  # fmt: skip


def checklist_text(checklist: dict) -> str:
    """消防通道畅通：否；隐患说明：楼道堆放杂物 (answers left blank are left out)."""
    labels, parts = checklist_labels(), []
    for key, value in (checklist or {}).items():
        if isinstance(value, dict):
            value = value.get("ok")
        if value is None or value == "":
            continue
        shown = (_("是") if value else _("否")) if isinstance(value, bool) else str(value)
        parts.append(f"{labels.get(key, key)}：{shown}")
    return "；".join(parts)
