"""Load an extract folder into the hub: all or nothing, changes only, provenance on every row.

`load_folder` (the command line) runs a load at once and prints its progress; `submit_load`
(pages, API) queues it for the worker. Both end in `run_load`:

1. every known file is read as text and checked (reading.py); any problem in any file refuses
   the whole load with the file, row and column of the first problems, and nothing changes;
2. identity numbers and phones are checked (validation.py); findings stay on the record;
3. each record is compared with the hub's current version of it (same source key): only new
   or changed records are written, so re-loading an extract changes nothing, and an older
   version stays readable as history;
4. the partitions are published and the load marked succeeded in one step (store.py: the
   database is the manifest), with an audit row.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from huying.core import audit, clock
from huying.core.errors import Invalid
from huying.datahub import catalogue, formats, reading, store, validation
from huying.datahub.choices import LoadOrigin, LoadStatus
from huying.datahub.models import Load, LoadFile

Progress = Callable[[int, str], None]

# zstd at level 1: a sixth less CPU than the default level 3 and, on these records, files
# no larger (snappy: less CPU still, but files 70% larger, read again by every later load).
_COMPRESSION = "COMPRESSION zstd, COMPRESSION_LEVEL 1"

# The SQL type each column kind is stored as in the Parquet partitions.
_STORED_AS = {
    formats.TEXT: "VARCHAR",
    formats.DATE: "DATE",
    formats.DATETIME: "TIMESTAMPTZ",
    formats.INTEGER: "BIGINT",
    formats.DECIMAL: "DOUBLE",
    formats.LATITUDE: "DOUBLE",
    formats.LONGITUDE: "DOUBLE",
}


@dataclass
class _FileResult:
    fmt: formats.SourceFormat
    path: Path
    sha256: str
    rows: int = 0
    repeats: int = 0  # rows that repeat an earlier row's key (exact repeats: collapsed)
    new: int = 0
    changed: int = 0
    findings: dict = field(default_factory=dict)


def find_files(folder: Path) -> list[tuple[formats.SourceFormat, Path]]:
    """Each source present in the folder, as CSV or Parquet (other files are not ours)."""
    found = []
    for fmt in formats.FORMATS.values():
        for suffix in (".csv", ".parquet"):
            path = folder / f"{fmt.source.value}{suffix}"
            if path.is_file():
                found.append((fmt, path))
                break
    return found


def submit_load(*, folder: Path, actor=None, origin: str, label: str = "") -> Load:
    """Record the load and hand it to the worker (pages and API: large loads take a while)."""
    load = _new_load(folder, actor, origin, label)
    from huying.datahub.tasks import run_load_task

    transaction.on_commit(lambda: run_load_task.enqueue(load.pk))
    return load


def load_folder(
    folder: Path, *, actor=None, label: str = "", progress: Progress | None = None
) -> Load:
    """Load at once (the command line)."""
    load = _new_load(folder, actor, LoadOrigin.COMMAND, label)
    return run_load(load, progress=progress)


def _new_load(folder: Path, actor, origin: str, label: str) -> Load:
    folder = Path(folder)
    if not folder.is_dir():
        raise Invalid(f"找不到文件夹 {folder}", field="folder")
    if not find_files(folder):
        names = "、".join(f.filename for f in formats.FORMATS.values())
        raise Invalid(f"文件夹里没有可导入的文件（应为 {names}）", field="folder")
    return Load.objects.create(
        origin=origin, folder=str(folder), label=label, created_by=actor, created_at=clock.now()
    )


def run_load(load: Load, *, progress: Progress | None = None) -> Load:
    report = _reporter(load, progress)
    Load.objects.filter(pk=load.pk).update(status=LoadStatus.RUNNING, started_at=clock.now())
    files = find_files(Path(load.folder))
    con = store.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    try:
        results, problems = _read_all(con, files, report)
        if problems:
            return _refuse(load, problems)
        for i, result in enumerate(results):
            report(40 + 50 * i // len(results), f"比对并写入 {result.path.name}")
            _stage(con, load, result)
        return _commit(load, results, report)
    except Exception:
        store.discard(load.pk)
        Load.objects.filter(pk=load.pk).update(
            status=LoadStatus.FAILED, finished_at=clock.now(), stage="内部错误，已回滚"
        )
        raise
    finally:
        con.close()


def _reporter(load: Load, progress: Progress | None) -> Progress:
    def report(percent: int, stage: str) -> None:
        Load.objects.filter(pk=load.pk).update(progress=percent, stage=stage[:100])
        if progress:
            progress(percent, stage)

    return report


def _read_all(con, files, report: Progress) -> tuple[list[_FileResult], list[dict]]:
    results, problems = [], []
    for i, (fmt, path) in enumerate(files):
        report(40 * i // len(files), f"读取并检查 {path.name}")
        table = f"raw_{fmt.source.value}"
        found = reading.read_file(con, fmt, path, table)
        problems += [p.as_dict() for p in found]
        result = _FileResult(fmt, path, _sha256(path))
        if not found:
            result.rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            result.repeats = reading.repeated_keys(con, table)
        results.append(result)
    return results, problems[: reading.MAX_PROBLEMS]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _refuse(load: Load, problems: list[dict]) -> Load:
    store.discard(load.pk)
    with transaction.atomic():
        Load.objects.filter(pk=load.pk).update(
            status=LoadStatus.FAILED,
            finished_at=clock.now(),
            problems=problems,
            stage="文件有误，未导入任何数据",
        )
        load.refresh_from_db()
        audit.record(
            "datahub.load_refused",
            actor=load.created_by,
            obj=load,
            after={"problems": problems[:5], "folder": load.folder},
        )
    return load


def _stage(con, load: Load, result: _FileResult) -> None:
    """Annotate, compare with the current records and write the new and changed ones.

    The key and the digest were computed in the read pass (reading.py); the annotated and
    de-duplicated records stay views, so the only full copies of the extract are the text
    table and the Parquet partition."""
    fmt, source = result.fmt, result.fmt.source.value
    raw, checked = f"raw_{source}", f"checked_{source}"
    result.findings = dict(validation.annotate(con, fmt, raw, checked))
    incoming = _first_of_repeats(con, source, checked) if result.repeats else checked
    delta = _delta(con, source, incoming)
    if delta is None:  # nothing loaded before: every record is new
        delta, result.new, result.changed = incoming, result.rows - result.repeats, 0
    else:
        result.new, result.changed = con.execute(
            f"SELECT count(*) FILTER (_is_new), count(*) FILTER (NOT _is_new) FROM {delta}"
        ).fetchone()
    if result.new or result.changed:
        # A partition keeps the file's order. Without ID or phone columns the annotated
        # records are a projection of the text table, already in that order (DuckDB keeps
        # insertion order), so only records that went through a join or the collapsing of
        # repeats are sorted: sorting the largest extract, the door events, cost a third
        # of writing it.
        in_order = delta == checked and not fmt.id_columns and not fmt.phone_columns
        _write(con, load, fmt, delta, sort=not in_order)


def _first_of_repeats(con, source: str, checked: str) -> str:
    """Exact repeats of a record (different content under one key was refused): the first."""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW incoming_{source} AS SELECT * FROM {checked} "
        f"QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _row) = 1"
    )
    return f"incoming_{source}"


def _write(con, load: Load, fmt: formats.SourceFormat, records: str, *, sort: bool) -> None:
    source = fmt.source.value
    target = store.staging_dir(load.pk) / f"{source}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    columns = [_typed(c) for c in fmt.columns]
    norms = [f'"_norm_{c}"' for c, _b, _g in fmt.id_columns] + [
        f'"_norm_{c}"' for c in fmt.phone_columns
    ]
    select = ", ".join(["_key", *columns, *norms, "_findings", "_hash", "_row AS _source_row"])
    loaded_at = clock.now().isoformat()
    con.execute(
        f"COPY (SELECT {select}, {load.pk}::BIGINT AS _load_id, "
        f"TIMESTAMPTZ '{loaded_at}' AS _loaded_at, '{source}' AS _source "
        f"FROM {records}{' ORDER BY _row' if sort else ''}) "
        f"TO {store.literal(target)} (FORMAT parquet, {_COMPRESSION})"
    )


def _delta(con, source: str, incoming: str) -> str | None:
    """The table of incoming records that are new or differ from the current version
    (`_is_new` tells which), or None when the source has no records yet.

    The comparison reads only key and digest (of the text table and of the current
    records); the annotated records are fetched for the rows that differ, usually few."""
    if not store.current_hashes(con, source, f"current_{source}"):
        return None
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE changes_{source} AS "
        f"SELECT r._row, c._key IS NULL AS _is_new FROM raw_{source} r "
        f"LEFT JOIN current_{source} c ON c._key = r._key "
        f"WHERE c._key IS NULL OR c._hash <> r._hash"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE delta_{source} AS "
        f"SELECT i.*, d._is_new FROM {incoming} i JOIN changes_{source} d USING (_row)"
    )
    return f"delta_{source}"


def _typed(column: formats.Column) -> str:
    name = f'"{column.name}"'
    if column.kind == formats.DATE:
        return f"strptime({name}, '%Y-%m-%d')::DATE AS {name}"
    return f"CAST({name} AS {_STORED_AS[column.kind]}) AS {name}"


def _commit(load: Load, results: list[_FileResult], report: Progress) -> Load:
    report(95, "提交")
    published = store.publish(load.pk)
    try:
        with transaction.atomic():
            for r in results:
                LoadFile.objects.create(
                    load=load,
                    source=r.fmt.source,
                    filename=r.path.name,
                    sha256=r.sha256,
                    rows=r.rows,
                    new=r.new,
                    changed=r.changed,
                    unchanged=max(r.rows - r.new - r.changed, 0),
                    findings=r.findings,
                )
            records = sum(r.rows for r in results)
            changed = sum(r.new + r.changed for r in results)
            Load.objects.filter(pk=load.pk).update(
                status=LoadStatus.SUCCEEDED,
                finished_at=clock.now(),
                progress=100,
                stage="完成",
                records=records,
                changed=changed,
            )
            load.refresh_from_db()
            # The catalogue's categories of the hub's own sources count what it now holds.
            catalogue.refresh_hub_categories()
            audit.record(
                "datahub.load",
                actor=load.created_by,
                obj=load,
                after={
                    "folder": load.folder,
                    "files": {r.fmt.source.value: [r.rows, r.new, r.changed] for r in results},
                },
            )
    except Exception:
        store.discard(load.pk, published)
        raise
    return load
