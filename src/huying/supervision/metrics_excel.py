"""The burden metrics as an Excel workbook: one sheet per table of the metrics page.

Aggregates only (no names of people): the sheet can travel. Each export is audited, like the
calls statistics export. Numbers stay numbers, so they can be summed and charted in Excel.
"""

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from huying.calls.excel import HEADER_FILL
from huying.core import audit, clock
from huying.supervision import metrics as m

PERCENT = "0.0%"


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str


def export(actor, year: int) -> Export:
    found = m.metrics(year)
    content = workbook(found)
    audit.record(
        "supervision.metrics_exported",
        actor=actor,
        object_type="supervision.metrics",
        object_repr=_("%(year)s 年减负成效统计") % {"year": year},
        after={"year": year, "league_rows": len(found.league)},
    )
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d")
    return Export(content, f"{_('减负成效统计')}_{year}_{stamp}.xlsx")


def workbook(found: m.Metrics) -> bytes:
    book = Workbook()
    sheets = [
        (_("考核数量"), *_assessments(found)),
        (_("镇街任务"), *_town_tasks(found)),
        (_("填报预填"), *_filling(found)),
        (_("提醒"), *_reminders(found)),
        (_("问责"), *_discipline(found)),
        (_("部门负担排行"), *_league(found)),
    ]
    book.remove(book.active)
    for title, headers, rows in sheets:
        _sheet(book.create_sheet(title), headers, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet, headers: list[str], rows: list[list]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 28


def _month(i: int) -> str:
    return _("%(n)s月") % {"n": i + 1}


def _assessments(found):
    a, y = found.assessments, found.year
    headers = [_("月份"), str(y - 1), str(y), _("目标累计（上年累计×70%）")]
    rows = [[_month(i), a["monthly_last"][i], a["monthly_this"][i], a["cumulative_target"][i]]
            for i in range(12)]  # fmt: skip
    rows.append([_("合计"), a["last_year"], a["this_year"], a["target"]])
    return headers, rows


def _town_tasks(found):
    t = found.town_tasks
    headers = [_("镇街"), *[_month(i) for i in range(12)]]
    return headers, [[name, *row] for name, row in zip(t["towns"], t["grid"], strict=True)]


def _filling(found):
    f = found.filling
    headers = [_("月份"), _("预填字段数"), _("手填字段数"), _("估计节省（小时）")]
    rows = [[_month(i), f["monthly_prefilled"][i], f["monthly_typed"][i], f["monthly_hours"][i]]
            for i in range(12)]  # fmt: skip
    rows.append([_("合计"), f["prefilled"], f["typed"], f["hours_saved"]])
    return headers, rows


def _reminders(found):
    r = found.reminders
    labels = [("raised", _("发出提醒")), ("open", _("待答复")), ("overdue", _("逾期未答复")),
              ("answered", _("已答复")), ("closed", _("已办结"))]  # fmt: skip
    return [_("项目"), _("数量")], [[label, r[key]] for key, label in labels]


def _discipline(found):
    d = found.discipline
    rows = [[_("形式主义官僚主义问题"), d["cases"]], [_("已处理"), d["concluded"]],
            [_("追究指导单位责任"), d["guiding"]], [_("被问责人员"), d["people"]]]  # fmt: skip
    rows += [[_("级别：%(label)s") % {"label": label}, n] for label, n in d["by_level"]]
    rows += [[_("处理方式：%(label)s") % {"label": label}, n] for label, n in d["by_measure"]]
    return [_("项目"), _("数量")], rows


def _league(found):
    headers = [_("部门"), _("名次"), _("任务数"), _("填报单位次数"), _("负担指数"), _("检查发现")]
    rows = [[r["name"], r["rank"], r["tasks"], r["recipients"], r["burden"], r["flags"]]
            for r in found.league]  # fmt: skip
    return headers, rows
