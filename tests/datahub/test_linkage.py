"""Linking person records into residents, for real: loads through the loader, Splink on
DuckDB, the registry written to the database. A small synthetic extract (400 residents,
about 1,000 records) gives the model and the crowd every hand-made case hides in."""

import csv
import random
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from django.db import transaction
from django.test import override_settings

from huying import cli
from huying.core import clock
from huying.core.errors import Conflict, Invalid
from huying.core.models import AuditEntry
from huying.datahub import linkage, linkage_model, linkage_writes, persons, store
from huying.datahub.choices import LinkageMode, RunStatus
from huying.datahub.formats import FORMATS
from huying.datahub.linkage_explain import explain
from huying.datahub.linkage_spec import HUB
from huying.datahub.loading import load_folder
from huying.datahub.models import LinkageRun, Resident, ResidentRecord
from huying.datahub.synthetic import ExtractSpec, write_extract
from huying.datahub.synthetic_ids import id_number, wrong_check_digit
from huying.datahub.synthetic_quality import pair_counts

SPEC = ExtractSpec(
    residents=400,
    towns=[("云城街道", ["萧岗社区"]), ("人和镇", ["凤和村"])],
    as_of=date(2026, 11, 20),
    seed=11,
)
U_PAIRS = 2e5  # random pairs for u in the tests' training: enough for 1,000 records


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The synthetic extract, its truth, and a model trained on it once for the module (in a
    transaction rolled back afterwards: only the model is kept)."""
    base = tmp_path_factory.mktemp("linkage")
    extract, truth = base / "extract", base / "truth"
    write_extract(extract, SPEC, truth)
    with django_db_blocker.unblock(), override_settings(DATAHUB_DIR=base / "hub"):
        try:
            with transaction.atomic():
                load_folder(extract)
                con = store.connect()
                persons.person_records(con)
                linkage._link_input(con)
                model = linkage_model.train(con, "link_input", HUB, u_pairs=U_PAIRS)
                con.close()
                raise _Rollback
        except _Rollback:
            pass
    return SimpleNamespace(extract=extract, truth=truth, model=model)


@pytest.fixture
def hub(db, settings, tmp_path, world):
    """A fresh hub folder holding the module's model as version 1, the extract loaded."""
    settings.DATAHUB_DIR = tmp_path / "hub"
    assert linkage_model.save(world.model) == 1
    load_folder(world.extract)
    return world


def write_load(folder: Path, **sources: list[dict]):
    """Write each source's rows (dicts; absent columns empty) and load the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for source, rows in sources.items():
        names = FORMATS[source].names
        with (folder / f"{source}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            writer.writerows([[row.get(n, "") for n in names] for row in rows])
    load = load_folder(folder)
    assert load.status == "succeeded", load.problems
    return load


def person(key: str, name: str, born: str, male: bool, seq: int, **extra) -> dict:
    """A public-security record with a sound ID number (`seq` 0–499)."""
    region = "430102"
    return {
        "person_key": key,
        "name": name,
        "id_number": id_number(region, date.fromisoformat(born), seq * 2 + (1 if male else 0)),
        "gender": "男" if male else "女",
        "birth_date": born,
        "updated_at": "2026-10-01T09:00:00+08:00",
        **extra,
    }


def registration(p: dict, key: str, **extra) -> dict:
    return {
        "registration_no": key,
        "name": p["name"],
        "id_number": p["id_number"],
        "gender": p["gender"],
        "birth_date": p["birth_date"],
        "phone": p.get("phone", ""),
        "address": p.get("current_address", ""),
        "status": "有效",
        "registered_at": "2026-03-01",
        "expires_at": "2027-03-01",
        **extra,
    }


def card(p: dict, key: str, dwelling: str, **extra) -> dict:
    return {
        "card_id": key,
        "dwelling_code": dwelling,
        "holder_name": p["name"],
        "id_number": p["id_number"],
        "phone": p.get("phone", ""),
        "issued_at": "2026-02-01",
        **extra,
    }


def links() -> dict[str, int]:
    return {
        f"{r.source}:{r.source_key}": r.resident_id
        for r in ResidentRecord.objects.only("source", "source_key", "resident_id")
    }


def pairwise(truth: Path, linked: dict[str, int]) -> tuple[float, float]:
    """Pairwise precision and recall of `linked` against the extract's truth."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT source || ':' || source_key AS uid, person_id "
        f"FROM read_csv('{truth / 'persons.csv'}', all_varchar = true)"
    )
    con.execute("CREATE TABLE l (uid VARCHAR, resident BIGINT)")
    con.executemany("INSERT INTO l VALUES (?, ?)", list(linked.items()))
    con.execute("CREATE TABLE j AS SELECT * FROM t JOIN l USING (uid)")
    both, found, true = pair_counts(con, "j", "resident", "person_id")
    assert con.execute("SELECT count(*) FROM j").fetchall()[0][0] == len(linked)
    return both / found, both / true


def test_the_first_run_trains_a_model_and_links_the_synthetic_extract_accurately(
    db, settings, tmp_path, world, monkeypatch
):
    settings.DATAHUB_DIR = tmp_path / "hub"
    load_folder(world.extract)
    # The first population rebuilds the registry's indexes after writing (as at scale).
    monkeypatch.setattr(linkage_writes, "REBUILD_FROM", 10)
    indexes = {
        t: linkage_writes._plain_indexes(t) for t in ("datahub_resident", "datahub_residentrecord")
    }
    assert all(indexes.values())
    run = linkage.link(u_pairs=U_PAIRS)
    assert {t: linkage_writes._plain_indexes(t) for t in indexes} == indexes
    assert (run.status, run.mode, run.model_version) == (RunStatus.SUCCEEDED, "full", 1)
    assert (settings.DATAHUB_DIR / "models" / "linkage-v1.json").exists()
    assert (run.progress, run.stage) == (100, "完成")
    linked = links()
    assert len(linked) == run.records > 900
    assert Resident.objects.count() == run.residents == run.new_residents
    precision, recall = pairwise(world.truth, linked)
    assert precision > 0.98 and recall > 0.98, (precision, recall)
    assert AuditEntry.objects.filter(action="datahub.link", object_id=str(run.pk)).exists()
    # Later runs re-use the saved model; --retrain makes the next version.
    again = linkage.link(retrain=True, u_pairs=U_PAIRS)
    assert (again.mode, again.model_version) == (LinkageMode.FULL, 2)
    assert links() == linked


def test_homophone_names_link_and_a_different_name_does_not(hub, tmp_path):
    li = person("T-LI", "李丽", "1992-03-05", False, 101, phone="13912345670")
    write_load(
        tmp_path / "x",
        public_security_persons=[li],
        migrant_registrations=[registration(li, "T-R1", dwelling_code="T-D1")],
        door_access_cards=[
            card(li, "T-C1", "T-D1", holder_name="李莉", id_number=""),
            card(li, "T-C2", "T-D1", holder_name="李明", id_number="", phone="13912345999"),
        ],
    )
    linkage.link()
    linked = links()
    assert linked["door_access_cards:T-C1"] == linked["public_security_persons:T-LI"]
    assert linked["migrant_registrations:T-R1"] == linked["public_security_persons:T-LI"]
    assert linked["door_access_cards:T-C2"] != linked["public_security_persons:T-LI"]
    resident = Resident.objects.get(pk=linked["public_security_persons:T-LI"])
    assert (resident.name, resident.record_count) == ("李丽", 3)  # public security's spelling


def test_a_wrong_check_digit_still_links_and_the_sound_number_is_kept(hub, tmp_path):
    zhang = person("T-ZW", "张伟", "1985-07-17", True, 202, phone="13800001111")
    wrong = wrong_check_digit(random.Random(1), zhang["id_number"])  # noqa: S311
    write_load(
        tmp_path / "x",
        public_security_persons=[zhang],
        migrant_registrations=[registration(zhang, "T-R2", dwelling_code="T-D2")],
        door_access_cards=[card(zhang, "T-C3", "T-D2", id_number=wrong)],
    )
    linkage.link()
    linked = links()
    mine = {linked[k] for k in ("public_security_persons:T-ZW", "migrant_registrations:T-R2",
                                "door_access_cards:T-C3")}  # fmt: skip
    assert len(mine) == 1
    resident = Resident.objects.get(pk=mine.pop())
    assert (resident.id_number, resident.id_number_valid) == (zhang["id_number"], True)
    assert resident.provenance["id_number"]["source"] == "public_security_persons"


def test_family_members_and_twins_sharing_a_dwelling_stay_apart(hub, tmp_path):
    home = {"current_address": "广州市白云区测试路8号302房", "phone": "13700007777"}
    family = [
        person("T-F1", "王建国", "1968-05-01", True, 301, **home),
        person("T-F2", "刘秀英", "1970-02-02", False, 302, **home),
        person("T-F3", "王伟", "1995-07-07", True, 303, **home),
        # Twins: one birth date, one home, one phone; only their numbers and names differ.
        person("T-F4", "王欣", "2003-09-09", False, 304, **home),
        person("T-F5", "王悦", "2003-09-09", False, 305, **home),
    ]
    write_load(
        tmp_path / "x",
        public_security_persons=family,
        migrant_registrations=[
            registration(p, f"T-RF{i}", dwelling_code="T-D3") for i, p in enumerate(family)
        ],
        door_access_cards=[
            card(p, f"T-CF{i}", "T-D3", id_number="" if i >= 3 else p["id_number"])
            for i, p in enumerate(family)
        ],
    )
    linkage.link()
    linked = links()
    residents = [
        {linked[f"public_security_persons:{p['person_key']}"],
         linked[f"migrant_registrations:T-RF{i}"], linked[f"door_access_cards:T-CF{i}"]}
        for i, p in enumerate(family)
    ]  # fmt: skip
    assert all(len(r) == 1 for r in residents), residents  # each person's records together
    assert len(set.union(*residents)) == 5  # and five people


def test_an_incremental_run_keeps_ids_and_links_only_the_new_records(hub, tmp_path):
    li = person("T-LI", "李丽", "1992-03-05", False, 101, phone="13912345670")
    write_load(
        tmp_path / "a",
        public_security_persons=[li],
        migrant_registrations=[registration(li, "T-R1", dwelling_code="T-D1")],
    )
    first = linkage.link()
    before = links()
    mine = before["public_security_persons:T-LI"]
    # A newer extract: 李丽's record changed (a new phone), a new card of hers, a new person.
    moved = {**li, "phone": "13912340000", "updated_at": "2026-11-15T09:00:00+08:00"}
    zhao = person("T-ZM", "赵敏", "1999-12-12", False, 241, phone="13655556666")
    second_load = write_load(
        tmp_path / "b",
        public_security_persons=[moved, zhao],
        door_access_cards=[
            card(li, "T-C9", "T-D1", phone="13912340000"),
            card(zhao, "T-C8", "T-D9"),
        ],
    )
    run = linkage.link()
    assert (run.mode, run.model_version) == (LinkageMode.INCREMENTAL, first.model_version)
    after = links()
    assert {k: after[k] for k in before} == before  # nobody linked before moved
    assert after["door_access_cards:T-C9"] == mine
    new = after["public_security_persons:T-ZM"]
    assert new == after["door_access_cards:T-C8"] and new not in before.values()
    assert run.new_residents == 1
    resident = Resident.objects.get(pk=mine)
    assert resident.phone == "13912340000"  # the most recent record's phone
    assert resident.provenance["phone"]["load"] == second_load.pk
    assert resident.record_count == 3
    # A full run afterwards finds the same people under the same ids.
    full = linkage.link(full=True)
    assert (full.mode, full.new_residents, full.figures["moved"]) == ("full", 0, 0)
    assert links() == after


def test_export_links_writes_every_loaded_person_record(hub, tmp_path, capsys):
    assert cli.main(["datahub", "link"]) == 0
    assert "实有人口" in capsys.readouterr().out
    late = person("T-LATE", "钱多", "1990-01-01", True, 251)
    write_load(tmp_path / "late", public_security_persons=[late])  # loaded, not yet linked
    out = tmp_path / "links.csv"
    assert cli.main(["datahub", "export-links", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["source", "source_key", "resident_id"]
    exported = {f"{s}:{k}": r for s, k, r in rows[1:]}
    linked = links()
    assert len(exported) == len(linked) + 1
    assert exported.pop("public_security_persons:T-LATE") == ""
    assert exported == {k: str(v) for k, v in linked.items()}


def test_explain_names_each_comparison_and_its_weight(hub, tmp_path):
    li = person("T-LI", "李丽", "1992-03-05", False, 101, phone="13912345670")
    write_load(
        tmp_path / "x",
        public_security_persons=[li],
        door_access_cards=[card(li, "T-C1", "T-D1", holder_name="李莉")],
    )
    linkage.link()
    resident = Resident.objects.get(records__source_key="T-LI")
    why = explain(resident)
    assert why["model_version"] == 1 and why["threshold"] == HUB.threshold
    by_key = {r["source_key"]: r for r in why["records"]}
    assert set(by_key) == {"T-LI", "T-C1"}
    levels = {c["field"]: c for c in by_key["T-C1"]["comparisons"]}
    assert set(levels) == {f.column for f in HUB.fields}
    assert (levels["name"]["level"], levels["name"]["level_label"]) == (
        "pinyin",
        "同音（拼音相同）",
    )
    assert levels["id_number"]["level"] == "exact_valid" and levels["id_number"]["match_weight"] > 5
    assert levels["birth_date"]["level"] == "exact"  # read from the card's sound number
    assert levels["address"]["level"] == "null" and levels["address"]["match_weight"] == 0
    assert by_key["T-C1"]["match_weight"] > 0


def test_one_run_at_a_time_but_a_dead_run_does_not_block(hub):
    started = LinkageRun.objects.create(mode=LinkageMode.FULL, started_at=clock.now())
    with pytest.raises(Conflict):
        linkage.link()
    assert linkage.link_task.call() is None  # the worker's run steps aside
    LinkageRun.objects.filter(pk=started.pk).update(
        started_at=clock.now() - linkage.STALE_AFTER - timedelta(minutes=1)
    )
    run_id = linkage.link_task.call()
    assert LinkageRun.objects.get(pk=run_id).status == RunStatus.SUCCEEDED
    assert LinkageRun.objects.get(pk=started.pk).status == RunStatus.FAILED


def test_linking_before_any_person_record_is_loaded_is_refused(db, settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"
    runs = LinkageRun.objects.count()
    with pytest.raises(Invalid):
        linkage.link()
    assert LinkageRun.objects.count() == runs
