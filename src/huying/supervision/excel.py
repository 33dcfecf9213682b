"""A task's fill-in sheet in Excel: the template (row 1 the field names, row 2 what each
means, row 3 the values, pre-filled where the platform holds them) and an all-or-nothing
import of a filled one: every bad cell is reported with its row number and column name, and
if any is bad nothing is saved.
"""

import io
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from huying.core.errors import Invalid
from huying.supervision import filling
from huying.supervision.models import Submission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW, NOTES_ROW, VALUE_ROW = 1, 2, 3
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 50
_HEAD = Font(bold=True)
_NOTE = Font(italic=True, color="666666")
_PREFILLED = PatternFill("solid", fgColor="E6F4EA")


class SheetErrors(Invalid):
    """[{"row": n, "column": name, "message": ...}]; nothing was imported."""

    def __init__(self, errors: list[dict]):
        super().__init__("；".join(describe(e) for e in errors), field="file")
        self.errors = errors


def describe(error: dict) -> str:
    if error.get("row") and error.get("column"):
        return _("第 %(row)s 行“%(column)s”：%(message)s") % error
    if error.get("row"):
        return _("第 %(row)s 行：%(message)s") % error
    return error["message"]


def template(submission: Submission) -> bytes:
    """The sheet of one submission, its known values filled in (pre-filled cells green, their
    source in a cell comment)."""
    book = Workbook()
    sheet = book.active
    sheet.title = submission.task.title[:31]
    for col, field in enumerate(submission.task.fields.all(), start=1):
        sheet.cell(HEADER_ROW, col, field.name).font = _HEAD
        note = sheet.cell(NOTES_ROW, col, f"{field.get_field_type_display()}：{field.meaning}")
        note.font, note.alignment = _NOTE, Alignment(wrap_text=True, vertical="top")
        held = submission.values.get(str(field.pk), {})
        cell = sheet.cell(VALUE_ROW, col, held.get("value") or None)
        if held.get("source"):
            cell.fill = _PREFILLED
            cell.comment = Comment(_("来源：%(source)s") % {"source": held["source"]}, "huying")
        sheet.column_dimensions[get_column_letter(col)].width = max(12, len(field.name) * 2 + 4)
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):  # Excel made a date of it
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open(data: BinaryIO):
    raw = data.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise SheetErrors([{"row": None, "column": "", "message": _("文件太大（最大 2 MB）")}])
    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        message = _("不是有效的 Excel 文件（.xlsx）")
        raise SheetErrors([{"row": None, "column": "", "message": message}]) from exc


def read_values(submission: Submission, data: BinaryIO) -> dict[str, str]:
    """field id -> value from a filled sheet; raises SheetErrors listing every bad cell."""
    sheet = _open(data)
    rows = list(sheet.iter_rows(max_row=MAX_ROWS + NOTES_ROW, values_only=True))
    header = [_text(v) for v in (rows[0] if rows else ())]
    fields = list(submission.task.fields.all())
    errors = [
        {"row": HEADER_ROW, "column": f.name, "message": _("缺少该列，请使用下载的模板")}
        for f in fields if f.name not in header
    ]  # fmt: skip
    if errors:
        raise SheetErrors(errors)
    data_rows = [r for r in rows[NOTES_ROW:] if any(_text(v) for v in r)]
    if len(data_rows) != 1:
        message = _("应在第 3 行填写一行数据，这里有 %(n)s 行") % {"n": len(data_rows)}
        raise SheetErrors([{"row": VALUE_ROW, "column": "", "message": message}])
    row_number = NOTES_ROW + 1 + rows[NOTES_ROW:].index(data_rows[0])
    cells = dict(zip(header, data_rows[0], strict=False))
    values = {str(f.pk): _text(cells.get(f.name)) for f in fields}
    for field in fields:
        problem = filling.check_value(field, values[str(field.pk)])
        if problem:
            errors.append({"row": row_number, "column": field.name, "message": problem})
    if errors:
        raise SheetErrors(errors)
    return values


def import_sheet(actor, submission: Submission, data: BinaryIO, *, send: bool) -> Submission:
    """Fill the submission from the sheet: saved as a draft, or submitted when `send`."""
    values = read_values(submission, data)
    if send:
        return filling.submit(actor, submission, values)
    return filling.save_draft(actor, submission, values)
