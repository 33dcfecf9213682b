"""Read one source file into DuckDB as text, and find what makes it malformed.

A malformed file is refused with the file, row and column of its first problems, in words a
departmental data clerk can act on. Rows are numbered as in a spreadsheet: the header is row 1.
"""

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from huying.datahub import formats, store
from huying.datahub.formats import SourceFormat

MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "整个文件"
        column = f"，列 {self.column}" if self.column else ""
        return f"{self.file} {where}{column}：{self.message}"


def key_sql(fmt: SourceFormat) -> str:
    """What identifies a record within its source, as one text value."""
    return "concat_ws('|', " + ", ".join(_q(k) for k in fmt.key) + ")"


def digest_sql(fmt: SourceFormat) -> str:
    """A digest of the record's whole content: a re-loaded record is compared by this alone."""
    return (
        "md5(concat_ws(chr(31), "
        + ", ".join(f"coalesce({_q(n)}, chr(0))" for n in fmt.names)
        + "))"
    )


def read_file(
    con: duckdb.DuckDBPyConnection, fmt: SourceFormat, path: Path, table: str
) -> list[Problem]:
    """Create `table` (every format column as text, NULL for empty, plus `_row`, the
    record's key `_key` and its content digest `_hash`, computed here in the one pass over
    the file); return the problems (empty when the file is well-formed)."""
    if path.suffix == ".parquet":
        header, problems = _parquet_header(con, path)
        scan = f"read_parquet({store.literal(path)})"
    else:
        header, problems = _csv_header(path)
        scan = _csv_scan(path, header, table)
    if problems:
        return problems
    problems = _header_problems(fmt, path.name, header)
    if problems:
        return problems
    try:
        _create(con, fmt, table, scan)
    except duckdb.Error as exc:
        if path.suffix == ".parquet":
            return [Problem(path.name, None, "", f"文件无法读取：{str(exc).splitlines()[0]}")]
        # DuckDB's strict parser gives up on some files Python's csv reads (mixed line
        # endings): read those the slow way, which also finds rows with the wrong field count.
        rows, problems = _csv_slow(path, header)
        if problems:
            return problems
        con.register(f"{table}_slow", rows)
        _create(con, fmt, table, f"{table}_slow")
        con.unregister(f"{table}_slow")
        return value_problems(con, fmt, path.name, table)
    if path.suffix != ".parquet":
        problems = _rejects(con, path.name, table)
        if problems:
            return problems
    return value_problems(con, fmt, path.name, table)


def _create(con, fmt: SourceFormat, table: str, scan: str) -> None:
    """The text of every record, its key and its digest in a table, and `table` a view that
    numbers the rows. Numbered by their place in the table (rowid), not by a window over the
    scan: a window reads the file on one thread. A table created in one statement keeps the
    file's order (preserve_insertion_order), so the first record has rowid 0 and row 2."""
    columns = ", ".join(f"NULLIF(trim(CAST({_q(n)} AS VARCHAR)), '') AS {_q(n)}" for n in fmt.names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table}_text AS "
        f"SELECT *, {key_sql(fmt)} AS _key, {digest_sql(fmt)} AS _hash "
        f"FROM (SELECT {columns} FROM {scan})"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT rowid + 2 AS _row, * FROM {table}_text"
    )


def _csv_slow(path: Path, header: list[str]) -> tuple[pa.Table | None, list[Problem]]:
    values: list[list[str]] = [[] for _ in header]
    problems = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            if len(row) != len(header):
                fewer = len(row) < len(header)
                problems.append(
                    Problem(path.name, reader.line_num, "", _REJECT_MESSAGES[
                        "MISSING COLUMNS" if fewer else "TOO MANY COLUMNS"]),
                )  # fmt: skip
                if len(problems) >= MAX_PROBLEMS:
                    break
                continue
            for column, value in zip(values, row, strict=True):
                column.append(value)
    if problems:
        return None, problems
    return pa.table(dict(zip(header, values, strict=True))), []


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_header(path: Path) -> tuple[list[str], list[Problem]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(fh), [])
    except UnicodeDecodeError:
        return [], [
            Problem(
                path.name, 1, "", "文件不是 UTF-8 编码（可能是 GBK）：请在 Excel 中另存为 CSV UTF-8"
            )
        ]
    if not first:
        return [], [Problem(path.name, 1, "", "文件是空的：第一行应是列名")]
    return [h.strip() for h in first], []


def _csv_scan(path: Path, header: list[str], table: str) -> str:
    # Explicit dialect and columns: sniffing a malformed file guesses wrong and hides the
    # problem; the rejects table then names each bad line instead of failing on the first.
    # 32 MB buffers: with the default, some files of Chinese text cost four times the CPU on
    # two threads (measured: docs/performance.md, "Data hub loads").
    columns = "{" + ", ".join(f"{store.literal(h)}: 'VARCHAR'" for h in header) + "}"
    return (
        f"read_csv({store.literal(path)}, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"columns = {columns}, auto_detect = false, store_rejects = true, "
        f"rejects_table = '{table}_rejects', rejects_scan = '{table}_scan', "
        f"buffer_size = {_CSV_BUFFER})"
    )


_CSV_BUFFER = 32 << 20


def _parquet_header(con, path: Path) -> tuple[list[str], list[Problem]]:
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({store.literal(path)})").fetchall()
    except duckdb.Error:
        return [], [Problem(path.name, None, "", "不是有效的 Parquet 文件")]
    return [r[0] for r in rows], []


def _header_problems(fmt: SourceFormat, filename: str, header: list[str]) -> list[Problem]:
    problems = []
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(filename, 1, name, "列名重复"))
        seen.add(name)
    for name in fmt.names:
        if name not in seen:
            problems.append(Problem(filename, 1, name, "缺少这一列（见 docs/load-format.md）"))
    return problems[:MAX_PROBLEMS]


_REJECT_MESSAGES = {
    "MISSING COLUMNS": "这一行的列数少于表头",
    "TOO MANY COLUMNS": "这一行的列数多于表头（可能有未加引号的逗号）",
    "INVALID ENCODING": "这一行不是 UTF-8 编码",
    "UNQUOTED VALUE": "引号不配对",
    "LINE SIZE OVER MAXIMUM": "这一行太长（可能缺了结尾的引号）",
}


def _rejects(con, filename: str, table: str) -> list[Problem]:
    rows = con.execute(
        f"SELECT line, column_name, error_type FROM {table}_rejects "
        f"ORDER BY line LIMIT {MAX_PROBLEMS}"
    ).fetchall()
    return [
        Problem(filename, line, column or "", _REJECT_MESSAGES.get(kind, f"格式错误（{kind}）"))
        for line, column, kind in rows
    ]


# --- values -------------------------------------------------------------------------------

# For each kind: the SQL that is true when a present value is NOT acceptable, and what to say.
_BAD_VALUE = {
    formats.INTEGER: (
        "coalesce(TRY_CAST({v} AS BIGINT) < 0, true)",
        "应为不小于 0 的整数",
    ),
    formats.DECIMAL: ("TRY_CAST({v} AS DOUBLE) IS NULL", "应为数字"),
    formats.LATITUDE: (
        "coalesce(NOT TRY_CAST({v} AS DOUBLE) BETWEEN -90 AND 90, true)",
        "应为纬度（-90 到 90 的小数）",
    ),
    formats.LONGITUDE: (
        "coalesce(NOT TRY_CAST({v} AS DOUBLE) BETWEEN -180 AND 180, true)",
        "应为经度（-180 到 180 的小数）",
    ),
    formats.DATE: ("TRY_STRPTIME({v}, '%Y-%m-%d') IS NULL", "应为日期，如 2026-11-24"),
    formats.DATETIME: (
        "TRY_CAST({v} AS TIMESTAMPTZ) IS NULL",
        "应为时间，如 2026-11-24T08:30:00+08:00（或日期 2026-11-24）",
    ),
}


def value_problems(con, fmt: SourceFormat, filename: str, table: str) -> list[Problem]:
    checks = []
    for column in fmt.columns:
        v = _q(column.name)
        if column.required:
            checks.append((f"{v} IS NULL", column.name, "不能为空"))
        if column.kind in _BAD_VALUE:
            sql, message = _BAD_VALUE[column.kind]
            checks.append((f"{v} IS NOT NULL AND {sql.format(v=v)}", column.name, message))
        if column.choices:
            allowed = ", ".join(f"'{c}'" for c in column.choices)
            checks.append(
                (f"{v} IS NOT NULL AND {v} NOT IN ({allowed})", column.name,
                 "只能是 " + "、".join(column.choices))
            )  # fmt: skip
    # One scan says which checks fail (usually none) and whether a key repeats; only the
    # failing checks look for their rows.
    counts = [f"count(*) FILTER (WHERE {c})" for c, _n, _m in checks]
    *failing, repeats = con.execute(
        f"SELECT {', '.join([*counts, _REPEATS])} FROM {table}"
    ).fetchone()
    problems: list[Problem] = []
    for (condition, name, message), failed in zip(checks, failing, strict=True):
        if not failed:
            continue
        rows = con.execute(
            f"SELECT _row FROM {table} WHERE {condition} ORDER BY _row LIMIT {MAX_PROBLEMS}"
        ).fetchall()
        problems += [Problem(filename, row, name, message) for (row,) in rows]
    problems.sort(key=lambda p: (p.row or 0, fmt.names.index(p.column)))
    duplicates = _duplicate_keys(con, fmt, filename, table) if repeats else []
    return (problems + duplicates)[:MAX_PROBLEMS]


def _duplicate_keys(con, fmt: SourceFormat, filename: str, table: str) -> list[Problem]:
    """The same key twice with different content: which is right? (Exact repeats collapse.)"""
    key = ", ".join(_q(k) for k in fmt.key)
    everything = ", ".join(_q(n) for n in fmt.names)
    rows = con.execute(
        f"SELECT min(_row), max(_row) FROM "
        f"(SELECT {key}, min(_row) AS _row FROM {table} GROUP BY {everything}) "
        f"GROUP BY {key} HAVING count(*) > 1 ORDER BY 1 LIMIT {MAX_PROBLEMS}"
    ).fetchall()
    label = "、".join(fmt.key)
    return [
        Problem(filename, second, fmt.key[0], f"{label} 与第 {first} 行相同但内容不同")
        for first, second in rows
    ]


# How many rows repeat the key of an earlier row: almost always none, and then neither the
# duplicate check nor the collapsing of exact repeats has anything to do.
_REPEATS = "count(*) - count(DISTINCT _key)"


def repeated_keys(con, table: str) -> int:
    return con.execute(f"SELECT {_REPEATS} FROM {table}").fetchone()[0]
