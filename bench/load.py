"""How fast the data hub loads an extract (issue 4 target: at least 200,000 records/s from CSV).

    .venv/bin/python -m bench.load --residents 1000000          # SQLite under /tmp
    .venv/bin/python -m bench.load --residents 100000 --database postgresql://postgres@127.0.0.1:5432/huying_bench_load

Generates a synthetic extract (huying.datahub.synthetic, cached under /tmp/huying-bench-load/
per size and seed), then loads it three times into a fresh hub: the first load (everything
new), the same extract again (nothing changes), and the extract with 1% of the public-security
records edited (a newer extract). Prints records per second for each, and the time of each
stage (read and check, identity checks, compare and write).
"""

import argparse
import csv
import itertools
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path("/tmp/huying-bench-load")


def machine() -> str:
    cores = os.cpu_count()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cores} cores, load average {load}"


def extract(residents: int, seed: int) -> tuple[Path, int]:
    from huying.datahub.synthetic import ExtractSpec, write_extract

    folder = ROOT / f"extract-{residents}-{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        summary = write_extract(folder, ExtractSpec(residents=residents, seed=seed))
        marker.write_text(str(sum(summary.rows.values())))
        print(f"generated {residents:,} residents in {time.perf_counter() - started:.1f} s")
    return folder, int(marker.read_text())


def edited_copy(folder: Path, share: float) -> Path:
    """The same extract with `share` of the public-security records' phones changed."""
    target = folder.parent / f"{folder.name}-edited"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".complete"))
    path = target / "public_security_persons.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header, body = rows[0], rows[1:]
    phone = header.index("phone")
    step = max(int(1 / share), 1)
    for row in body[::step]:
        row[phone] = "13900000000"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return target


def setup(database: str | None) -> None:
    hub = ROOT / "hub"
    shutil.rmtree(hub, ignore_errors=True)
    os.environ.update(
        HUYING_DEBUG="1",
        HUYING_DATA_DIR=str(hub),
        DJANGO_SETTINGS_MODULE="huying.settings",
    )
    if database:
        if "bench" not in database:
            sys.exit("use a dedicated database whose name contains 'bench'")
        import psycopg

        name = database.rsplit("/", 1)[1]
        with psycopg.connect(database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        os.environ["HUYING_DATABASE_URL"] = database
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_load(label: str, folder: Path, records: int) -> None:
    from huying.datahub.loading import load_folder

    stages: list[tuple[float, str]] = []
    cpu = cpu_seconds()
    started = time.perf_counter()

    def progress(_percent: int, stage: str) -> None:
        stages.append((time.perf_counter() - started, stage))

    load = load_folder(folder, progress=progress)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    print(
        f"\n{label}: {load.get_status_display()}, {load.records:,} records "
        f"({load.changed:,} new or changed) in {elapsed:.1f} s = {records / elapsed:,.0f} records/s"
        f"\n  CPU {cpu:.1f} s = {cpu / records * 1e6:.1f} CPU s per million records; {machine()}"
    )
    marks = [*stages, (elapsed, "end")]
    for (at, stage), (next_at, _) in itertools.pairwise(marks):
        print(f"  {next_at - at:6.1f} s  {stage}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite under /tmp)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    setup(args.database)
    folder, records = extract(args.residents, args.seed)
    size = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
    print(f"extract: {records:,} records in {size:,.0f} MB of CSV ({folder})")
    timed_load("first load", folder, records)
    timed_load("same extract again", folder, records)
    timed_load("newer extract (1% of public-security records changed)", edited_copy(folder, 0.01),
               records)  # fmt: skip
    print(f"\nmachine at the end: {machine()}")


if __name__ == "__main__":
    main()
