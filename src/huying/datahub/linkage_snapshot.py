# ruff: noqa: S608  (SQL built from our own table and column names; values are bound or ours)
"""What the last run saw and wrote, kept as Parquet under the hub's `linkage/` folder.

- `records.parquet`: the linkage input (one row per person record, the spec's columns) with
  the term frequency of each value the model adjusts by, sorted by `unique_id` so that
  reading one resident's few records touches one row group. Explaining a link from it shows
  the values and frequencies the run actually compared, in milliseconds instead of
  re-reading every source partition.
- `residents-<run>.parquet`: the best values the run wrote for every resident. The next run
  writes only the residents whose values differ from it: re-linking a million unchanged
  residents then writes nothing. Named by run, so that a file left by a run that failed
  after writing it is never taken for the last successful run's.
"""

import os
from pathlib import Path

import duckdb
import pyarrow as pa

from huying.datahub import store
from huying.datahub.linkage_predict import tf_columns


def path() -> Path:
    return store.root() / "linkage" / "records.parquet"


def stage(con, table: str, model: dict, run_id: int) -> Path:
    """Write the records snapshot of run `run_id` beside the current one; `publish` puts it
    in place once the run's results are committed (`discard` if they never are)."""
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tfs = tf_columns(model)
    frequencies = "".join(
        f' LEFT JOIN (SELECT "{c}", count(*) / sum(count(*)) OVER () AS "tf_{c}" '
        f'FROM {table} WHERE "{c}" IS NOT NULL GROUP BY "{c}") f{i} ON f{i}."{c}" = t."{c}"'
        for i, c in enumerate(tfs)
    )
    columns = "".join(f', f{i}."tf_{c}"' for i, c in enumerate(tfs))
    staged = _staged(run_id)
    con.execute(
        f"COPY (SELECT t.*{columns} FROM {table} t{frequencies} ORDER BY t.unique_id) "
        f"TO {store.literal(staged)} (FORMAT parquet, ROW_GROUP_SIZE 20000)"
    )
    return staged


def publish(run_id: int) -> None:
    os.replace(_staged(run_id), path())


def discard(run_id: int) -> None:
    _staged(run_id).unlink(missing_ok=True)


def _staged(run_id: int) -> Path:
    return path().with_name(f"records-{run_id}.parquet.tmp")


def read(unique_ids: list[str]) -> list[dict]:
    """The snapshot rows of these records (those it has), as dicts."""
    if not unique_ids or not path().exists():
        return []
    con = duckdb.connect()
    try:
        con.register("wanted", pa.table({"unique_id": pa.array(unique_ids, pa.string())}))
        cursor = con.execute(
            f"SELECT * FROM read_parquet({store.literal(path())}) "
            "WHERE unique_id IN (SELECT unique_id FROM wanted) ORDER BY unique_id"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


_RESIDENTS = "residents-{run}.parquet"


def residents_path(run_id: int) -> Path:
    return store.root() / "linkage" / _RESIDENTS.format(run=run_id)


def changed_residents_sql(table: str, previous_run_id: int | None, columns: list[str]) -> str:
    """A query over `table` (resident_id plus `columns`) keeping the rows that are new or
    differ from what run `previous_run_id` wrote (all of them without its file)."""
    old = residents_path(previous_run_id) if previous_run_id else None
    if old is None or not old.exists():
        return f"SELECT * FROM {table}"
    differs = " OR ".join(f"b.{c} IS DISTINCT FROM s.{c}" for c in columns)
    return (
        f"SELECT b.* FROM {table} b LEFT JOIN read_parquet({store.literal(old)}) s "
        f"USING (resident_id) WHERE s.resident_id IS NULL OR {differs}"
    )


def write_residents(
    con, table: str, run_id: int, previous_run_id: int | None, gone_table: str | None
) -> Path:
    """Save the residents as run `run_id` leaves them: those of `table` (this run's values)
    and, for residents it did not touch, the previous file's rows (less `gone_table`'s)."""
    target = residents_path(run_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    old = residents_path(previous_run_id) if previous_run_id else None
    query = f"SELECT * FROM {table}"
    if old is not None and old.exists():
        gone = f"UNION ALL SELECT resident_id FROM {gone_table}" if gone_table else ""
        query += (
            f" UNION ALL BY NAME SELECT o.* FROM read_parquet({store.literal(old)}) o "
            f"ANTI JOIN (SELECT resident_id FROM {table} {gone}) x USING (resident_id)"
        )
    tmp = target.with_suffix(".parquet.tmp")
    # Unsorted: it is only ever joined; sorting a million provenances costs a gigabyte.
    con.execute(f"COPY ({query}) TO {store.literal(tmp)} (FORMAT parquet)")
    os.replace(tmp, target)
    for stale in target.parent.glob(_RESIDENTS.format(run="*")):
        if stale != target:
            stale.unlink(missing_ok=True)
    return target
