"""The Spark path links like the DuckDB path: a synthetic extract with known truth (1,000
residents) is loaded, a model trained on DuckDB and saved, and `huying datahub link-spark`
links it on a local Spark (two cores, no UI, bounded memory) with that model. Its clusters
are scored against the truth and against the DuckDB path's clusters on the same input, and
`huying datahub link --from-spark` writes them into the registry.

Skipped with a message when Java or pyspark is missing; `-m "not spark"` deselects it."""

import os
import shutil
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from django.db import transaction
from django.test import override_settings

from huying import cli
from huying.core.errors import Invalid
from huying.datahub import linkage_model, linkage_predict, linkage_spark
from huying.datahub.linkage_spec import HUB, SPARK, in_dialect
from huying.datahub.loading import load_folder
from huying.datahub.models import LinkageRun, ResidentRecord
from huying.datahub.synthetic import ExtractSpec, write_extract
from huying.datahub.synthetic_quality import pair_counts

pytestmark = [pytest.mark.spark, pytest.mark.django_db]

SPEC = ExtractSpec(
    residents=1000,
    towns=[("云城街道", ["萧岗社区", "云城社区"]), ("人和镇", ["凤和村"])],
    as_of=date(2026, 11, 20),
    seed=17,
)
U_PAIRS = 2e5
SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    # A JVM that lives a minute: the quick compiler only (a third of the time here).
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


def _java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and (Path(home) / "bin" / "java").exists()))


def _require_spark() -> None:
    if not _java():
        pytest.skip(
            "Java not found: the Spark linkage path needs a JRE (java on PATH or JAVA_HOME)"
        )
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("pyspark is not importable: pip install -e '.[test]' to run the Spark path")


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the extract, train and save a model, link on Spark through the command line and
    write the result into the registry (in a transaction rolled back afterwards: the files and
    the registry's links, read before, are kept)."""
    _require_spark()
    base = tmp_path_factory.mktemp("linkage_spark")
    extract, truth, out = base / "extract", base / "truth", base / "out"
    write_extract(extract, SPEC, truth)
    conf = [f"--conf={k}={v}" for k, v in SPARK_CONF.items()]
    with django_db_blocker.unblock(), override_settings(DATAHUB_DIR=base / "hub"):
        try:
            with transaction.atomic():
                load_folder(extract)
                model = _train_and_save()
                started = time.monotonic()
                code = cli.main(["datahub", "link-spark", "--master", "local[2]", *conf, str(out)])
                seconds = time.monotonic() - started
                assert code == 0
                assert cli.main(["datahub", "link", "--from-spark", str(out)]) == 0
                run = LinkageRun.objects.latest("pk")
                links = {
                    f"{r.source}:{r.source_key}": r.resident_id
                    for r in ResidentRecord.objects.all()
                }
                raise _Rollback
        except _Rollback:
            pass
    return SimpleNamespace(truth=truth, out=out, model=model, seconds=seconds, run=run, links=links)


def _train_and_save() -> dict:
    from huying.datahub import linkage, persons, store

    con = store.connect()
    persons.person_records(con)
    linkage._link_input(con)
    model = linkage_model.train(con, "link_input", HUB, u_pairs=U_PAIRS)
    con.close()
    linkage_model.save(model)
    return model


def _pairwise(con, table: str, found: str, true: str) -> tuple[float, float]:
    both, predicted, actual = pair_counts(con, table, found, true)
    return both / predicted, both / actual


def test_spark_links_the_extract_as_the_truth_says(run, capsys):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE j AS SELECT c.cluster_id, t.person_id FROM "
        f"read_parquet('{run.out / 'clusters.parquet'}/*.parquet') c JOIN "
        f"read_csv('{run.truth / 'persons.csv'}', all_varchar = true) t "
        "ON c.unique_id = t.source || ':' || t.source_key"
    )
    records = con.execute(
        f"SELECT count(*) FROM read_parquet('{run.out / 'input.parquet'}')"
    ).fetchall()[0][0]
    assert con.execute("SELECT count(*) FROM j").fetchall()[0][0] == records > 2000
    precision, recall = _pairwise(con, "j", "cluster_id", "person_id")
    print(f"spark: {records} records, {run.seconds:.1f} s, P {precision:.4f} R {recall:.4f}")
    assert precision >= 0.98 and recall >= 0.98


def test_spark_clusters_are_the_duckdb_paths_clusters(run):
    """The same input and model give the same clusters, ids and probabilities on both engines
    (the Jaro-Winkler of Splink's jar and DuckDB's agree, and one-edit is the same test)."""
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE link_input AS SELECT * FROM read_parquet('{run.out / 'input.parquet'}')"
    )
    linkage_predict.cluster_all(con, "link_input", run.model, HUB)
    con.execute(
        "CREATE TABLE both_paths AS SELECT unique_id, s.cluster_id AS spark, "
        "d.cluster_id AS duck, s.match_probability AS p_spark, d.match_probability AS p_duck "
        f"FROM read_parquet('{run.out / 'clusters.parquet'}/*.parquet') s "
        "FULL JOIN link_clusters d USING (unique_id)"
    )
    records, differ, far = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE spark IS DISTINCT FROM duck), "
        "count(*) FILTER (WHERE abs(coalesce(p_spark, -1) - coalesce(p_duck, -1)) > 1e-6) "
        "FROM both_paths"
    ).fetchall()[0]
    agree_spark, agree_duck = _pairwise(con, "both_paths", "spark", "duck")
    print(f"spark vs duckdb: {differ} of {records} records in another cluster, pairwise "
          f"agreement {agree_spark:.5f} / {agree_duck:.5f}")  # fmt: skip
    assert records == con.execute("SELECT count(*) FROM link_input").fetchall()[0][0]
    assert (differ, far) == (0, 0)


def test_the_model_keeps_its_parameters_in_spark_sql(run):
    spark_model = in_dialect(run.model, HUB, SPARK)
    assert spark_model["sql_dialect"] == "spark"
    assert spark_model["probability_two_random_records_match"] == pytest.approx(
        run.model["probability_two_random_records_match"]
    )
    for theirs, ours in zip(run.model["comparisons"], spark_model["comparisons"], strict=True):
        for a, b in zip(theirs["comparison_levels"], ours["comparison_levels"], strict=True):
            assert (a.get("m_probability"), a.get("u_probability")) == (
                b.get("m_probability"),
                b.get("u_probability"),
            )
            assert '"' not in b["sql_condition"]


def test_the_registry_takes_the_spark_clusters(run):
    """`link --from-spark`: one resident per Spark cluster, with the model Spark used."""
    con = duckdb.connect()
    clusters = con.execute(
        "SELECT count(DISTINCT cluster_id), count(*) FROM "
        f"read_parquet('{run.out / 'clusters.parquet'}/*.parquet')"
    ).fetchall()[0]
    assert (run.run.status, run.run.mode, run.run.model_version) == ("succeeded", "full", 1)
    assert (run.run.residents, run.run.records) == clusters
    con.execute("CREATE TABLE links (uid VARCHAR, resident BIGINT)")
    con.executemany("INSERT INTO links VALUES (?, ?)", list(run.links.items()))
    con.execute(
        "CREATE TABLE j AS SELECT l.resident, t.person_id FROM links l JOIN "
        f"read_csv('{run.truth / 'persons.csv'}', all_varchar = true) t "
        "ON l.uid = t.source || ':' || t.source_key"
    )
    precision, recall = _pairwise(con, "j", "resident", "person_id")
    assert precision >= 0.98 and recall >= 0.98


@pytest.fixture
def spark(run):
    """A Spark session again (the command stopped its own; the JVM is still up)."""
    session = linkage_spark.session("local[2]", SPARK_CONF)
    yield session
    session.stop()


def test_a_cluster_with_two_sound_numbers_is_split_around_them(spark):
    """Twins A and B (sound numbers) joined through a door card C without one: C goes with
    the twin its stronger edge leads to (the DuckDB path's own split, run on the driver)."""
    records = spark.createDataFrame(
        [("A", "X", True), ("B", "Y", True), ("C", None, False), ("D", "Z", True)],
        "unique_id string, id_number string, id_valid boolean",
    )
    clusters = spark.createDataFrame(
        [("A", "A"), ("B", "A"), ("C", "A"), ("D", "D")], "unique_id string, cluster_id string"
    )
    edges = spark.createDataFrame(
        [("A", "C", 0.99, 12.0), ("B", "C", 0.95, 5.0)],
        "unique_id_l string, unique_id_r string, match_probability double, match_weight double",
    )
    split, count = linkage_spark._split_conflicts(spark, clusters, edges, records, HUB)
    on_spark = {r.unique_id: r.cluster_id for r in split.collect()}
    assert count == 1
    assert on_spark == {"A": "A~X", "C": "A~X", "B": "A~Y", "D": "D"}


def test_clusters_of_other_records_are_refused(run):
    """A load after link-spark: its records are in no cluster, so they are not written."""
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE link_input AS SELECT * FROM read_parquet('{run.out / 'input.parquet'}')"
    )
    assert linkage_spark.read_clusters(con, run.out) == run.run.residents
    con.execute("INSERT INTO link_input (unique_id) VALUES ('public_security_persons:new')")
    with pytest.raises(Invalid, match="缺少 1 条，多出 0 条"):
        linkage_spark.read_clusters(con, run.out)
