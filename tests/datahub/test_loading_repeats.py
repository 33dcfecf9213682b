"""Counting a load's records when rows repeat: the load only collapses repeats when it has
some (the usual extract has none), and its counts are the same either way."""

import csv
from pathlib import Path

import pytest

from huying.datahub import store
from huying.datahub.choices import LoadStatus
from huying.datahub.formats import FORMATS
from huying.datahub.loading import load_folder

PERSONS = FORMATS["public_security_persons"].names
LI_LI = ["P1", "李丽", "11010519491231002X", "女", "1949-12-31", "", "", "13800138000", ""]
WANG_WEI = ["P2", "王伟", "440111199003071234", "男", "1990-03-07", "", "", "", ""]


@pytest.fixture(autouse=True)
def hub_dir(settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"


def _write(folder: Path, rows: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "public_security_persons.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([PERSONS, *rows])
    return folder


def _partition(load) -> list[tuple]:
    con = store.connect()
    path = store.literal(store.partition_path("public_security_persons", load.pk))
    return con.execute(f"SELECT _key, _source_row FROM read_parquet({path})").fetchall()


def test_an_exact_repeat_counts_as_a_row_but_is_written_once_from_its_first_line(db, tmp_path):
    load = load_folder(_write(tmp_path / "a", [WANG_WEI, LI_LI, WANG_WEI]))
    assert load.status == LoadStatus.SUCCEEDED
    assert (load.records, load.changed) == (3, 2)
    counts = load.files.get()
    assert (counts.rows, counts.new, counts.changed, counts.unchanged) == (3, 2, 0, 1)
    assert _partition(load) == [("P2", 2), ("P1", 3)]  # in file order, the first P2 kept


def test_reloading_an_extract_with_repeats_changes_nothing(db, tmp_path):
    folder = _write(tmp_path / "b", [LI_LI, LI_LI, WANG_WEI])
    load_folder(folder)
    again = load_folder(folder)
    counts = again.files.get()
    assert (counts.rows, counts.new, counts.changed, counts.unchanged) == (3, 0, 0, 3)
    assert not store.partition_path("public_security_persons", again.pk).exists()


def test_without_repeats_every_row_is_new_on_the_first_load(db, tmp_path):
    load = load_folder(_write(tmp_path / "c", [LI_LI, WANG_WEI]))
    counts = load.files.get()
    assert (counts.rows, counts.new, counts.changed, counts.unchanged) == (2, 2, 0, 0)
    assert _partition(load) == [("P1", 2), ("P2", 3)]
