"""The bulk path (DuckDB picks the rows worth a look) finds exactly what the rules in
core.idnumbers find row by row: every row, every kind of error."""

import json
import random
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from huying.core.idnumbers import check_digit
from huying.datahub import validation
from huying.datahub.formats import FORMATS

FMT = FORMATS["migrant_registrations"]
REGIONS = ["440111", "110105", "430102", "110103", "999999", "440106"]


def _number(rng: random.Random) -> tuple[str, date, str]:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365))
    seq = rng.randrange(1000)
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17), born, "男" if seq % 2 else "女"


def _spoil(rng: random.Random, number: str) -> str:
    kind = rng.randrange(9)
    i = rng.randrange(17)
    if kind == 0:
        return number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
    if kind == 1:
        return number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    if kind == 2:
        return number[:6] + number[8:17]  # the 15-digit form
    if kind == 3:
        return number.lower() if number.endswith("X") else f" {number[:9]} {number[9:]}"
    if kind == 4:
        return number[:16]
    if kind == 5:
        return number[:10] + "13" + number[12:]  # month 13
    if kind == 6:
        return "１" + number[1:]  # a full-width digit
    return number


def _rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    rows = []
    for i in range(n):
        number, born, gender = _number(rng)
        if rng.random() < 0.5:
            number = _spoil(rng, number)
        if rng.random() < 0.1:
            born += timedelta(days=1)
        if rng.random() < 0.1:
            gender = "女" if gender == "男" else "男"
        phone = rng.choice(["13800138000", "1380013800", "020-86001234", "+8613912345678", None])
        rows.append(
            {
                "_row": i + 2,
                "id_number": None if rng.random() < 0.05 else number,
                "birth_date": None if rng.random() < 0.2 else born.isoformat(),
                "gender": None if rng.random() < 0.2 else gender,
                "phone": phone,
            }
        )
    return rows


def test_bulk_findings_equal_row_by_row_findings():
    rows = _rows(3000, seed=7)
    con = duckdb.connect()
    columns = {name: [r.get(name) for r in rows] for name in ["_row", *FMT.names]}
    con.register("arrow_rows", pa.table(columns))
    con.execute("CREATE TEMP TABLE raw AS SELECT * FROM arrow_rows")
    validation.annotate(con, FMT, "raw", "checked")
    got = {
        row: (norm_id, norm_phone, json.loads(found) if found else [])
        for row, norm_id, norm_phone, found in con.execute(
            "SELECT _row, _norm_id_number, _norm_phone, _findings FROM checked"
        ).fetchall()
    }
    flagged = 0
    for r in rows:
        norms, findings = validation.row_findings(FMT, r)
        assert got[r["_row"]] == (norms["id_number"], norms["phone"], findings), r
        flagged += bool(findings)
    assert 0.3 * len(rows) < flagged < 0.95 * len(rows)  # the set really mixes good and bad
