# ruff: noqa: S608  (SQL built from our own table and column names; values are bound or ours)
"""Link the hub's person records into residents (实有人口): `huying datahub link`.

A **full** run scores every blocked pair of records with the saved model, clusters them at
the threshold (connected components) and gives each cluster a stable resident id
(linkage_ids). An **incremental** run (the default once a model and a run exist) scores only
the records no run has linked yet, against those already linked and among themselves; the
records linked before keep their residents. Either way each touched resident gets its best
values and their provenance (residents.py), and the links and residents are written in bulk
in one transaction with an audit row. The run's progress is on its LinkageRun for the page.

The model is trained on the first run (or with `retrain`), saved as the next version and
re-used (linkage_model). The threshold: a pair links at a match probability of at least
`HUB.threshold`, 0.9. On a synthetic extract of 10,000 residents (25,000 records) pairwise F1
was 0.99993 at 0.5, 0.99998 at 0.9, 0.9989 at 0.99 and 0.994 at 0.999: true pairs score near
1 and the rest near 0, and what a higher threshold loses is the door cards that only a name
and a dwelling tie to their holder.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
from django.db import connection, transaction
from django.db.models import Max
from django_tasks import task

from huying.core import audit, clock
from huying.core.errors import Conflict, Invalid
from huying.datahub import (
    linkage_ids,
    linkage_model,
    linkage_predict,
    linkage_snapshot,
    linkage_writes,
    persons,
    residents,
    store,
)
from huying.datahub.choices import LinkageMode, LoadStatus, RunStatus, Source
from huying.datahub.linkage_spec import HUB
from huying.datahub.models import LinkageRun, Load, Resident, ResidentRecord

Progress = Callable[[int, str], None]
_PERSON_SOURCES = (
    Source.PUBLIC_SECURITY_PERSONS, Source.MIGRANT_REGISTRATIONS, Source.DOOR_ACCESS_CARDS,
)  # fmt: skip
# Tables of the predict and assign stages, dropped once `link_final` holds the outcome.
_SCRATCH = (
    "link_clusters", "link_assigned", "link_edges", "link_existing", "link_fresh", "id_votes",
    "id_choice", "conflict_groups", "conflict_members", "conflict_edges", "conflict_labels",
    "fresh_edges", "fresh_group", "fresh_next", "fresh_to_old", "group_resident", "fresh_best",
)  # fmt: skip
STALE_AFTER = timedelta(hours=6)
logger = logging.getLogger(__name__)

# Not dwelling, town, village: the registry refresh (dwellings.py) places residents from
# today's occupancy after the links are written.
_RESIDENT_COLUMNS = [
    "id", "name", "name_pinyin", "id_number", "id_number_valid", "gender", "birth_date",
    "phone", "hukou_address", "current_address", "employer", "provenance", "record_count",
    "first_run_id", "updated_at",
]  # fmt: skip
_LINK_COLUMNS = ["source", "source_key", "resident_id", "match_probability", "run_id"]
# The columns of residents.best_values that decide whether a resident is written again.
_BEST_COLUMNS = [
    "name", "name_pinyin", "id_number", "id_number_valid", "gender", "birth_date", "phone",
    "hukou_address", "current_address", "employer", "provenance", "record_count",
]  # fmt: skip


@task()
def link_task(full: bool = False) -> int | None:
    """The worker's run (after a load, or from a page): incremental unless `full`. Returns
    the run's id, or None when another run is under way (it will see these records too)."""
    try:
        return link(full=full).pk
    except Conflict:
        return None


def last_run() -> LinkageRun | None:
    return LinkageRun.objects.filter(status=RunStatus.SUCCEEDED).order_by("-pk").first()


def link(
    *,
    full: bool = False,
    retrain: bool = False,
    actor=None,
    progress: Progress | None = None,
    u_pairs: float = linkage_model.U_PAIRS,
    from_spark: Path | None = None,
) -> LinkageRun:
    """Run linkage now; return the finished run (status failed and the error re-raised if
    anything goes wrong before the registry is written: nothing is written then).
    `from_spark`: the folder `huying datahub link-spark` wrote; a full run then takes its
    clusters from there instead of predicting them (docs/scale.md)."""
    running = LinkageRun.objects.filter(status=RunStatus.RUNNING)
    # A run that started this long ago died with its process (a full run of a million
    # residents takes minutes): it no longer blocks.
    running.filter(started_at__lt=clock.now() - STALE_AFTER).update(
        status=RunStatus.FAILED, stage="已中断（进程退出）"
    )
    if running.exists():
        raise Conflict("另一次人员链接正在运行，请等它完成")
    if not any(store.committed_partitions(s.value) for s in _PERSON_SOURCES):
        raise Invalid("还没有导入任何人员记录，无需链接")
    previous = last_run()
    version = None if retrain else linkage_model.latest_version()
    if from_spark is not None:
        from huying.datahub.linkage_spark import model_version

        if retrain:
            raise Invalid("写入 Spark 的聚类结果时不能重新训练模型")
        version = model_version(from_spark)  # the model the clusters were made with
        if not linkage_model.model_path(version).exists():
            raise Invalid(f"Spark 的聚类结果用的模型 v{version} 已不存在")
    incremental = not full and from_spark is None and version is not None and previous is not None
    run = LinkageRun.objects.create(
        mode=LinkageMode.INCREMENTAL if incremental else LinkageMode.FULL,
        started_at=clock.now(),
        model_version=version,
    )
    job = _Job(run, progress, actor)
    try:
        return job.run(previous, version, incremental, u_pairs, from_spark)
    except Exception:
        linkage_snapshot.discard(run.pk)
        LinkageRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=clock.now(), stage="内部错误，未写入任何结果"
        )
        raise
    finally:
        job.con.close()


class _Job:
    """One run's state: its DuckDB connection, progress and timings."""

    def __init__(self, run: LinkageRun, progress: Progress | None, actor):
        self.run_row = run
        self.actor = actor
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.started = time.monotonic()
        self.con = store.connect()
        self.con.execute("SET TimeZone = 'Asia/Shanghai'")
        tmp = store.root() / "tmp" / "duckdb"
        tmp.mkdir(parents=True, exist_ok=True)
        self.con.execute(f"SET temp_directory = {store.literal(tmp)}")
        # Nothing here relies on the order rows were inserted (every output is sorted), and
        # keeping it costs memory at a million residents.
        self.con.execute("SET preserve_insertion_order = false")

    def report(self, percent: int, stage: str) -> None:
        LinkageRun.objects.filter(pk=self.run_row.pk).update(progress=percent, stage=stage[:100])
        if self.progress:
            self.progress(percent, stage)

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.timings[name] = round(now - self.started - sum(self.timings.values()), 2)

    def run(
        self, previous, version, incremental: bool, u_pairs: float, from_spark: Path | None
    ) -> LinkageRun:
        con, figures = self.con, {"threshold": HUB.threshold}
        through = Load.objects.filter(status=LoadStatus.SUCCEEDED).aggregate(m=Max("pk"))["m"]
        figures["through_load"] = through or 0
        self.report(2, "读取人员记录")
        records = persons.person_records(con)
        con.execute("DROP TABLE IF EXISTS person_base")  # persons.py's first step
        _link_input(con)
        _read_previous_links(con)
        self.lap("read")
        if version is None:
            self.report(10, "训练链接模型")
            model = linkage_model.train(
                con, "link_input", HUB, u_pairs=u_pairs,
                progress=lambda stage: self.report(15, stage),
            )  # fmt: skip
            version = linkage_model.save(model)
            self.lap("train")
        model = linkage_model.load(version)
        LinkageRun.objects.filter(pk=self.run_row.pk).update(model_version=version)
        self.run_row.model_version = version
        if incremental:
            self.report(40, "匹配新记录")
            figures["edges"] = self._incremental(model, previous)
        elif from_spark is not None:
            from huying.datahub.linkage_spark import read_clusters

            self.report(40, "读取 Spark 聚类结果")
            figures["spark_clusters"] = read_clusters(con, from_spark)
            figures["edges"] = 0  # scored and clustered on Spark
            self.lap("predict")
            linkage_ids.assign_full(con)
        else:
            self.report(40, "预测并聚类")
            figures["split"] = linkage_predict.cluster_all(con, "link_input", model, HUB)
            figures["edges"] = con.execute("SELECT count(*) FROM link_edges").fetchall()[0][0]
            self.lap("predict")
            linkage_ids.assign_full(con)
        self.lap("assign")
        self.report(70, "计算最佳值")
        new_ids = self._members(incremental)
        linkage_snapshot.stage(con, "link_input", model, self.run_row.pk)
        for table in (*_SCRATCH, "link_input"):  # done with; best values need the memory
            con.execute(f"DROP TABLE IF EXISTS {table}")
        residents.best_values(con)
        self.lap("best_values")
        self.report(80, "写入人员库")
        run = self._write(records, new_ids, incremental, figures, previous)
        self.report(85, "保存链接快照")
        for table in ("person_records", "link_members", "link_previous", "link_final"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        try:
            linkage_snapshot.publish(run.pk)
            linkage_snapshot.write_residents(
                con, "resident_best", run.pk, previous.pk if previous else None, "link_gone"
            )
        except Exception:
            # The registry is written and stands; without the snapshot, explanations are
            # empty and the next run writes every resident, until a run succeeds in saving it.
            logger.exception("linkage snapshot of run %s failed", run.pk)
            figures["snapshot_failed"] = True
        self.lap("snapshot")
        self.report(90, "更新出租屋与居住关系")
        try:
            # Occupancy and discrepancies follow the links (dwellings.py keeps its own
            # figures under figures["registry"]).
            from huying.datahub.registry_refresh import refresh_registry

            refresh_registry(run)
        except Exception:
            # The links are written and stand; `huying datahub refresh` can redo this step.
            logger.exception("registry refresh after linkage run %s failed", run.pk)
            figures["registry_failed"] = True
        self.lap("registry")
        run.refresh_from_db(fields=["figures"])
        run.figures = run.figures | figures | {"seconds": self.timings}
        run.stage, run.progress = "完成", 100
        LinkageRun.objects.filter(pk=run.pk).update(
            figures=run.figures, stage=run.stage, progress=run.progress
        )
        if self.progress:
            self.progress(100, "完成")
        return run

    def _incremental(self, model: dict, previous: LinkageRun) -> int:
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE link_fresh AS SELECT * FROM link_input i "
            "WHERE NOT EXISTS (SELECT 1 FROM link_previous p WHERE p.unique_id = i.unique_id)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE link_existing AS SELECT i.* FROM link_input i "
            "JOIN link_previous p USING (unique_id)"
        )
        fresh = con.execute("SELECT count(*) FROM link_fresh").fetchall()[0][0]
        edges = 0
        if fresh:
            edges = linkage_predict.match_new(
                con, "link_input", "link_existing", "link_fresh", model, HUB.threshold
            )
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE link_edges (unique_id_l VARCHAR, "
                "unique_id_r VARCHAR, match_probability DOUBLE, match_weight DOUBLE)"
            )
        self.lap("predict")
        linkage_ids.assign_incremental(con)
        # A record changed since the last run keeps its resident, whose values may change.
        since = previous.figures.get("through_load", 0)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE link_changed AS SELECT p.unique_id, p.resident_id "
            "FROM link_previous p JOIN person_records r USING (unique_id) "
            f"WHERE r.load_id > {int(since)}"
        )
        return edges

    def _members(self, incremental: bool) -> int:
        """Give new groups their ids; create `link_members` (the records of every resident
        whose values are to be computed) and `link_final` (every record written)."""
        con = self.con
        groups = [
            g
            for (g,) in con.execute(
                "SELECT DISTINCT cluster_id FROM link_assigned WHERE resident_id IS NULL "
                "ORDER BY cluster_id"
            ).fetchall()
        ]
        ids = linkage_writes.allocate_ids(Resident._meta.db_table, len(groups))
        # (Through Arrow: DuckDB's executemany runs one statement per row.)
        con.register("new_ids_arrow", pa.table({"cluster_id": groups, "resident_id": ids}))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE new_ids AS "
            "SELECT cluster_id::VARCHAR AS cluster_id, resident_id::BIGINT AS resident_id "
            "FROM new_ids_arrow"
        )
        con.unregister("new_ids_arrow")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE link_final AS "
            "SELECT a.unique_id, coalesce(a.resident_id, n.resident_id) AS resident_id, "
            "a.match_probability, n.resident_id IS NOT NULL AS is_new "
            "FROM link_assigned a LEFT JOIN new_ids n USING (cluster_id)"
        )
        if incremental:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE touched AS "
                "SELECT resident_id FROM link_final UNION SELECT resident_id FROM link_changed"
            )
            con.execute(
                "CREATE OR REPLACE TEMP TABLE link_members AS "
                "SELECT unique_id, resident_id FROM link_final UNION ALL "
                "SELECT p.unique_id, p.resident_id FROM link_previous p "
                "WHERE p.resident_id IN (SELECT resident_id FROM touched)"
            )
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE link_members AS "
                "SELECT unique_id, resident_id FROM link_final"
            )
        return len(groups)

    def _write(
        self, records: int, new_ids: int, incremental: bool, figures: dict, previous
    ) -> LinkageRun:
        con, run = self.con, self.run_row
        stamp = _db_datetime(clock.now())
        changed = linkage_snapshot.changed_residents_sql(
            "resident_best", previous.pk if previous else None, _BEST_COLUMNS
        )
        resident_sql = (
            "SELECT b.resident_id, b.name, b.name_pinyin, b.id_number, b.id_number_valid, "
            "b.gender, strftime(b.birth_date, '%Y-%m-%d'), b.phone, b.hukou_address, "
            "b.current_address, b.employer, b.provenance, "
            f"b.record_count, {run.pk}, '{stamp}' FROM ({changed}) b WHERE b.resident_id "
            "{} (SELECT resident_id FROM new_ids) ORDER BY b.resident_id"
        )
        link_sql = (
            "SELECT split_part(f.unique_id, ':', 1), substr(f.unique_id, "
            "strpos(f.unique_id, ':') + 1), f.resident_id, f.match_probability, "
            f"{run.pk} FROM link_final f LEFT JOIN link_previous p USING (unique_id) "
            "WHERE {} ORDER BY f.unique_id"
        )
        link_changed = (
            "p.unique_id IS NOT NULL AND (p.resident_id <> f.resident_id "
            "OR p.match_probability IS DISTINCT FROM f.match_probability)"
        )
        moved = con.execute(
            "SELECT count(*) FROM link_final f JOIN link_previous p USING (unique_id) "
            "WHERE p.resident_id <> f.resident_id"
        ).fetchall()[0][0]
        # A full run re-links every record: a resident left without any was merged away.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE link_gone AS SELECT DISTINCT resident_id "
            "FROM link_previous WHERE false"
            if incremental
            else "CREATE OR REPLACE TEMP TABLE link_gone AS SELECT DISTINCT resident_id "
            "FROM link_previous EXCEPT SELECT resident_id FROM link_final"
        )
        gone = [r for (r,) in con.execute("SELECT resident_id FROM link_gone").fetchall()]
        with transaction.atomic():
            written = linkage_writes.write_rows(
                con,
                Resident._meta.db_table,
                _RESIDENT_COLUMNS,
                new_sql=resident_sql.format("IN"),
                changed_sql=resident_sql.format("NOT IN"),
                conflict=["id"],
                update=[c for c in _RESIDENT_COLUMNS if c not in ("id", "first_run_id")],
            )
            self.lap("write_residents")
            links = linkage_writes.write_rows(
                con,
                ResidentRecord._meta.db_table,
                _LINK_COLUMNS,
                new_sql=link_sql.format("p.unique_id IS NULL"),
                changed_sql=link_sql.format(link_changed),
                conflict=["source", "source_key"],
                update=["resident_id", "match_probability", "run_id"],
            )
            self.lap("write_links")
            for i in range(0, len(gone), 5000):
                Resident.objects.filter(pk__in=gone[i : i + 5000]).delete()
            total = Resident.objects.count()
            figures.update(
                residents_written=written, links_written=links, moved=moved, merged=len(gone)
            )
            LinkageRun.objects.filter(pk=run.pk).update(
                status=RunStatus.SUCCEEDED,
                finished_at=clock.now(),
                records=records,
                residents=total,
                new_residents=new_ids,
                figures=figures,
            )
            run.refresh_from_db()
            audit.record(
                "datahub.link",
                actor=self.actor,
                obj=run,
                after={
                    "mode": run.mode,
                    "model_version": run.model_version,
                    "records": records,
                    "residents": total,
                    "new_residents": new_ids,
                    "moved": moved,
                    "merged": len(gone),
                },
            )
        return run


def _link_input(con) -> None:
    """`link_input`: the spec's columns of every person record. A record without a dwelling
    code (public security's) takes the code of the dwelling whose address is exactly its
    current address (the rental-housing system knows both), so that a door card with only a
    name and a dwelling can meet it."""
    places = "SELECT NULL::VARCHAR AS address, NULL::VARCHAR AS code WHERE false"
    if store.current_relation(con, Source.DWELLINGS.value, "current_dwellings"):
        places = (
            "SELECT address, min(dwelling_code) AS code FROM current_dwellings "
            "GROUP BY address HAVING count(DISTINCT dwelling_code) = 1"
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_input AS SELECT p.unique_id, p.name, "
        "p.name_pinyin, p.surname, p.id_number, p.id_valid, p.birth_date, p.gender, p.phone, "
        "coalesce(p.dwelling_code, d.code) AS dwelling_code, p.address, "
        "CASE WHEN length(p.id_number) = 18 THEN left(p.id_number, 9) END AS id_head, "
        "CASE WHEN length(p.id_number) = 18 THEN right(p.id_number, 8) END AS id_tail "
        f"FROM person_records p LEFT JOIN ({places}) d ON d.address = p.address "
        "WHERE p.unique_id IS NOT NULL"
    )
    have = {r[0] for r in con.execute("DESCRIBE link_input").fetchall()}
    if missing := set(HUB.columns) - have:  # the spec and this query must agree
        raise RuntimeError(f"link_input lacks {sorted(missing)}")


def _read_previous_links(con) -> int:
    table = ResidentRecord._meta.db_table
    return linkage_writes.read_into(
        con,
        "link_previous",
        f"SELECT source || ':' || source_key, resident_id, match_probability FROM {table}",
        {"unique_id": "VARCHAR", "resident_id": "BIGINT", "match_probability": "DOUBLE"},
    )


def _db_datetime(moment) -> str:
    """A datetime as the database column takes it in text (SQLite: naive UTC, as Django
    stores it; PostgreSQL: ISO 8601 with its offset)."""
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(moment)
    return moment.isoformat()


def export_links(path: Path) -> int:
    """Write `source, source_key, resident_id` for every loaded person record (an empty
    resident_id for a record no run has linked yet); return the row count."""
    con = store.connect()
    try:
        persons.person_records(con)
        _read_previous_links(con)
        select = (
            "SELECT r.source, r.source_key, l.resident_id FROM person_records r "
            "LEFT JOIN link_previous l USING (unique_id) WHERE r.unique_id IS NOT NULL "
            "ORDER BY r.source, r.source_key"
        )
        count = con.execute(f"SELECT count(*) FROM ({select})").fetchall()[0][0]
        con.execute(f"COPY ({select}) TO {store.literal(Path(path))} (HEADER, DELIMITER ',')")
        return count
    finally:
        con.close()
