# ruff: noqa: S608  (SQL built from model table names and our own constants; values are bound)
"""Tables between DuckDB and the transactional database, in bulk, for the registry's refresh
and the discrepancy detectors (they join millions of source records with the registry's ids).

PostgreSQL moves whole tables with COPY through a CSV file that DuckDB writes or reads
itself, so no row passes through Python; SQLite (development and tests, small data) goes row
by row, which is fast enough there.

`Snapshot` is one refresh's view of the hub: a DuckDB connection with each source's current
records (`cur_<source>`) and every person record's link to its resident (`hub_links`), read
once and shared by the dwellings refresh and the detectors.
"""

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from django.db import connection

from huying.core import clock
from huying.datahub import store
from huying.datahub.choices import Source

_SQLITE_BATCH = 5000
_PULL_CHUNK = 100_000  # rows per CSV text value in a PostgreSQL pull
# The column types `pull` takes (keep pulls to ids, keys and numbers: no time zones to mind).
_ARROW = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64()}


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def db_time_sql(expr: str) -> str:
    """A DuckDB TIMESTAMPTZ as the text the database stores (SQLite: Django's naive UTC text;
    PostgreSQL: an explicit UTC offset, whatever the session's time zone)."""
    utc = f"make_timestamp(epoch_us({expr}))"
    if is_postgres():
        return f"strftime({utc}, '%Y-%m-%d %H:%M:%S.%f') || '+00'"
    # Django writes str(datetime): no fraction when it is zero; equal text compares equal.
    return (
        f"CASE WHEN epoch_us({expr}) % 1000000 = 0 THEN strftime({utc}, '%Y-%m-%d %H:%M:%S') "
        f"ELSE strftime({utc}, '%Y-%m-%d %H:%M:%S.%f') END"
    )


def pull(con, name: str, sql: str, columns: list[tuple[str, str]], chunk_by: str = "id") -> None:
    """Create DuckDB table `name` from a query on the database; `columns` are (name, DuckDB
    type) of the query's columns to keep.

    PostgreSQL: COPY TO STDOUT sends one message per row, and reading them costs a few
    microseconds each in Python; instead the server joins the rows into CSV text, a chunk of
    rows per value (grouped by the query's `chunk_by` column), which DuckDB then reads."""
    types = ", ".join(f"{c} {t}" for c, t in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({types})")
    if is_postgres():
        line = " || ',' || ".join(_csv_sql(c, t) for c, t in columns)
        chunked = (
            f"SELECT string_agg({line}, E'\\n') FROM ({sql}) q "
            f"GROUP BY q.{chunk_by} / {_PULL_CHUNK}"
        )
        with tempfile.TemporaryDirectory(prefix="huying-pull-") as tmp:
            path = Path(tmp) / f"{name}.csv"
            with connection.cursor() as cursor, path.open("w", encoding="utf-8") as fh:
                cursor.execute(chunked)
                for (text,) in cursor.fetchall():
                    fh.write(text)
                    fh.write("\n")
            if path.stat().st_size == 0:
                return
            spec = ", ".join(f"'{c}': '{t}'" for c, t in columns)
            con.execute(
                f"INSERT INTO {name} SELECT * FROM read_csv({store.literal(path)}, "
                f"auto_detect = false, header = false, delim = ',', quote = '\"', "
                f"escape = '\"', columns = {{{spec}}}, allow_quoted_nulls = false)"
            )
        return
    schema = pa.schema([(c, _ARROW[t]) for c, t in columns])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(c for c, _ in columns)} FROM ({sql}) q")
        while rows := cursor.fetchmany(_SQLITE_BATCH):
            batch = pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows],
                                         schema=schema)  # fmt: skip
            con.register("hub_pull_batch", batch)
            con.execute(f"INSERT INTO {name} SELECT * FROM hub_pull_batch")
            con.unregister("hub_pull_batch")


def _csv_sql(column: str, duck_type: str) -> str:
    """One value as CSV text on PostgreSQL: text quoted (a NULL stays an empty field)."""
    if duck_type == "VARCHAR":
        return f"""coalesce('"' || replace(q.{column}, '"', '""') || '"', '')"""
    return f"coalesce(q.{column}::text, '')"


def push(con, duck_sql: str, table: str, columns: list[tuple[str, str]]) -> int:
    """Create the database temp table `table` (columns: (name, SQL type)) holding the rows of
    a DuckDB query (values already in the database's form: see `db_time_sql`). Returns the
    number of rows. The caller drops it (`drop`) or leaves it to the end of the session."""
    names = ", ".join(c for c, _ in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        types = ", ".join(f"{c} {t}" for c, t in columns)
        cursor.execute(f"CREATE TEMP TABLE {table} ({types})")
        if is_postgres():
            with tempfile.TemporaryDirectory(prefix="huying-push-") as tmp:
                path = Path(tmp) / f"{table}.csv"
                target = store.literal(path)
                con.execute(f"COPY ({duck_sql}) TO {target} (FORMAT csv, HEADER false)")
                with (
                    cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy,
                    path.open("rb") as fh,
                ):
                    while block := fh.read(1 << 20):
                        copy.write(block)
            # Temp tables are never auto-analysed: without statistics the planner guesses.
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"SELECT count(*) FROM {table}")
            return cursor.fetchone()[0]
        marks = ", ".join("%s" for _ in columns)
        result = con.execute(duck_sql)
        count = 0
        while rows := result.fetchmany(_SQLITE_BATCH):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            count += len(rows)
        return count


def push_rows(table: str, columns: list[tuple[str, str]], rows: list[tuple]) -> int:
    """Like `push`, from rows built in Python (values in the database's form)."""
    names = ", ".join(c for c, _ in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)})")
        if is_postgres():
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {table}")
        else:
            marks = ", ".join("%s" for _ in columns)
            for start in range(0, len(rows), _SQLITE_BATCH):
                chunk = rows[start : start + _SQLITE_BATCH]
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)
    return len(rows)


def serialise(key: int) -> None:
    """Hold a transaction-scoped lock on `key` (PostgreSQL; SQLite writes one at a time
    anyway), so two refreshes never diff the same rows at once."""
    if is_postgres():
        execute("SELECT pg_advisory_xact_lock(%s)", [key])


def drop(*tables: str) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def execute(sql: str, params=None, *, fetch: bool = False) -> int:
    """Run one statement on the database: the number of rows it changed, or with `fetch`
    the single number it selects."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if fetch:
            return cursor.fetchone()[0]
        return max(cursor.rowcount, 0)


@dataclass
class Snapshot:
    """The hub as one refresh sees it (see the module's docstring)."""

    con: object
    now: datetime
    loaded: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, now: datetime | None = None) -> "Snapshot":
        con = store.connect()
        con.execute("SET TimeZone = 'UTC'")
        snap = cls(con=con, now=now or clock.now())
        for source in Source:
            if snap._current(source.value):
                snap.loaded.add(source.value)
        snap.pull_links()
        return snap

    def _current(self, source: str) -> bool:
        """`cur_<source>`: the source's current records, worked out once per snapshot (the
        detectors read them several times). One partition needs no sorting out: a load's
        keys are unique. Door events are read per time window instead (`events_between`)."""
        paths = store.committed_partitions(source)
        if not paths:
            return False
        if source == Source.DOOR_ACCESS_EVENTS:
            self._event_paths = paths
            return True
        if len(paths) == 1:
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW cur_{source} AS "
                f"SELECT * FROM read_parquet({store.literal(paths[0])})"
            )
            return True
        store.current_relation(self.con, source, f"all_{source}")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE cur_{source} AS SELECT * FROM all_{source}")
        return True

    def events_between(self, name: str, since: datetime, until: datetime) -> None:
        """Temp table `name`: the current door-access events in (since, until]. The time is
        part of an event's key, so filtering before picking each key's latest version gives
        the same rows, and lets the Parquet reader skip what is outside the window."""
        files = ", ".join(store.literal(p) for p in getattr(self, "_event_paths", ()))
        if not files:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} (card_id VARCHAR, dwelling_code VARCHAR, "
                "event_time TIMESTAMPTZ)"
            )
            return
        window = "WHERE event_time > $since AND event_time <= $until"
        if len(self._event_paths) == 1:
            query = f"SELECT card_id, dwelling_code, event_time FROM read_parquet({files}) {window}"
        else:  # each key's latest version: a hash aggregate, cheaper than a window's sort
            query = (
                "SELECT any_value(card_id) AS card_id, arg_max(dwelling_code, _load_id) AS "
                "dwelling_code, any_value(event_time) AS event_time "
                f"FROM read_parquet([{files}], union_by_name = true) {window} GROUP BY _key"
            )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS {query}", {"since": since, "until": until}
        )

    def has(self, source: str) -> bool:
        return source in self.loaded

    def pull_links(self) -> None:
        """`hub_links(source, source_key, resident_id)`: every person record's resident."""
        from huying.datahub.models import ResidentRecord

        pull(
            self.con,
            "hub_links",
            f"SELECT id, source, source_key, resident_id FROM {ResidentRecord._meta.db_table}",
            [("source", "VARCHAR"), ("source_key", "VARCHAR"), ("resident_id", "BIGINT")],
        )

    def pull_dwellings(self) -> None:
        """`hub_dwellings`: the registry's dwellings with their ids and places."""
        from huying.datahub.models import Dwelling

        pull(
            self.con,
            "hub_dwellings",
            "SELECT id, code, address, town_id, village_id, max_occupants, occupants "
            f"FROM {Dwelling._meta.db_table}",
            [
                ("id", "BIGINT"),
                ("code", "VARCHAR"),
                ("address", "VARCHAR"),
                ("town_id", "BIGINT"),
                ("village_id", "BIGINT"),
                ("max_occupants", "BIGINT"),
                ("occupants", "BIGINT"),
            ],
        )

    def close(self) -> None:
        self.con.close()
