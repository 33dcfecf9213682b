"""Small builders for the registry tests: extracts written as CSV and loaded for real, and
residents linked to their records directly (as linkage would, without running it)."""

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from huying.core import clock
from huying.datahub.choices import LinkageMode, LoadStatus, RunStatus
from huying.datahub.formats import FORMATS
from huying.datahub.loading import load_folder
from huying.datahub.models import LinkageRun, Load, Resident, ResidentRecord
from huying.datahub.persons import name_pinyin

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(text: str) -> datetime:
    """'2026-11-24 10:00' in Beijing time, aware."""
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def load_extract(folder: Path, **sources: list[dict]) -> Load:
    """Write each source's rows (dicts; absent columns empty) as its CSV file and load the
    folder; the load must succeed."""
    folder.mkdir(parents=True, exist_ok=True)
    for source, rows in sources.items():
        names = FORMATS[source].names
        with (folder / f"{source}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            for row in rows:
                unknown = set(row) - set(names)
                assert not unknown, f"{source} has no column {unknown}"
                writer.writerow([row.get(name, "") for name in names])
    load = load_folder(folder)
    assert load.status == LoadStatus.SUCCEEDED, load.problems
    return load


def linkage_run() -> LinkageRun:
    return LinkageRun.objects.create(
        mode=LinkageMode.FULL, status=RunStatus.SUCCEEDED, started_at=clock.now()
    )


def resident(name: str, *records: tuple[str, str], run: LinkageRun | None = None, **fields):
    """A resident linked to the given (source, source_key) records."""
    run = run or LinkageRun.objects.order_by("-pk").first() or linkage_run()
    person = Resident.objects.create(
        name=name,
        name_pinyin=name_pinyin(name),
        record_count=len(records),
        first_run=run,
        updated_at=clock.now(),
        **fields,
    )
    for source, key in records:
        link(person, source, key, run=run)
    return person


def link(person: Resident, source: str, key: str, run: LinkageRun | None = None):
    run = run or LinkageRun.objects.order_by("-pk").first() or linkage_run()
    return ResidentRecord.objects.create(
        source=source, source_key=key, resident=person, match_probability=1.0, run=run
    )
