# ruff: noqa: S608  (SQL built from the spec's own column names; values never enter the text)
"""Linking the hub's person records on Spark: the same spec (linkage_spec.HUB) and the same
saved model (linkage_model) as the DuckDB path, for more records than one machine holds
(docs/scale.md). `huying datahub link-spark` runs it.

1. `export_input(path)`: the table the DuckDB path links (`link_input`), as Parquet.
2. `link(spark, input, model, out)`: Splink's SparkAPI scores the blocked pairs with the
   model's trained parameters (`linkage_spec.in_dialect` writes its levels in Spark SQL),
   clusters them at the spec's threshold, splits the clusters holding two sound ID numbers,
   and writes `unique_id, cluster_id, match_probability` as Parquet.
3. `read_clusters(con, folder)`: those clusters back in DuckDB as `link_clusters`, for a full
   linkage run that writes them into the registry (`huying datahub link --from-spark`).

Clusters with two sound numbers are a handful per million records: their records and edges
are collected to the driver and split by the very code the DuckDB path uses
(`linkage_predict.split_conflicts`), so both paths give the same clusters on the same input.
"""

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from huying.core.errors import Invalid
from huying.datahub import linkage_predict
from huying.datahub.linkage_spec import HUB, ID_NUMBER, SPARK, LinkSpec, in_dialect

# Partitions of every shuffle on a local master: Spark's 200 suit a cluster, not a few
# thousand records on two cores.
LOCAL_SHUFFLE_PARTITIONS = 8
INPUT, CLUSTERS, MANIFEST = "input.parquet", "clusters.parquet", "link-spark.json"
_ARROW = {"string": pa.string(), "double": pa.float64(), "boolean": pa.bool_()}


class SparkSetupError(RuntimeError):
    """Spark runs, but not as the linkage needs it (the message says what to change)."""


@dataclass
class SparkLink:
    records: int
    edges: int
    clusters: int
    split: int
    seconds: dict[str, float] = field(default_factory=dict)


def export_input(path: Path) -> int:
    """Write the person records as the DuckDB path links them (`linkage._link_input`) to
    the Parquet file `path`; return the row count. Needs Django (the loads are the manifest)."""
    from huying.datahub import linkage, persons, store

    con = store.connect()
    try:
        persons.person_records(con)
        linkage._link_input(con)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY link_input TO {store.literal(path)} (FORMAT parquet)")
        return con.execute("SELECT count(*) FROM link_input").fetchall()[0][0]
    finally:
        con.close()


def session(master: str | None = None, conf: dict[str, str] | None = None):
    """A SparkSession with Splink's similarity functions (its jar). `master` None leaves it
    to spark-submit or spark-defaults.conf; `conf` (e.g. executor memory) wins over ours."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = SparkSession.builder.appName("huying-linkage")
    settings = {"spark.ui.showConsoleProgress": "false"}
    # Under spark-submit the JVM is up with the operator's --jars and --conf: leave them be
    # (the jar must then be among --jars; `link` says so when it is not).
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        settings["spark.jars"] = similarity_jar_location()
    if master:
        builder = builder.master(master)
    if master and master.startswith("local"):
        # A local Spark talks to nobody: it listens on loopback only (and Spark stops
        # guessing a LAN address when the host name resolves to 127.0.0.1).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings |= {
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.sql.shuffle.partitions": str(LOCAL_SHUFFLE_PARTITIONS),
        }
    settings |= conf or {}
    for key, value in settings.items():
        builder = builder.config(key, value)
    # py4j says INFO about every socket it closes, down to the interpreter's exit.
    py4j_log = logging.getLogger("py4j")
    if py4j_log.level == logging.NOTSET:
        py4j_log.setLevel(logging.WARNING)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def link(
    spark,
    input_path: str,
    model: dict,
    out_path: str,
    *,
    spec: LinkSpec = HUB,
    checkpoint_dir: str | None = None,
) -> SparkLink:
    """Link the records of the Parquet `input_path` with `model` (a saved settings dict) and
    write their clusters to the Parquet folder `out_path`. Splink writes its intermediate
    tables under `checkpoint_dir` (default: beside the output, removed when done)."""
    from splink import Linker, SparkAPI

    scratch = checkpoint_dir or str(out_path).rstrip("/") + "-checkpoints"
    spark.sparkContext.setCheckpointDir(scratch)
    _quiet_splink()
    try:
        db_api = SparkAPI(spark_session=spark, break_lineage_method="parquet")
        _check_jar(spark)
        records = spark.read.parquet(str(input_path))
        settings = in_dialect(model, spec, SPARK)
        linker = Linker(db_api.register(records), settings, log_level=None)
        try:
            return _predict_and_cluster(spark, linker, records, str(out_path), spec)
        finally:
            linker.table_management.delete_tables_created_by_splink_from_db()
    finally:
        if not checkpoint_dir and "://" not in scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def _predict_and_cluster(spark, linker, records, out_path: str, spec: LinkSpec) -> SparkLink:
    started, laps = time.monotonic(), {}

    def lap(name: str) -> None:
        laps[name] = round(time.monotonic() - started - sum(laps.values()), 2)

    threshold = spec.threshold
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    edges = predictions.as_spark_dataframe().select(
        "unique_id_l", "unique_id_r", "match_probability", "match_weight"
    )
    lap("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_spark_dataframe()
    lap("cluster")
    clusters, split = _split_conflicts(spark, clusters, edges, records, spec)
    best = edges.selectExpr("unique_id_l AS unique_id", "match_probability").unionByName(
        edges.selectExpr("unique_id_r AS unique_id", "match_probability")
    )
    best = best.groupBy("unique_id").max("match_probability")
    best = best.withColumnRenamed("max(match_probability)", "match_probability")
    result = clusters.select("unique_id", "cluster_id").join(best, "unique_id", "left")
    result.write.mode("overwrite").parquet(out_path)
    lap("split_and_write")
    written = spark.read.parquet(out_path)
    return SparkLink(
        records=written.count(),
        edges=edges.count(),
        clusters=written.select("cluster_id").distinct().count(),
        split=split,
        seconds=laps,
    )


def _check_jar(spark) -> None:
    """Splink only warns when its jar is missing, and the run then fails at its first
    comparison with pages of SQL: say what to do instead."""
    from splink.backends.spark import similarity_jar_location

    try:
        spark.sql("SELECT jaro_winkler('a', 'b'), damerau_levenshtein('a', 'b')").collect()
    except Exception as exc:
        raise SparkSetupError(
            "Splink's similarity functions are not on Spark's class path: with spark-submit, "
            f"pass --jars {similarity_jar_location()}"
        ) from exc


def _split_conflicts(spark, clusters, edges, records, spec: LinkSpec):
    """Split the clusters holding two different sound ID numbers with the DuckDB path's own
    `split_conflicts`, on their records and edges collected to the driver."""
    ids = [f for f in spec.fields if f.kind == ID_NUMBER and f.valid]
    if not ids:
        return clusters, 0
    number, valid = ids[0].column, ids[0].valid
    members = clusters.select("unique_id", "cluster_id").join(
        records.select("unique_id", number, valid), "unique_id"
    )
    members.createOrReplaceTempView("huying_members")
    conflicted = spark.sql(
        "SELECT cluster_id FROM huying_members WHERE "
        f"{valid} GROUP BY cluster_id HAVING count(DISTINCT {number}) > 1"
    )
    involved = members.join(conflicted, "cluster_id").cache()
    if involved.limit(1).count() == 0:
        involved.unpersist()
        return clusters, 0
    inside = edges.join(
        involved.selectExpr("unique_id AS unique_id_l", "cluster_id AS c_l"), "unique_id_l"
    ).join(involved.selectExpr("unique_id AS unique_id_r", "cluster_id AS c_r"), "unique_id_r")
    inside = inside.where("c_l = c_r").select(
        "unique_id_l", "unique_id_r", "match_probability", "match_weight"
    )
    con = duckdb.connect()
    try:
        con.register("groups_arrow", _arrow(involved.select("unique_id", "cluster_id")))
        con.register("input_arrow", _arrow(involved.select("unique_id", number, valid)))
        con.register("edges_arrow", _arrow(inside))
        con.execute("CREATE TEMP TABLE conflict_input AS SELECT * FROM groups_arrow")
        con.execute("CREATE TEMP TABLE conflict_records AS SELECT * FROM input_arrow")
        con.execute("CREATE TEMP TABLE link_edges AS SELECT * FROM edges_arrow")
        split = linkage_predict.split_conflicts(
            con, "conflict_input", "conflict_records", number, valid
        )
        rows = con.execute("SELECT unique_id, cluster_id FROM conflict_input").fetchall()
    finally:
        con.close()
    involved.unpersist()
    fixed = spark.createDataFrame(rows, "unique_id string, new_cluster_id string")
    clusters = clusters.join(fixed, "unique_id", "left").selectExpr(
        "unique_id", "coalesce(new_cluster_id, cluster_id) AS cluster_id"
    )
    return clusters, split


def _arrow(frame) -> pa.Table:
    """A small Spark DataFrame on the driver, as Arrow (by rows: Spark 3.5 has no toArrow)."""
    rows = frame.collect()
    return pa.table(
        {
            f.name: pa.array([r[f.name] for r in rows], type=_ARROW[f.dataType.typeName()])
            for f in frame.schema.fields
        }
    )


def _quiet_splink() -> None:
    splink_log = logging.getLogger("splink")
    if splink_log.level == logging.NOTSET:
        splink_log.setLevel(logging.WARNING)


def write_manifest(folder: Path, model_version: int, result: SparkLink) -> None:
    """What made the clusters: `link --from-spark` writes them with this model version."""
    figures = {"model_version": model_version, **result.__dict__}
    (folder / MANIFEST).write_text(json.dumps(figures, indent=1), encoding="utf-8")


def model_version(folder: Path) -> int:
    """The model version link-spark used for the clusters in `folder`."""
    try:
        return int(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["model_version"])
    except (OSError, ValueError, KeyError) as exc:
        raise Invalid(f"{folder} 里没有 link-spark 的结果（{MANIFEST}）") from exc


def read_clusters(con, folder: Path, table: str = "link_input") -> int:
    """Create `link_clusters` from link-spark's clusters in `folder` (and an empty
    `link_edges`: the edges stayed on Spark). Refused unless they hold exactly the records
    of `table` (a load after the export would leave its records unlinked, or a full run
    would drop the residents of records it never saw). Returns the cluster count."""
    from huying.datahub import store

    files = store.literal(folder / CLUSTERS / "*.parquet")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_clusters AS SELECT unique_id::VARCHAR AS unique_id, "
        "cluster_id::VARCHAR AS cluster_id, match_probability::DOUBLE AS match_probability "
        f"FROM read_parquet({files})"
    )
    missing, unknown = con.execute(
        f"SELECT (SELECT count(*) FROM {table} t ANTI JOIN link_clusters c USING (unique_id)), "
        f"(SELECT count(*) FROM link_clusters c ANTI JOIN {table} t USING (unique_id))"
    ).fetchall()[0]
    if missing or unknown:
        raise Invalid(
            f"Spark 的聚类结果与当前人员记录不一致（缺少 {missing} 条，多出 {unknown} 条）："
            "请重新运行 huying datahub link-spark"
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_edges (unique_id_l VARCHAR, unique_id_r VARCHAR, "
        "match_probability DOUBLE, match_weight DOUBLE)"
    )
    return con.execute("SELECT count(DISTINCT cluster_id) FROM link_clusters").fetchall()[0][0]
