"""A load compares each record with its latest version, however many loads wrote one."""

import csv
from pathlib import Path

import pytest

from huying.datahub import store
from huying.datahub.formats import FORMATS
from huying.datahub.loading import load_folder

PERSONS = FORMATS["public_security_persons"].names
LI_LI = ["P1", "李丽", "11010519491231002X", "女", "1949-12-31", "", "", "13800138000", ""]
WANG_WEI = ["P2", "王伟", "440111199003071234", "男", "1990-03-07", "", "", "", ""]
MOVED = [*WANG_WEI[:6], "广州市白云区云城街道萧岗村", *WANG_WEI[7:]]


@pytest.fixture(autouse=True)
def hub_dir(settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"


def _folder(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    with (folder / "public_security_persons.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([PERSONS, *rows])
    return folder


def _counts(load) -> tuple[int, int, int]:
    f = load.files.get()
    return f.new, f.changed, f.unchanged


def test_each_record_is_compared_with_its_latest_version_across_loads(db, tmp_path):
    old = _folder(tmp_path, "v1", [LI_LI, WANG_WEI])
    new = _folder(tmp_path, "v2", [LI_LI, MOVED])
    assert _counts(load_folder(old)) == (2, 0, 0)
    assert _counts(load_folder(new)) == (0, 1, 1)
    assert _counts(load_folder(new)) == (0, 0, 2)  # two partitions now: P2's latest is v2
    back = load_folder(old)
    assert _counts(back) == (0, 1, 1)  # the old address again is a change from the latest
    con = store.connect()
    assert store.current_relation(con, "public_security_persons", "cur")
    rows = dict(con.execute("SELECT _key, _load_id FROM cur").fetchall())
    assert rows["P2"] == back.pk
