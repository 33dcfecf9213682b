"""Identity and phone checks over a whole extract, at the speed of a load.

The rules live in `core.idnumbers`. Running them row by row in Python would cap a load at a
few tens of thousands of records a second, so DuckDB first picks, in bulk, the rows that
might have something to say (bad shape, check digit, date, region in the birth year, a birth
date or gender that disagrees with the record's own columns, a malformed phone); only those
rows, usually a few per cent, go through `core.idnumbers` for their findings and messages. A
test holds the two paths equal on every row.
"""

import json
from collections import Counter
from datetime import date

import pyarrow as pa

from huying.core import idnumbers
from huying.datahub.formats import SourceFormat


def norm_id_sql(column: str) -> str:
    return f"upper(regexp_replace({column}, '[\\s-]', '', 'g'))"


def norm_phone_sql(column: str) -> str:
    bare = f"regexp_replace({column}, '[\\s\\-()（）]', '', 'g')"
    return f"regexp_replace({bare}, '^(\\+86|0086)', '')"


def _id_sound_sql(n: str) -> str:
    """True when the normalised number `n` has the right shape, check digit and birth date."""
    # Seventeen flat terms: DuckDB vectorises them; a list lambda here cost 15 s per million.
    total = " + ".join(
        f"(ascii(substr({n}, {i + 1}, 1)) - 48) * {pow(2, 17 - i, 11)}" for i in range(17)
    )
    return (
        f"(regexp_full_match({n}, '\\d{{17}}[\\dX]') "
        f"AND substr('10X98765432', (({total}) % 11)::INTEGER + 1, 1) = substr({n}, 18, 1) "
        f"AND coalesce(TRY_STRPTIME(substr({n}, 7, 8), '%Y%m%d')::DATE "
        f"BETWEEN DATE '1900-01-01' AND DATE '{date.today().isoformat()}', false))"
    )  # fmt: skip


def _phone_sound_sql(p: str) -> str:
    mobile = f"regexp_full_match({p}, '1[3-9]\\d{{9}}')"
    landline = f"regexp_full_match({p}, '0\\d{{2,3}}\\d{{7,8}}')"
    return f"({mobile} OR {landline})"


def _q(name: str) -> str:
    return f'"{name}"'


def annotate(con, fmt: SourceFormat, table: str, out: str) -> Counter:
    """Create the view `out`: `table` plus `_norm_<column>` for each ID and phone column and
    `_findings` (JSON list, NULL when clean). Returns the findings counted by code. A view,
    not a table: the load reads it once, to write the partition. Its rows come in no
    particular order, except without ID and phone columns: then it is a projection of
    `table`, in `table`'s order."""
    if not fmt.id_columns and not fmt.phone_columns:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {out} AS "
            f"SELECT *, NULL::VARCHAR AS _findings FROM {table}"
        )
        return Counter()
    judged = _judge(con, fmt, table)
    suspects = _suspect_rows(con, fmt, table, judged)
    fixes, counts = _python_findings(fmt, suspects)
    con.register(f"{table}_fixes_arrow", fixes)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_fixes AS FROM {table}_fixes_arrow")
    con.unregister(f"{table}_fixes_arrow")
    norms = [
        f"CASE WHEN f._row IS NULL THEN j.{_q('_norm_' + c)} ELSE f.{_q('_norm_' + c)} END "
        f"AS {_q('_norm_' + c)}"
        for c in _normalised_columns(fmt)
    ]
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {out} AS SELECT t.*, {', '.join(norms)}, f._findings "
        f"FROM {table} t JOIN {judged} j USING (_row) LEFT JOIN {table}_fixes f USING (_row)"
    )
    return counts


def _normalised_columns(fmt: SourceFormat) -> list[str]:
    return [c for c, _b, _g in fmt.id_columns] + list(fmt.phone_columns)


def _judge(con, fmt: SourceFormat, table: str) -> str:
    """One pass: each number normalised once (`_norm_<c>`) and judged sound or not
    (`_sound_<c>`), so the checks below read columns instead of recomputing expressions."""
    normalised = [f"{norm_id_sql(_q(c))} AS {_q('_norm_' + c)}" for c, _b, _g in fmt.id_columns] + [
        f"{norm_phone_sql(_q(c))} AS {_q('_norm_' + c)}" for c in fmt.phone_columns
    ]
    name = f"{table}_judged"
    sound = [
        f"{_id_sound_sql(_q('_norm_' + c))} AS {_q('_sound_' + c)}" for c, _b, _g in fmt.id_columns
    ] + [f"{_phone_sound_sql(_q('_norm_' + c))} AS {_q('_sound_' + c)}" for c in fmt.phone_columns]
    # The inner projection is its own operator, so each regexp runs once per row even
    # though the sound checks read the normalised value many times.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT *, {', '.join(sound)} "
        f"FROM (SELECT _row, {', '.join(normalised)} FROM {table})"
    )
    return name


def _suspect_rows(con, fmt: SourceFormat, table: str, judged: str) -> list[dict]:
    conditions = []
    for column, birth, gender in fmt.id_columns:
        conditions.append(_id_suspect_sql(con, judged, column, birth, gender))
    for column in fmt.phone_columns:
        conditions.append(f"(t.{_q(column)} IS NOT NULL AND NOT j.{_q('_sound_' + column)})")
    wanted = {c for c, _b, _g in fmt.id_columns} | set(fmt.phone_columns)
    wanted |= {b for _c, b, _g in fmt.id_columns if b} | {g for _c, _b, g in fmt.id_columns if g}
    select = ", ".join(["t._row", *(f"t.{_q(c)}" for c in sorted(wanted))])
    cursor = con.execute(
        f"SELECT {select} FROM {table} t JOIN {judged} j USING (_row) "
        f"WHERE {' OR '.join(conditions)}"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _id_suspect_sql(con, judged: str, column: str, birth: str, gender: str) -> str:
    n, ok = f"j.{_q('_norm_' + column)}", f"j.{_q('_sound_' + column)}"
    regions = _bad_regions(con, judged, column)
    parts = [
        f"t.{_q(column)} IS NULL",
        f"NOT {ok}",
        f"substr({n}, 1, 10) IN (SELECT code || year FROM {regions})",
    ]
    if birth:
        b = f"t.{_q(birth)}"
        parts.append(f"({b} IS NOT NULL AND substr({n}, 7, 8) <> replace({b}, '-', ''))")
    if gender:
        g = f"t.{_q(gender)}"
        parts.append(
            f"({g} IS NOT NULL AND ((ascii(substr({n}, 17, 1)) - 48) % 2 = 1) "
            f"<> ({g} = '{idnumbers.MALE}'))"
        )
    return "(" + " OR ".join(parts) + ")"


def _bad_regions(con, judged: str, column: str) -> str:
    """The (region code, birth year) pairs of this file that did not exist: asked of the
    region table once per distinct pair, not once per row."""
    n = _q("_norm_" + column)
    pairs = con.execute(
        f"SELECT DISTINCT substr({n}, 1, 6), substr({n}, 7, 4) FROM {judged} "
        f"WHERE {_q('_sound_' + column)}"
    ).fetchall()
    bad = [(c, y) for c, y in pairs if idnumbers.region_finding(c, int(y)) is not None]
    name = f"{judged}_bad_regions_{column}"
    con.register(
        name,
        pa.table({"code": [c for c, _y in bad], "year": [y for _c, y in bad]},
                 schema=pa.schema([("code", pa.string()), ("year", pa.string())])),
    )  # fmt: skip
    return name


def _python_findings(fmt: SourceFormat, rows: list[dict]) -> tuple[pa.Table, Counter]:
    counts: Counter = Counter()
    columns: dict[str, list] = {"_row": [], "_findings": []}
    norm_names = [c for c, _b, _g in fmt.id_columns] + list(fmt.phone_columns)
    for name in norm_names:
        columns[f"_norm_{name}"] = []
    for row in rows:
        norms, findings = row_findings(fmt, row)
        counts.update(f["code"] for f in findings)
        columns["_row"].append(row["_row"])
        columns["_findings"].append(json.dumps(findings, ensure_ascii=False) if findings else None)
        for name in norm_names:
            columns[f"_norm_{name}"].append(norms[name])
    schema = pa.schema(
        [("_row", pa.int64()), ("_findings", pa.string())]
        + [(f"_norm_{n}", pa.string()) for n in norm_names]
    )
    return pa.table(columns, schema=schema), counts


def row_findings(fmt: SourceFormat, row: dict) -> tuple[dict, list[dict]]:
    """The normalised values and the findings of one record, by the rules themselves."""
    norms, findings = {}, []
    for column, birth, gender in fmt.id_columns:
        born = date.fromisoformat(row[birth]) if birth and row.get(birth) else None
        check = idnumbers.check_id_number(
            row.get(column), birth_date=born, gender=row.get(gender) if gender else None
        )
        norms[column] = check.number or None
        findings += [_finding(column, f) for f in check.findings]
    for column in fmt.phone_columns:
        phone, finding = idnumbers.check_phone(row.get(column))
        norms[column] = phone or None
        if finding:
            findings.append(_finding(column, finding))
    return norms, findings


def _finding(column: str, finding: idnumbers.Finding) -> dict:
    return {
        "field": column,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
    }
