"""Every loaded person record of the person sources (the three departments' and the
inspectors' `inspection`), in one shape, for linkage and the registry: `person_records(con)`
creates the DuckDB view `person_records`.

Columns: unique_id (`<source>:<key>`), source, source_key, load_id, name, name_pinyin,
surname, id_number (normalised), id_valid (no error found in it), birth_date and gender (the
record's own, else read from a sound ID number), phone, dwelling_code, address, as_of (when
the source last said so), valid_until, status.
"""

from functools import lru_cache

import pyarrow as pa
from pypinyin import Style, lazy_pinyin

from huying.datahub import store
from huying.datahub.choices import Source

# Per source: the SQL for each unified column over that source's current records.
_SHAPES = {
    Source.PUBLIC_SECURITY_PERSONS: {
        "name": "name",
        "birth_date": "birth_date",
        "gender": "gender",
        "dwelling_code": "NULL::VARCHAR",
        "address": "current_address",
        "as_of": "updated_at",
        "valid_until": "NULL::TIMESTAMPTZ",
        "status": "NULL::VARCHAR",
    },
    Source.MIGRANT_REGISTRATIONS: {
        "name": "name",
        "birth_date": "birth_date",
        "gender": "gender",
        "dwelling_code": "dwelling_code",
        "address": "address",
        "as_of": "registered_at",
        "valid_until": "expires_at",
        "status": "status",
    },
    Source.DOOR_ACCESS_CARDS: {
        "name": "holder_name",
        "birth_date": "NULL::DATE",
        "gender": "NULL::VARCHAR",
        "dwelling_code": "dwelling_code",
        "address": "NULL::VARCHAR",
        "as_of": "issued_at",
        "valid_until": "expires_at",
        "status": "NULL::VARCHAR",
    },
    # What an inspector confirmed or corrected on the spot (patrol/corrections.py). An occupant
    # found gone (moved_out) still says who they are, but no longer where they live.
    Source.INSPECTION: {
        "name": "name",
        "birth_date": "NULL::DATE",
        "gender": "NULL::VARCHAR",
        "dwelling_code": "CASE WHEN outcome <> 'moved_out' THEN dwelling_code END",
        "address": "NULL::VARCHAR",
        "as_of": "visited_at",
        "valid_until": "NULL::TIMESTAMPTZ",
        "status": "outcome",
    },
}

_ID_ERROR = (
    "coalesce(list_contains(list_transform("
    'from_json(_findings, \'[{"field": "VARCHAR", "severity": "VARCHAR"}]\'), '
    "lambda f: f.field = 'id_number' AND f.severity = 'error'), true), false)"
)


def _source_select(source: Source, view: str) -> str:
    shape = _SHAPES[source]
    sound = f"(_norm_id_number IS NOT NULL AND NOT {_ID_ERROR})"
    return (
        f"SELECT '{source.value}:' || _key AS unique_id, '{source.value}' AS source, "
        f"_key AS source_key, _load_id AS load_id, {shape['name']} AS name, "
        f"_norm_id_number AS id_number, {sound} AS id_valid, "
        f"coalesce({shape['birth_date']}, CASE WHEN {sound} THEN "
        f"strptime(substr(_norm_id_number, 7, 8), '%Y%m%d')::DATE END) AS birth_date, "
        f"coalesce({shape['gender']}, CASE WHEN {sound} THEN "
        f"CASE WHEN (ascii(substr(_norm_id_number, 17, 1)) - 48) % 2 = 1 THEN '男' ELSE '女' END "
        f"END) AS gender, "
        f"_norm_phone AS phone, {shape['dwelling_code']} AS dwelling_code, "
        f"{shape['address']} AS address, {shape['as_of']}::TIMESTAMPTZ AS as_of, "
        f"{shape['valid_until']}::TIMESTAMPTZ AS valid_until, {shape['status']} AS status "
        f"FROM {view}"
    )


def person_records(con) -> int:
    """Create the view `person_records` over the current records; return how many."""
    parts = []
    for source in _SHAPES:
        view = f"current_{source.value}"
        if store.current_relation(con, source.value, view):
            parts.append(_source_select(source, view))
    if not parts:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE person_records AS SELECT NULL::VARCHAR AS unique_id "
            "WHERE false"
        )
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE person_base AS " + " UNION ALL ".join(parts))
    _add_pinyin(con)
    return con.execute("SELECT count(*) FROM person_records").fetchone()[0]


def _add_pinyin(con) -> None:
    names = [n for (n,) in con.execute("SELECT DISTINCT name FROM person_base").fetchall() if n]
    con.register(
        "name_pinyin_arrow",
        pa.table(
            {
                "name": names,
                "name_pinyin": [name_pinyin(n) for n in names],
                "surname": [n[0] for n in names],
            }
        ),
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE person_records AS "
        "SELECT b.*, p.name_pinyin, p.surname FROM person_base b "
        "LEFT JOIN name_pinyin_arrow p USING (name) ORDER BY b.unique_id"
    )
    con.unregister("name_pinyin_arrow")


def name_pinyin(name: str) -> str:
    """李丽 → "lili": homophones (李莉, 李立) compare equal; tones are dropped on purpose."""
    return "".join(_char_pinyin(ch) for ch in name if not ch.isspace())


@lru_cache(maxsize=20000)
def _char_pinyin(ch: str) -> str:
    # Character by character, cached: a million names use a few thousand characters.
    return "".join(lazy_pinyin(ch, style=Style.NORMAL)).lower()
