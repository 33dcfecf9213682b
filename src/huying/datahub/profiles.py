"""数据源概况: what one source holds, read from its Parquet partitions with DuckDB.

The records never enter the transactional database (store.py), so these selectors answer
from the committed partitions alone: the database only says which partitions count (the
manifest). Nothing is cached: a load changes the list of partitions, and every answer is
worked out from that list as it is now.

- `profile(fmt).counts`: current records, every version ever written, the loads that wrote
  rows (each with its new and changed rows), and the findings the current records carry.
- `profile(fmt).columns`: per column of the source's format, non-null and approximate
  distinct counts, min/max of dates and numbers and the five commonest values. Columns the
  catalogue grades sensitive or higher (ID numbers, phones, names, addresses, birth dates,
  swipe times: catalogue_hub.py) show counts only, never a value.
- search: profiles_search.py.
"""

from dataclasses import dataclass, field

from django.http import Http404

from huying.core import audit
from huying.core.idnumbers import LABELS
from huying.datahub import catalogue_hub, formats, privacy, store
from huying.datahub.choices import Sensitivity, Source
from huying.orgs.choices import DISTRICT_WIDE_ROLES

# Source records carry no area of their own (only linkage places a person in a village), so
# a user whose view is one town or village would see the whole district here: the pages and
# the API are for the hub roles that see the whole district anyway.
SOURCE_ROLES = frozenset(privacy.HUB_ROLES & DISTRICT_WIDE_ROLES)
TOP = 5
_RANGED = {formats.DATE, formats.DATETIME, formats.INTEGER, formats.DECIMAL}
_RANGED |= {formats.LATITUDE, formats.LONGITUDE}
_COUNTED = {formats.TEXT, formats.INTEGER}  # kinds whose commonest values mean something


@dataclass
class LoadRows:
    load_id: int
    loaded_at: str
    rows: int
    new: int  # records this load brought for the first time
    changed: int  # records it brought a new version of


@dataclass
class FindingCount:
    field: str
    field_label: str
    code: str
    label: str
    count: int


@dataclass
class Counts:
    current: int = 0  # records at their latest version
    ever: int = 0  # every version ever written (all partition rows)
    loads: int = 0  # loads that wrote rows for this source
    with_findings: int = 0  # current records with at least one finding
    per_load: list[LoadRows] = field(default_factory=list)
    findings: list[FindingCount] = field(default_factory=list)


@dataclass
class ColumnProfile:
    name: str
    label: str
    kind: str
    sensitive: bool  # values withheld: counts only
    non_null: int = 0
    null_share: float = 0.0
    distinct: int = 0  # approximate (HyperLogLog)
    min: str | None = None
    max: str | None = None
    top: list[tuple[str, int]] = field(default_factory=list)

    @property
    def null_percent(self) -> float:
        return round(self.null_share * 100, 1)


@dataclass
class Profile:
    source: str
    label: str
    counts: Counts
    columns: list[ColumnProfile]


def may_view(user) -> bool:
    return user.role in SOURCE_ROLES


def source_for(user, source: str) -> formats.SourceFormat:
    """The source's format; 404 for a source the hub does not know or a role without access
    (the denial audited, as scoping does)."""
    if not may_view(user):
        audit.record(
            "core.permission_denied", actor=user, object_repr=f"/datahub/sources/{source}"[:200],
            reason="角色无权访问",
        )  # fmt: skip
        raise Http404("未找到，或不在您的可见范围内")
    if source not in formats.FORMATS:
        raise Http404("未找到，或不在您的可见范围内")
    return formats.FORMATS[source]


def sensitive_columns(fmt: formats.SourceFormat) -> set[str]:
    graded = {
        name
        for name, _label, _meaning, grade in catalogue_hub.fields_of(fmt.source)
        if grade >= Sensitivity.SENSITIVE
    }
    # ID numbers and phones whatever the catalogue says: they are masked on every path.
    return graded | {c for c, _b, _g in fmt.id_columns} | set(fmt.phone_columns)


def labels(fmt: formats.SourceFormat) -> dict[str, str]:
    return {name: label for name, label, _m, _g in catalogue_hub.fields_of(fmt.source)}


def profile(fmt: formats.SourceFormat) -> Profile:
    source = fmt.source.value
    con = connect()
    try:
        if not store.current_relation(con, source, "cur_view"):
            return Profile(source, str(Source(source).label), Counts(), _empty_columns(fmt))
        con.execute("CREATE TEMP TABLE cur AS SELECT * FROM cur_view")
        counts = _counts(con, fmt)
        columns = _columns(con, fmt, counts.current)
    finally:
        con.close()
    return Profile(source, str(Source(source).label), counts, columns)


def connect():
    con = store.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")  # times read as the pages show them
    return con


def all_versions_sql(source: str) -> str:
    files = ", ".join(store.literal(p) for p in store.committed_partitions(source))
    return f"read_parquet([{files}], union_by_name = true)"


def _counts(con, fmt: formats.SourceFormat) -> Counts:
    source, out = fmt.source.value, Counts()
    out.current, out.with_findings = con.execute(
        "SELECT count(*), count(_findings) FROM cur"
    ).fetchone()
    # A record's first version is the load that brought it; each later one changed it.
    per_load = (
        "SELECT _load_id, strftime(any_value(_loaded_at), '%Y-%m-%d %H:%M'), count(*), "  # noqa: S608
        "count(*) FILTER (first) FROM (SELECT _load_id, _loaded_at, "
        "row_number() OVER (PARTITION BY _key ORDER BY _load_id) = 1 AS first "
        f"FROM {all_versions_sql(source)}) GROUP BY _load_id ORDER BY _load_id DESC"
    )
    rows = con.execute(per_load).fetchall()
    out.per_load = [LoadRows(i, at, n, new, n - new) for i, at, n, new in rows]
    out.ever = sum(r.rows for r in out.per_load)
    out.loads = len(out.per_load)
    names = labels(fmt)
    out.findings = [
        FindingCount(f, names.get(f, f), code, LABELS.get(code, code), n)
        for f, code, n in con.execute(
            "SELECT f, code, count(*) AS n FROM (SELECT "
            "unnest(json_extract_string(_findings, '$[*].field')) AS f, "
            "unnest(json_extract_string(_findings, '$[*].code')) AS code "
            "FROM cur WHERE _findings IS NOT NULL) GROUP BY f, code ORDER BY n DESC, f, code"
        ).fetchall()
    ]
    return out


def _empty_columns(fmt: formats.SourceFormat) -> list[ColumnProfile]:
    sensitive, names = sensitive_columns(fmt), labels(fmt)
    return [ColumnProfile(c.name, names[c.name], c.kind, c.name in sensitive) for c in fmt.columns]


def _columns(con, fmt: formats.SourceFormat, current: int) -> list[ColumnProfile]:
    """One scan for the counts and ranges of every column, then one grouping per column whose
    commonest values may be shown."""
    columns = _empty_columns(fmt)
    selects = []
    for col in columns:
        q = f'"{col.name}"'
        selects += [f"count({q})", f"approx_count_distinct({q})"]
        if col.kind in _RANGED and not col.sensitive:
            selects += [shown(f"min({q})", col.kind), shown(f"max({q})", col.kind)]
    stats = iter(con.execute(f"SELECT {', '.join(selects)} FROM cur").fetchone())  # noqa: S608
    for col in columns:
        col.non_null = next(stats)
        col.distinct = min(next(stats), col.non_null)  # the estimate may overshoot a little
        col.null_share = 1 - col.non_null / current if current else 0.0
        if col.kind in _RANGED and not col.sensitive:
            col.min, col.max = next(stats), next(stats)
        if _counts_values(fmt, col):
            top = con.execute(
                f'SELECT "{col.name}"::VARCHAR, count(*) AS n FROM cur '  # noqa: S608
                f'WHERE "{col.name}" IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT {TOP}'
            ).fetchall()
            # Values that each occur once (addresses, card numbers) are rows, not a pattern.
            col.top = top if top and top[0][1] > 1 else []
    return columns


def _counts_values(fmt: formats.SourceFormat, col: ColumnProfile) -> bool:
    # A record's own key occurs once per record: its "commonest values" say nothing.
    return col.kind in _COUNTED and not col.sensitive and fmt.key != (col.name,)


def shown(expr: str, kind: str) -> str:
    if kind == formats.DATETIME:
        return f"strftime({expr}, '%Y-%m-%d %H:%M')"
    return f"{expr}::VARCHAR"
