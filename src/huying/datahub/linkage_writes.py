# ruff: noqa: S608  (SQL built from our own table and column names; values are bound or ours)
"""Moving linkage results between DuckDB and the database, in bulk.

A full run touches a million residents and 2.5 million links, far beyond what saving model
instances can do in a minute. PostgreSQL gets COPY (new rows straight into the table;
changed rows into a staging table, then one INSERT … ON CONFLICT); SQLite gets executemany
of the same statements in large batches (it has no COPY, and a prepared statement in one
transaction is what it does fastest). Reads go the other way: COPY TO on PostgreSQL,
fetchmany on SQLite, into a DuckDB table.
"""

import tempfile
from pathlib import Path

import pyarrow as pa
from django.db import connection

from huying.datahub import store

BATCH = 50_000
SQLITE_CACHE = -262_144  # KiB: 256 MB
REBUILD_FROM = 100_000


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _tmp_dir() -> Path:
    folder = store.root() / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_into(con, table: str, sql: str, columns: dict[str, str]) -> int:
    """Run `sql` on the database; its rows become DuckDB table `table` with `columns`
    (name: DuckDB type). Returns the row count."""
    names = list(columns)
    with connection.cursor() as cursor:
        if _is_postgres():
            with tempfile.NamedTemporaryFile("wb", dir=_tmp_dir(), suffix=".csv") as fh:
                with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                    for data in copy:
                        fh.write(data)
                fh.flush()
                types = ", ".join(f"'{n}': '{t}'" for n, t in columns.items())
                source = (
                    f"read_csv({store.literal(fh.name)}, header = false, delim = ',', "
                    f"quote = '\"', escape = '\"', columns = {{{types}}})"
                    if fh.tell()
                    else "(SELECT "
                    + ", ".join(f"NULL::{t} AS {n}" for n, t in columns.items())
                    + " WHERE false)"  # nothing to read (the sniffer refuses an empty file)
                )
                con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {source}")
        else:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {table} ("
                + ", ".join(f'"{n}" {t}' for n, t in columns.items())
                + ")"
            )
            cursor.execute(sql)
            while rows := cursor.fetchmany(BATCH):
                batch = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
                con.register("_read_batch", batch)
                con.execute(f"INSERT INTO {table} SELECT * FROM _read_batch")
                con.unregister("_read_batch")
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def write_rows(
    con,
    table: str,
    columns: list[str],
    *,
    new_sql: str,
    changed_sql: str,
    conflict: list[str],
    update: list[str],
) -> int:
    """Write two DuckDB queries' rows (their columns in the order of `columns`) into database
    table `table`: `new_sql`'s rows are inserted (none of them exists yet), `changed_sql`'s
    rows update their `update` columns where their `conflict` columns exist (else insert).
    Returns the row count.

    New rows go straight into the table (COPY on PostgreSQL); changed rows through a
    staging table and one INSERT … ON CONFLICT. When the rows are many and at least as many
    as the table holds (the registry's first population), the table's plain indexes are
    dropped for the write and built again after it, in the same transaction: building an
    index from sorted keys is many times faster than a million inserts in random key order
    (PostgreSQL with its default 128 MB of shared buffers: 105 s for a million residents
    with their indexes, 21 s without). The table is locked for the write then."""
    fresh = con.execute(f"SELECT count(*) FROM ({new_sql})").fetchall()[0][0]
    changed = con.execute(f"SELECT count(*) FROM ({changed_sql})").fetchall()[0][0]
    if not fresh + changed:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        held = cursor.fetchone()[0]
    many = fresh + changed >= REBUILD_FROM and fresh + changed >= held
    rebuild = _plain_indexes(table) if many else []
    with connection.cursor() as cursor:
        for name, _definition in rebuild:
            cursor.execute(f'DROP INDEX "{name}"')
    sets = ", ".join(f"{c} = excluded.{c}" for c in update)
    on_conflict = f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {sets}"
    if fresh:
        _insert(con, new_sql, table, columns, "")
    if changed:
        _insert(con, changed_sql, table, columns, on_conflict)
    if rebuild:
        with connection.cursor() as cursor:
            if _is_postgres():
                # PostgreSQL builds no index over rows whose deferred foreign-key checks are
                # still pending: run those checks now (they hold, or the write fails here).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for _name, definition in rebuild:
                cursor.execute(definition)
    return fresh + changed


def _insert(con, select_sql: str, table: str, columns: list[str], on_conflict: str) -> None:
    if _is_postgres():
        _insert_copy(con, select_sql, table, columns, on_conflict)
    else:
        _insert_sqlite(con, select_sql, table, columns, on_conflict)


def _plain_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that back no constraint (a primary
    key or a unique constraint must stay: ON CONFLICT needs it)."""
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                "current_schema() AND tablename = %s AND indexname NOT IN (SELECT conname "
                "FROM pg_constraint WHERE conrelid = %s::regclass) "
                "AND indexdef NOT LIKE 'CREATE UNIQUE %%'",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %%'",
                [table],
            )
        return list(cursor.fetchall())


def _insert_sqlite(con, select_sql: str, table: str, columns: list[str], on_conflict: str) -> None:
    cols = ", ".join(columns)
    params = ", ".join(["?"] * len(columns))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({params}) {on_conflict}"
    result = con.execute(select_sql)
    # The sqlite3 connection itself (inside the caller's transaction): Django's cursor
    # wrapper converts every row's parameters, which halves the rate for a million rows.
    connection.ensure_connection()
    raw = connection.connection
    # A million rows go into five B-trees in random key order: with SQLite's default 2 MB
    # page cache nearly every insert reads a page back (measured: 49 s for a million
    # residents, 26 s with 256 MB). The cache is this connection's, for this write only.
    (cache,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = {SQLITE_CACHE}")
    try:
        while rows := result.fetchmany(BATCH):
            raw.executemany(sql, rows)
    finally:
        raw.execute(f"PRAGMA cache_size = {int(cache)}")


def _insert_copy(con, select_sql: str, table: str, columns: list[str], on_conflict: str) -> None:
    """COPY into the table itself, or (with `on_conflict`) into a staging table first."""
    cols = ", ".join(columns)
    with tempfile.TemporaryDirectory(dir=_tmp_dir()) as folder:
        path = Path(folder) / "rows.csv"
        # DuckDB writes "" for an empty string and nothing for NULL, as COPY reads them.
        con.execute(
            f"COPY ({select_sql}) TO {store.literal(path)} "
            "(FORMAT csv, HEADER false, QUOTE '\"', ESCAPE '\"', NULLSTR '')"
        )
        with connection.cursor() as cursor, path.open("rb") as fh:
            target = f"_stage_{table}" if on_conflict else table
            if on_conflict:
                cursor.execute(f"DROP TABLE IF EXISTS {target}")
                cursor.execute(
                    f"CREATE TEMP TABLE {target} AS SELECT {cols} FROM {table} WITH NO DATA"
                )
            with cursor.cursor.copy(f"COPY {target} ({cols}) FROM STDIN (FORMAT csv)") as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            if on_conflict:
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {target} {on_conflict}"
                )
                cursor.execute(f"DROP TABLE {target}")


def allocate_ids(table: str, n: int) -> list[int]:
    """`n` new primary keys for `table`, taken from its sequence so later ordinary inserts
    never collide with them."""
    if n == 0:
        return []
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite (AUTOINCREMENT): above both the highest id ever given and the highest now.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f"SELECT max(id) FROM {table}")
        start = max(row[0] if row else 0, cursor.fetchone()[0] or 0) + 1
        return list(range(start, start + n))
