"""Loading an extract folder: all or nothing, changes only, provenance and findings on every
record, and a malformed file refused with its file, row and column."""

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from huying.core.errors import Invalid
from huying.core.models import AuditEntry
from huying.datahub import store
from huying.datahub.choices import LoadStatus
from huying.datahub.formats import FORMATS
from huying.datahub.loading import load_folder

PERSONS = FORMATS["public_security_persons"].names
CARDS = FORMATS["door_access_cards"].names

LI_LI = ["P1", "李丽", "11010519491231002X", "女", "1949-12-31", "北京市西城区", "", "13800138000",
         "2026-11-01T09:00:00+08:00"]  # fmt: skip
WANG_WEI = ["P2", "王伟", "440111199003071234", "男", "1990-03-07", "", "", "1380013800",
            "2026-11-01"]  # fmt: skip
OLD_NUMBER = ["P3", "张三", "110105491231002", "女", "", "", "", "", ""]


@pytest.fixture(autouse=True)
def hub_dir(settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"
    return settings.DATAHUB_DIR


def write(folder: Path, name: str, header: list[str], rows: list[list[str]], **kw) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", newline="", encoding=kw.get("encoding", "utf-8")) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def current(source: str) -> list[dict]:
    con = store.connect()
    if not store.current_relation(con, source, "cur"):
        return []
    cursor = con.execute("SELECT * FROM cur ORDER BY _key")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_a_load_keeps_each_record_with_its_provenance_and_findings(db, tmp_path):
    folder = tmp_path / "x1"
    write(folder, "public_security_persons.csv", PERSONS, [LI_LI, WANG_WEI, OLD_NUMBER])
    write(folder, "door_access_cards.csv", CARDS, [["C1", "YC-1", "李丽", "", "", "", ""]])
    load = load_folder(folder, label="测试")
    assert load.status == LoadStatus.SUCCEEDED
    assert (load.records, load.changed) == (4, 4)
    files = {f.source: f for f in load.files.all()}
    assert files["public_security_persons"].findings == {"checksum": 1, "phone": 1, "upgraded": 1}
    assert files["door_access_cards"].findings == {"missing": 1}
    rows = {r["_key"]: r for r in current("public_security_persons")}
    assert rows["P1"]["_findings"] is None
    assert (rows["P1"]["_load_id"], rows["P1"]["_source"]) == (load.pk, "public_security_persons")
    assert rows["P1"]["_loaded_at"] is not None and rows["P1"]["_source_row"] == 2
    assert str(rows["P1"]["birth_date"]) == "1949-12-31"
    found = json.loads(rows["P2"]["_findings"])
    assert {f["code"] for f in found} == {"checksum", "phone"}
    assert any("校验位错误" in f["message"] for f in found)
    assert rows["P3"]["_norm_id_number"] == "11010519491231002X"  # upgraded from 15 digits
    assert AuditEntry.objects.filter(action="datahub.load", object_id=str(load.pk)).exists()


def test_loading_the_same_extract_again_changes_nothing(db, tmp_path):
    folder = tmp_path / "x"
    write(folder, "public_security_persons.csv", PERSONS, [LI_LI, WANG_WEI])
    first = load_folder(folder)
    again = load_folder(folder)
    assert again.status == LoadStatus.SUCCEEDED
    assert (again.records, again.changed) == (2, 0)
    assert not store.partition_path("public_security_persons", again.pk).exists()
    assert {r["_load_id"] for r in current("public_security_persons")} == {first.pk}


def test_a_newer_extract_updates_what_changed_and_keeps_the_old_version(db, tmp_path):
    write(tmp_path / "v1", "public_security_persons.csv", PERSONS, [LI_LI, WANG_WEI])
    first = load_folder(tmp_path / "v1")
    moved = [*WANG_WEI]
    moved[6] = "广州市白云区云城街道萧岗村"
    new_person = ["P9", "赵敏", "", "女", "", "", "", "", ""]
    write(tmp_path / "v2", "public_security_persons.csv", PERSONS, [LI_LI, moved, new_person])
    second = load_folder(tmp_path / "v2")
    changes = second.files.get()
    assert (changes.new, changes.changed, changes.unchanged) == (1, 1, 1)
    rows = {r["_key"]: r for r in current("public_security_persons")}
    assert rows["P2"]["current_address"] == "广州市白云区云城街道萧岗村"
    assert rows["P2"]["_load_id"] == second.pk and rows["P1"]["_load_id"] == first.pk
    history = pq.read_table(store.partition_path("public_security_persons", first.pk))
    assert "P2" in history.column("_key").to_pylist()  # the earlier version is still readable


@pytest.mark.parametrize(
    ("rows", "row", "column", "words"),
    [
        ([LI_LI, [*WANG_WEI[:4], "1990-13-07", *WANG_WEI[5:]]], 3, "birth_date", "应为日期"),
        ([LI_LI, [*WANG_WEI[:3], "男性", *WANG_WEI[4:]]], 3, "gender", "只能是 男、女"),
        ([LI_LI, ["", *WANG_WEI[1:]]], 3, "person_key", "不能为空"),
        ([LI_LI, [*LI_LI[:1], "李莉", *LI_LI[2:]]], 3, "person_key", "与第 2 行相同但内容不同"),
        ([LI_LI, [*WANG_WEI[:8], "昨天"]], 3, "updated_at", "应为时间"),
    ],
)
def test_a_bad_value_refuses_the_load_naming_file_row_and_column(
    db, tmp_path, rows, row, column, words
):
    write(tmp_path / "bad", "public_security_persons.csv", PERSONS, rows)
    load = load_folder(tmp_path / "bad")
    assert load.status == LoadStatus.FAILED
    problem = load.problems[0]
    assert (problem["file"], problem["row"], problem["column"]) == (
        "public_security_persons.csv",
        row,
        column,
    )
    assert words in problem["message"]
    assert current("public_security_persons") == []


def test_an_exact_repeat_of_a_row_is_collapsed_not_refused(db, tmp_path):
    write(tmp_path / "rep", "public_security_persons.csv", PERSONS, [LI_LI, LI_LI, WANG_WEI])
    load = load_folder(tmp_path / "rep")
    assert load.status == LoadStatus.SUCCEEDED
    assert len(current("public_security_persons")) == 2


def test_a_missing_column_is_named(db, tmp_path):
    header = [c for c in PERSONS if c != "birth_date"]
    write(tmp_path / "m", "public_security_persons.csv", header, [])
    load = load_folder(tmp_path / "m")
    assert load.status == LoadStatus.FAILED
    assert load.problems[0]["row"] == 1 and load.problems[0]["column"] == "birth_date"


def test_a_row_with_the_wrong_number_of_fields_is_named(db, tmp_path):
    folder = tmp_path / "f"
    path = write(folder, "public_security_persons.csv", PERSONS, [LI_LI])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("P2,王伟,440111199003071234\n")
    load = load_folder(folder)
    assert load.status == LoadStatus.FAILED
    assert load.problems[0]["row"] == 3
    assert "列数少于表头" in load.problems[0]["message"]


def test_a_file_that_is_not_utf8_is_refused_in_words(db, tmp_path):
    write(tmp_path / "g", "public_security_persons.csv", PERSONS, [LI_LI], encoding="gbk")
    load = load_folder(tmp_path / "g")
    assert load.status == LoadStatus.FAILED
    assert "UTF-8" in load.problems[0]["message"]


def test_one_bad_file_keeps_the_good_ones_out_too(db, tmp_path):
    folder = tmp_path / "both"
    write(folder, "public_security_persons.csv", PERSONS, [LI_LI])
    write(folder, "door_access_cards.csv", CARDS, [["C1", "YC-1", "李丽", "", "", "明天", ""]])
    load = load_folder(folder)
    assert load.status == LoadStatus.FAILED
    assert load.problems[0]["file"] == "door_access_cards.csv"
    assert current("public_security_persons") == [] and current("door_access_cards") == []
    assert not list(store.root().glob("records/*/*.parquet"))
    assert not list(store.root().glob("staging/*"))


def test_parquet_with_the_same_columns_loads_like_csv(db, tmp_path):
    folder = tmp_path / "pq"
    folder.mkdir()
    table = pa.table({name: [LI_LI[i], WANG_WEI[i]] for i, name in enumerate(PERSONS)})
    pq.write_table(table, folder / "public_security_persons.parquet")
    load = load_folder(folder)
    assert load.status == LoadStatus.SUCCEEDED
    assert [r["_key"] for r in current("public_security_persons")] == ["P1", "P2"]


def test_a_folder_without_known_files_is_refused_before_anything_starts(db, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("hello")
    with pytest.raises(Invalid) as refused:
        load_folder(tmp_path / "empty")
    assert "没有可导入的文件" in refused.value.message


def test_partitions_of_a_load_that_never_committed_are_ignored_and_pruned(db, tmp_path):
    write(tmp_path / "ok", "public_security_persons.csv", PERSONS, [LI_LI])
    load_folder(tmp_path / "ok")
    orphan = store.partition_path("public_security_persons", 999_999)
    orphan.write_bytes(b"written by a load that crashed before its commit")
    assert [r["_key"] for r in current("public_security_persons")] == ["P1"]
    assert store.prune_orphans() >= 1
    assert not orphan.exists()


def test_a_row_with_too_many_fields_is_named(db, tmp_path):
    folder = tmp_path / "t"
    path = write(folder, "door_access_cards.csv", CARDS, [["C1", "YC-1", "李丽", "", "", "", ""]])
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write("C2,YC-1,王伟,,,,,多出来的一列\r\n")
    load = load_folder(folder)
    assert load.status == LoadStatus.FAILED
    assert load.problems[0]["row"] == 3
    assert "列数多于表头" in load.problems[0]["message"]


def test_mixed_line_endings_still_load(db, tmp_path):
    folder = tmp_path / "nl"
    path = write(folder, "public_security_persons.csv", PERSONS, [LI_LI])  # \r\n lines
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(",".join(WANG_WEI) + "\n")
    load = load_folder(folder)
    assert load.status == LoadStatus.SUCCEEDED
    assert [r["_key"] for r in current("public_security_persons")] == ["P1", "P2"]
