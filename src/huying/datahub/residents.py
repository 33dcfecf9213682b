# ruff: noqa: S608  (SQL built from our own table and column names; values are bound or ours)
"""A resident's best value of each field, and where it came from.

The rules, per field:
- ID number: a sound number first; among sound numbers the one most of the resident's records
  carry, then the more trusted source, then the most recent. A resident with no sound number
  keeps the most common unsound one (flagged `id_number_valid = False`): it is still what the
  sources say, and the discrepancy list wants it;
- name (with its pinyin), gender, birth date: public security over migrant registration over
  door cards, then the most recent record;
- phone, current address, dwelling code: the most recent record that has one (the resident's
  dwelling itself is placed from today's occupancy by dwellings.py); household address
  from public security, employer from migrant registration (the sources that carry them).

`provenance` holds, per field, the record the value came from: source, load, source key and
the date the source said so (`as_of`).

`best_values(con)` works on DuckDB tables of the run's connection: `person_records`
(persons.py) and `link_members(unique_id, resident_id)`; it creates `resident_best`, one row
per resident.
"""

from huying.datahub.choices import Source

# How much each source is trusted for who a person is (name, gender, birth date).
TRUST = {
    Source.PUBLIC_SECURITY_PERSONS.value: 3,
    Source.MIGRANT_REGISTRATIONS.value: 2,
    Source.DOOR_ACCESS_CARDS.value: 1,
    # An inspector read the ID card in person: as trusted as public security, and the newer
    # of the two (the tie goes to the most recent) wins.
    Source.INSPECTION.value: 3,
}

# Resident field -> (the record's column, the ordering: the record with the largest key
# wins). Keys are integers packed from their parts, most significant first (a struct would
# order the same but costs several times more at a million residents): `trust` (0–3), `e` the
# seconds of `as_of` shifted positive (as_of missing counts as 1900), `rn` the record's rank
# by unique_id (a deterministic last resort), `votes` how many of the resident's records
# carry the same ID number, `valid` whether the number is sound.
_BY_TRUST = "(r.trust * _P34 + r.e) * _P40 + r.rn"
_RECENT = "(r.e * 4 + r.trust) * _P40 + r.rn"
_ID = "((((r.valid * 10000 + r.votes) * 4 + r.trust) * _P34 + r.e) * _P40) + r.rn"
FIELDS = {
    "name": ("name", _BY_TRUST),
    "id_number": ("id_number", _ID),
    "gender": ("gender", _BY_TRUST),
    "birth_date": ("birth_date", _BY_TRUST),
    "phone": ("phone", _RECENT),
    "current_address": ("address", _RECENT),
    "dwelling_code": ("dwelling_code", _RECENT),
    "hukou_address": ("hukou_address", _RECENT),
    "employer": ("employer", _RECENT),
}
_POWERS = {"_P34": "(1::HUGEINT << 34)", "_P40": "(1::HUGEINT << 40)"}


def _extra_columns(con) -> tuple[str, str]:
    """Joins for the columns only one source carries (the views persons.py created)."""
    views = {
        row[0]
        for row in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'current_%'"
        ).fetchall()
    }
    ps, mr = Source.PUBLIC_SECURITY_PERSONS.value, Source.MIGRANT_REGISTRATIONS.value
    hukou = (
        f"(SELECT '{ps}:' || _key AS unique_id, hukou_address FROM current_{ps})"
        if f"current_{ps}" in views
        else "(SELECT NULL::VARCHAR AS unique_id, NULL::VARCHAR AS hukou_address)"
    )
    employer = (
        f"(SELECT '{mr}:' || _key AS unique_id, employer FROM current_{mr})"
        if f"current_{mr}" in views
        else "(SELECT NULL::VARCHAR AS unique_id, NULL::VARCHAR AS employer)"
    )
    return hukou, employer


def best_values(con) -> int:
    """Create `resident_best`; return its row count."""
    hukou, employer = _extra_columns(con)
    trust = " ".join(f"WHEN '{source}' THEN {rank}" for source, rank in TRUST.items())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE resident_records AS "
        "SELECT m.resident_id, p.source, p.source_key, p.load_id, p.as_of, p.name, "
        "p.name_pinyin, p.id_number, p.id_valid, p.gender, p.birth_date, p.phone, p.address, "
        f"p.dwelling_code, CASE p.source {trust} ELSE 0 END AS trust, "
        "nullif(trim(h.hukou_address), '') AS hukou_address, "
        "nullif(trim(e.employer), '') AS employer, "
        "coalesce(epoch(p.as_of)::BIGINT, -2208988800) + 4294967296 AS e, "
        "row_number() OVER (ORDER BY p.unique_id) AS rn, p.id_valid::INTEGER AS valid, "
        "least(count(p.id_number) OVER (PARTITION BY m.resident_id, p.id_number), 9999) "
        "AS votes "
        "FROM link_members m JOIN person_records p USING (unique_id) "
        f"LEFT JOIN {hukou} h USING (unique_id) LEFT JOIN {employer} e USING (unique_id)"
    )
    picks = []
    for name, (column, key) in FIELDS.items():
        for power, value in _POWERS.items():
            key = key.replace(power, value)
        picks.append(
            f"arg_max(r.rn, {key}) FILTER (WHERE r.{column} IS NOT NULL "
            f"AND r.{column}::VARCHAR <> '') AS {name}"
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE resident_picks AS "
        f"SELECT r.resident_id, count(*) AS record_count, {', '.join(picks)} "
        "FROM resident_records r GROUP BY r.resident_id"
    )
    # The winners' values and provenance: the picks unpivoted to (resident, field, record),
    # joined to their records once, each row keeping only its field's value (a join per
    # field would hold nine hash tables of 2.5 M records at once, and whole records per
    # winner eight times too many columns).
    value = " ".join(
        f"WHEN '{name}' THEN r.{column}::VARCHAR" for name, (column, _k) in FIELDS.items()
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE resident_winners AS "
        f"SELECT w.resident_id, w.field, CASE w.field {value} END AS value, "
        "CASE w.field WHEN 'name' THEN r.name_pinyin END AS pinyin, "
        "CASE w.field WHEN 'id_number' THEN r.id_valid END AS sound, "
        "json_object('source', r.source, 'load', r.load_id, 'key', r.source_key, "
        "'as_of', r.as_of::DATE::VARCHAR) AS origin FROM ("
        f"UNPIVOT resident_picks ON {', '.join(FIELDS)} INTO NAME field VALUE rn) w "
        "JOIN resident_records r USING (rn)"
    )
    con.execute("DROP TABLE resident_records")

    def pick(field: str) -> str:
        return f"max(value) FILTER (WHERE field = '{field}')"

    con.execute(
        "CREATE OR REPLACE TEMP TABLE resident_best AS SELECT k.resident_id, k.record_count, "
        "coalesce(v.name, '') AS name, coalesce(v.name_pinyin, '') AS name_pinyin, "
        "coalesce(v.id_number, '') AS id_number, "
        "coalesce(v.id_number_valid, false) AS id_number_valid, "
        "coalesce(v.gender, '') AS gender, v.birth_date::DATE AS birth_date, "
        "coalesce(v.phone, '') AS phone, coalesce(v.hukou_address, '') AS hukou_address, "
        "coalesce(v.current_address, '') AS current_address, "
        "coalesce(v.employer, '') AS employer, v.dwelling_code, "
        "coalesce(v.provenance, '{}') AS provenance "
        "FROM resident_picks k LEFT JOIN (SELECT resident_id, "
        + ", ".join(f"{pick(name)} AS {name}" for name in FIELDS)
        + ", max(pinyin) AS name_pinyin, bool_or(sound) AS id_number_valid, "
        "json_group_object(field, origin)::VARCHAR AS provenance "
        "FROM resident_winners GROUP BY resident_id) v USING (resident_id)"
    )
    con.execute("DROP TABLE resident_winners")
    return con.execute("SELECT count(*) FROM resident_best").fetchall()[0][0]
