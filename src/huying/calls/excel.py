"""The special list in Excel (openpyxl): export, a template to fill, and an all-or-nothing import.

A sheet names departments by full name, short name (城管局) or code, co-departments separated
by "、"; limits as "PT30M", "30分钟", "2小时", "3个工作日" or 3 (see `limit_text`). Import
checks every row and reports each bad one (row number, column, a Chinese reason); if any row is
bad nothing is imported. An existing code is updated (audited as an update), a new one created.
"""

import io
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db import transaction
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from huying.calls import matters
from huying.calls.choices import Domain
from huying.calls.limit_text import HINT, limit_text, parse_limit_text
from huying.calls.models import Matter
from huying.core.errors import BusinessError, Invalid
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User

SHEET = "专项清单"
NOTES = "填写说明"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
SEPARATORS = re.compile(r"[、，,;；\s]+")
YES = {"是", "启用", "y", "yes", "true", "1", "√"}
NO = {"否", "停用", "n", "no", "false", "0", "×"}


@dataclass(frozen=True)
class Column:
    key: str  # the service's field name
    header: str
    width: int
    note: str


COLUMNS = [
    Column(
        "code",
        "编号",
        10,
        "必填。字母、数字、“-”或“_”，如 ZF-001。已有的编号更新该事项，新编号新建",
    ),
    Column("domain", "领域", 10, "必填。综合执法、重点工作或应急处置"),
    Column("name", "事项名称", 24, "必填，不超过 100 字"),
    Column("description", "说明", 40, "可不填：事项的范围和情形"),
    Column("lead_department", "牵头部门", 16, "必填。区直部门的全称、简称（如 城管局）或编码"),
    Column("co_departments", "协办部门", 24, "可不填。多个部门用“、”分隔，不能含牵头部门"),
    Column("response_limit", "响应时限", 12, f"必填。{HINT}"),
    Column("resolution_limit", "办结时限", 12, f"必填。{HINT}"),
    Column("legal_basis", "依据", 40, "可不填：法律法规名称及条款，如《城乡规划法》第六十四条"),
    Column("is_active", "启用", 8, "是 或 否；不填为是"),
]
COLUMN_OF = {c.key: c for c in COLUMNS}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header, e.g. 牵头部门 ("" when the whole row or file is concerned)
    field: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}：{self.message}"


class ImportRejected(Invalid):
    """Some rows are bad; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        rows = len({e.row for e in errors})
        super().__init__(f"导入失败：{rows} 行有误，未导入任何事项", field="file")


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"导入成功：新建 {len(self.created)} 项，更新 {len(self.updated)} 项，"
            f"未变 {len(self.unchanged)} 项"
        )


# --- export and template -----------------------------------------------------------------------


def export_workbook(items) -> bytes:
    """The given matters as a sheet that `import_workbook` reads back unchanged."""
    book, sheet = _book_with_header()
    labels = _department_labels()
    for matter in items:
        sheet.append(_row(matter, labels))
    _add_notes(book)
    return _bytes(book)


def template_workbook() -> bytes:
    """The header, drop-downs and a sheet explaining each column, departments and domains."""
    book, _ = _book_with_header()
    _add_notes(book)
    return _bytes(book)


def _row(matter: Matter, labels: dict[int, str]) -> list[Any]:
    co = sorted(matter.co_departments.all(), key=lambda o: (o.sort_order, o.code))
    return [
        matter.code,
        str(Domain(matter.domain).label),
        matter.name,
        matter.description,
        labels.get(matter.lead_department_id) or matter.lead_department.name,
        "、".join(labels.get(o.pk) or o.name for o in co),
        limit_text(matter.response_limit),
        limit_text(matter.resolution_limit),
        matter.legal_basis,
        "是" if matter.is_active else "否",
    ]


def _department_labels() -> dict[int, str]:
    """A department's short name where it names one department only, else its full name."""
    departments = list(Org.objects.filter(kind=OrgKind.DEPARTMENT))
    counts: dict[str, int] = {}
    for org in departments:
        for label in {org.name, org.short_name} - {""}:
            counts[label] = counts.get(label, 0) + 1
    return {
        org.pk: org.short_name if org.short_name and counts[org.short_name] == 1 else org.name
        for org in departments
    }


def _book_with_header() -> tuple[Workbook, Any]:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([c.header for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width * 1.6
    sheet.freeze_panes = "A2"
    _drop_down(sheet, "domain", ",".join(str(label) for label in Domain.labels))
    _drop_down(sheet, "is_active", "是,否")
    return book, sheet


def _drop_down(sheet, key: str, choices: str) -> None:
    letter = get_column_letter(COLUMNS.index(COLUMN_OF[key]) + 1)
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    validation.error = f"请从下拉列表中选择：{choices}"
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")


def _add_notes(book: Workbook) -> None:
    notes = book.create_sheet(NOTES)
    notes.append(["列", "填写说明"])
    for column in COLUMNS:
        notes.append([column.header, column.note])
    notes.append([])
    notes.append(["领域", "、".join(str(label) for label in Domain.labels)])
    notes.append([])
    notes.append(["区直部门全称", "简称", "编码"])
    for org in Org.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).order_by("sort_order"):
        notes.append([org.name, org.short_name, org.code])
    for cell in (*notes[1], *notes[len(COLUMNS) + 4]):
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 36
    notes.column_dimensions["B"].width = 90


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- import ------------------------------------------------------------------------------------


def import_workbook(actor: User | None, source: bytes | BinaryIO) -> ImportResult:
    """All or nothing: every bad row is reported (ImportRejected) and then nothing is saved."""
    matters.require_admin(actor)
    rows = _read_rows(_read_upload(source))
    reader = _RowReader()
    parsed = [(number, reader.read(number, values)) for number, values in rows]
    errors = reader.errors
    with transaction.atomic():
        result = _apply(actor, [(n, fields) for n, fields in parsed if fields], errors)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return result


def _apply(actor, rows: list[tuple[int, dict]], errors: list[RowError]) -> ImportResult:
    result = ImportResult()
    codes = [fields["code"] for _, fields in rows]
    existing = {m.code: m for m in Matter.objects.filter(code__in=codes)}
    for number, fields in rows:
        matter = existing.get(fields["code"])
        try:
            if matter is None:
                matters.create_matter(actor, **fields)
                result.created.append(fields["code"])
                continue
            changed = matters.apply_update(actor, matter, reason="Excel 导入", **fields)
            (result.updated if changed else result.unchanged).append(fields["code"])
        except BusinessError as exc:
            errors.append(_error(number, exc.field or "", exc.message))
    return result


def _error(row: int, key: str, message: str) -> RowError:
    column = COLUMN_OF.get(key)
    return RowError(row, column.header if column else "", key, message)


def _read_upload(source: bytes | BinaryIO) -> bytes:
    data = source if isinstance(source, bytes) else source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Invalid("文件太大：不能超过 5 MB", field="file")
    return data


def _read_rows(data: bytes) -> list[tuple[int, tuple]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
            rows = list(_limited_rows(sheet))
        finally:
            book.close()
    except Invalid:
        raise
    except Exception:  # an untrusted file: whatever openpyxl trips over, it is not a workbook
        raise Invalid("文件不是有效的 Excel 工作簿（.xlsx）", field="file") from None
    _check_header(rows[0][1] if rows else ())
    return [(n, values) for n, values in rows[1:] if any(_text(v) for v in values)]


def _limited_rows(sheet):
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS + 1:
            raise Invalid(f"行数太多：一次最多导入 {MAX_ROWS} 行", field="file")
        yield number, values


def _check_header(header: tuple) -> None:
    found = [_text(v) for v in header]
    expected = [c.header for c in COLUMNS]
    if found[: len(expected)] != expected:
        errors = [
            RowError(1, c.header, c.key, f"第一行应为表头，这一列应是“{c.header}”")
            for i, c in enumerate(COLUMNS)
            if (found[i] if i < len(found) else "") != c.header
        ]
        raise ImportRejected(errors)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _RowReader:
    """Turns a sheet row into the service's fields, collecting every problem with its column."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.first_row_of: dict[str, int] = {}
        self.departments = _departments_by_label()

    def read(self, number: int, values: tuple) -> dict | None:
        cells = {c.key: (values[i] if i < len(values) else None) for i, c in enumerate(COLUMNS)}
        fields, before = {}, len(self.errors)
        for key, value in cells.items():
            try:
                if isinstance(value, str) and "\x00" in value:
                    raise Invalid("不能含有空字符（NUL）")
                fields[key] = getattr(self, f"_{key}", _text)(value)
            except BusinessError as exc:
                self.errors.append(_error(number, key, exc.message))
        self._check_duplicate(number, fields.get("code"))
        return fields if len(self.errors) == before else None

    def _check_duplicate(self, number: int, code: str | None) -> None:
        if not code:
            return
        if code in self.first_row_of:
            message = f"编号 {code} 与第 {self.first_row_of[code]} 行重复"
            self.errors.append(_error(number, "code", message))
        else:
            self.first_row_of[code] = number

    def _domain(self, value: Any) -> str:
        text = _text(value)
        for domain in Domain:
            if text in (domain.value, str(domain.label)):
                return domain.value
        raise Invalid("领域应为综合执法、重点工作或应急处置")

    def _lead_department(self, value: Any) -> Org:
        if not _text(value):
            raise Invalid("请填写牵头部门")
        return self._department(_text(value))

    def _co_departments(self, value: Any) -> list[Org]:
        names = [n for n in SEPARATORS.split(_text(value)) if n]
        found, unknown = [], []
        for name in names:
            try:
                found.append(self._department(name))
            except Invalid as exc:
                unknown.append(exc.message)
        if unknown:
            raise Invalid("；".join(unknown))
        return found

    def _department(self, label: str) -> Org:
        candidates = self.departments.get(label, [])
        if not candidates:
            raise Invalid(f"没有名为“{label}”的区直部门（写全称、简称或编码）")
        if len(candidates) > 1:
            raise Invalid(f"“{label}”对应多个部门，请写全称或编码")
        return candidates[0]

    def _response_limit(self, value: Any):
        return parse_limit_text(value, "response_limit")

    def _resolution_limit(self, value: Any):
        return parse_limit_text(value, "resolution_limit")

    def _is_active(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in YES or not text:
            return True
        if text in NO:
            return False
        raise Invalid("启用应填“是”或“否”")


def _departments_by_label() -> dict[str, list[Org]]:
    found: dict[str, list[Org]] = {}
    for org in Org.objects.filter(kind=OrgKind.DEPARTMENT):
        for label in {org.name, org.short_name, org.code} - {""}:
            found.setdefault(label, []).append(org)
    return found
