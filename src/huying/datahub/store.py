"""Where the loaded source records live: Parquet partitions, one per source and load.

`<DATAHUB_DIR>/records/<source>/load-<id>.parquet` holds the rows a load added or changed
(a re-loaded, unchanged record writes nothing). A partition counts only once its load is
marked succeeded in the database: the database is the manifest, so a crash between writing
files and committing leaves files nobody reads, and `prune_orphans` removes them.
"""

import shutil
from pathlib import Path

import duckdb
from django.conf import settings

from huying.datahub.choices import LoadStatus


def root() -> Path:
    return Path(settings.DATAHUB_DIR)


def partition_path(source: str, load_id: int) -> Path:
    return root() / "records" / source / f"load-{load_id:08d}.parquet"


def staging_dir(load_id: int) -> Path:
    return root() / "staging" / f"load-{load_id:08d}"


def committed_partitions(source: str) -> list[Path]:
    from huying.datahub.models import Load

    ids = Load.objects.filter(status=LoadStatus.SUCCEEDED).values_list("pk", flat=True)
    return [p for p in (partition_path(source, i) for i in sorted(ids)) if p.exists()]


def literal(value) -> str:
    """A string as an SQL literal: file paths come from the user's folder and may hold quotes."""
    return "'" + str(value).replace("'", "''") + "'"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-process DuckDB bounded by the settings (the web and the worker share the box)."""
    con = duckdb.connect(config={"threads": settings.DATAHUB_DUCKDB_THREADS})
    con.execute(f"SET memory_limit = '{settings.DATAHUB_DUCKDB_MEMORY}'")
    con.execute("SET preserve_insertion_order = true")
    return con


def current_relation(con: duckdb.DuckDBPyConnection, source: str, name: str) -> bool:
    """Create view `name`: each record of `source` at its latest load. False if none loaded."""
    paths = committed_partitions(source)
    if not paths:
        return False
    files = ", ".join(literal(p) for p in paths)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS "
        f"SELECT * FROM read_parquet([{files}], union_by_name = true) "
        "QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _load_id DESC) = 1"
    )
    return True


def current_hashes(con: duckdb.DuckDBPyConnection, source: str, name: str) -> bool:
    """Create view `name`: the `_key` and `_hash` of each record of `source` at its latest
    load (what a new load compares with). False if none loaded. The same records as
    `current_relation`, but two columns and no window: a key appears once per partition, so
    one partition is read as it is, and several are grouped by key."""
    paths = committed_partitions(source)
    if not paths:
        return False
    if len(paths) == 1:
        select = f"SELECT _key, _hash FROM read_parquet({literal(paths[0])})"
    else:
        files = ", ".join(literal(p) for p in paths)
        select = (
            f"SELECT _key, arg_max(_hash, _load_id) AS _hash "
            f"FROM read_parquet([{files}], union_by_name = true) GROUP BY _key"
        )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {select}")
    return True


def publish(load_id: int) -> list[Path]:
    """Move a load's staged partitions into place (before its database commit)."""
    moved = []
    staged = staging_dir(load_id)
    for file in sorted(staged.glob("*.parquet")):
        target = partition_path(file.stem, load_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        file.replace(target)
        moved.append(target)
    shutil.rmtree(staged, ignore_errors=True)
    return moved


def discard(load_id: int, published: list[Path] = ()) -> None:
    shutil.rmtree(staging_dir(load_id), ignore_errors=True)
    for path in published:
        path.unlink(missing_ok=True)


def prune_orphans() -> int:
    """Partitions and staging folders of loads that never succeeded (a crash mid-commit)."""
    from huying.datahub.models import Load

    good = set(Load.objects.filter(status=LoadStatus.SUCCEEDED).values_list("pk", flat=True))
    running = set(Load.objects.filter(status=LoadStatus.RUNNING).values_list("pk", flat=True))
    removed = 0
    for path in (root() / "records").glob("*/load-*.parquet"):
        load_id = int(path.stem.removeprefix("load-"))
        if load_id not in good and load_id not in running:
            path.unlink(missing_ok=True)
            removed += 1
    for folder in (root() / "staging").glob("load-*"):
        if int(folder.name.removeprefix("load-")) not in running:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
