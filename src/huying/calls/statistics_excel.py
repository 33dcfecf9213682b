"""The statistics report as an Excel workbook: the grouped figures and the ranking.

Aggregates only (no names of people, no phones): the sheet can travel. Each export is audited.
Numbers stay numbers (rates are fractions shown as %, response times durations shown as
小时/分), so the figures can be summed and charted again in Excel.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from huying.calls import statistics
from huying.calls.excel import HEADER_FILL
from huying.core import audit, clock

PERCENT = "0.0%"
HOURS_MINUTES = '[h]"小时"mm"分"'
TITLE_FONT = Font(bold=True, size=14)


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # a msgid, translated when the sheet is written
    width: int
    number_format: str = "General"


# The figures per group, in the page's order (calls/templates/calls/statistics/_results.html).
FIGURES = [
    Column("calls", gettext_noop("呼叫次数"), 10),
    Column("responded", gettext_noop("已响应"), 10),
    Column("responded_on_time", gettext_noop("按时响应"), 10),
    Column("resolved", gettext_noop("已办结"), 10),
    Column("closed", gettext_noop("已确认办结"), 12),
    Column("on_time_resolution_rate", gettext_noop("按时办结率"), 12, PERCENT),
    Column("average_response_seconds", gettext_noop("平均响应时长"), 14, HOURS_MINUTES),
    Column("redos", gettext_noop("重办次数"), 10),
    Column("returns", gettext_noop("退回次数"), 10),
    Column("average_satisfaction", gettext_noop("平均满意度"), 12, "0.00"),
    Column("perfunctory_flags", gettext_noop("应付式响应标记"), 16),
]
RANKED = [
    Column("rank", gettext_noop("名次"), 8),
    Column("calls", gettext_noop("呼叫次数"), 10),
    Column("on_time_resolution_rate", gettext_noop("按时办结率"), 12, PERCENT),
    Column("average_satisfaction", gettext_noop("平均满意度"), 12, "0.00"),
]


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str


def export(actor, **filters) -> Export:
    """The report for these filters as a workbook; the export is written to the audit log."""
    report = statistics.report(actor, **filters)
    generated_at = timezone.localtime(clock.now())
    content = workbook(report, generated_at)
    audit.record(
        "calls.statistics_exported",
        actor=actor,
        object_type="calls.statistics",
        object_repr=f"呼叫统计（按{statistics.GROUP_LABELS[report.group_by]}，{report.period.span}）",
        after={
            "group_by": report.group_by,
            "period": report.period.kind,
            "start": report.period.start,
            "end": report.period.end,
            "min_calls": report.min_calls,
            "rows": len(report.rows),
        },
    )
    return Export(content, filename(report, generated_at))


def filename(report: statistics.Report, generated_at) -> str:
    """呼叫统计_部门_20260101-20261117.xlsx: an open period ends on the day of the export."""
    first = report.period.first_day
    last = report.period.last_day or generated_at.date()
    days = "-".join(d.strftime("%Y%m%d") for d in (first, last) if d)
    return f"{_('呼叫统计')}_{_(statistics.GROUP_LABELS[report.group_by])}_{days}.xlsx"


def workbook(report: statistics.Report, generated_at) -> bytes:
    book = Workbook()
    figures = book.active
    figures.title = _("分组统计")
    unit = _(statistics.GROUP_LABELS[report.group_by])
    _heading(figures, report, generated_at)
    _table(figures, unit, FIGURES, [*report.rows, report.total])
    figures.cell(row=figures.max_row, column=1).font = Font(bold=True)
    ranking = book.create_sheet(_("排名"))
    _heading(ranking, report, generated_at)
    rule = _(
        "按按时办结率从高到低排名，相同时比平均满意度；呼叫少于 %(n)s 次或尚无办结的不参与排名。"
    )
    ranking.append([rule % {"n": report.min_calls}])
    ranking.append([])
    _table(ranking, unit, RANKED, report.ranking, unit_after="rank")
    return _bytes(book)


def _heading(sheet, report: statistics.Report, generated_at) -> None:
    """Rows 1–3: the summary sentence, the period, when the sheet was made; then a blank row."""
    sheet.append([report.summary])
    sheet["A1"].font = TITLE_FONT
    sheet.append([_("统计期间"), report.period.span])
    sheet.append([_("生成时间"), generated_at.strftime("%Y-%m-%d %H:%M")])
    sheet.append([])


def _table(sheet, unit: str, columns: list[Column], rows: list[dict], unit_after=None) -> None:
    """A header row and one row per dict; the unit's name first (after the rank if ranked)."""
    keys = [c.key for c in columns]
    at = keys.index(unit_after) + 1 if unit_after else 0
    headers = [_(c.header) for c in columns]
    headers.insert(at, unit)
    sheet.append(headers)
    header_row = sheet.max_row
    for row in rows:
        values = [_cell(row[c.key], c) for c in columns]
        values.insert(at, row["name"])
        sheet.append(values)
    formats = [c.number_format for c in columns]
    formats.insert(at, "@")
    widths = [c.width for c in columns]
    widths.insert(at, 16)  # in Chinese characters, each about 1.6 Excel widths
    for index, (number_format, width) in enumerate(zip(formats, widths, strict=True), start=1):
        header = sheet.cell(row=header_row, column=index)
        header.font, header.fill = Font(bold=True), HEADER_FILL
        header.alignment = Alignment(horizontal="center", wrap_text=True)
        for line in range(header_row + 1, sheet.max_row + 1):
            sheet.cell(row=line, column=index).number_format = number_format
        sheet.column_dimensions[get_column_letter(index)].width = width * 1.6
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=at + 2)


def _cell(value, column: Column):
    if value is None:
        return None  # no calls to measure: an empty cell, not a zero
    if column.number_format == HOURS_MINUTES:
        return timedelta(seconds=value)
    return value


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
