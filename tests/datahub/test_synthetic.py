"""The synthetic extract: the load format's five files, deterministic, and a truth that holds.

No database: the extract is read back with the csv module and checked against its own truth
(persons.csv, errors.csv) and against python-stdnum's rules for ID numbers.
"""

import csv
import math
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from pypinyin import Style, lazy_pinyin
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from huying.datahub import synthetic_errors as err
from huying.datahub.formats import FORMATS
from huying.datahub.synthetic import ExtractSpec, write_extract

AS_OF = date(2026, 11, 20)
SPEC = ExtractSpec(
    residents=2_000,
    towns=[("云城街道", ["萧岗社区", "云城社区"]), ("人和镇", ["凤和村", "鹤亭村", "方石村"])],
    as_of=AS_OF,
    seed=7,
)
DOCUMENTED = {
    "dwellings": "dwelling_code, address, town, village, owner_name, owner_id_number, "
    "owner_phone, rooms, max_occupants, lat, lon",
    "door_access_cards": "card_id, dwelling_code, holder_name, id_number, phone, issued_at, "
    "expires_at",
    "door_access_events": "card_id, dwelling_code, door_id, event_time",
    "public_security_persons": "person_key, name, id_number, gender, birth_date, "
    "hukou_address, current_address, phone, updated_at",
    "migrant_registrations": "registration_no, name, id_number, gender, birth_date, phone, "
    "dwelling_code, address, employer, registered_at, expires_at, status",
}
PERSON_SOURCES = {
    "door_access_cards": ("card_id", "holder_name"),
    "public_security_persons": ("person_key", "name"),
    "migrant_registrations": ("registration_no", "name"),
}
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00")
MOBILE = re.compile(r"1[3-9]\d{9}")


class Extract:
    def __init__(self, folder, truth, summary):
        self.folder, self.summary = folder, summary
        self.files = {name: _read(folder / f"{name}.csv") for name in DOCUMENTED}
        self.pid = {(r["source"], r["source_key"]): r["person_id"]
                    for r in _read(truth / "persons.csv")}  # fmt: skip
        self.errors: dict[tuple, set] = defaultdict(set)
        for r in _read(truth / "errors.csv"):
            self.errors[(r["source"], r["source_key"])].add(r["error"])
        self.dwellings = {r["dwelling_code"]: r for r in self.files["dwellings"]}

    def person_rows(self):
        """(source, key, name column, row, person id) of every person record."""
        for source, (key_col, name_col) in PERSON_SOURCES.items():
            for row in self.files[source]:
                key = row[key_col]
                yield source, key, name_col, row, self.pid.get((source, key))

    def errs(self, source, key) -> set:
        return self.errors.get((source, key), set())


def _read(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    base = tmp_path_factory.mktemp("synthetic")
    summary = write_extract(base / "load", SPEC, base / "truth")
    return Extract(base / "load", base / "truth", summary)


def _valid(number: str) -> bool:
    try:
        ric.validate(number)
    except ValidationError:
        return False
    return True


def _upgraded(number: str) -> str:
    first17 = f"{number[:6]}19{number[6:]}"
    return first17 + ric.calc_check_digit(first17 + "0")


# --- the files ------------------------------------------------------------------------------


def test_the_five_files_with_exactly_the_documented_headers(extract):
    assert sorted(p.name for p in extract.folder.iterdir()) == sorted(
        f"{name}.csv" for name in DOCUMENTED
    )  # the truth is not in the load folder
    for name, header in DOCUMENTED.items():
        with (extract.folder / f"{name}.csv").open(encoding="utf-8") as fh:
            first = fh.readline().rstrip("\n")
        assert first.split(",") == header.split(", ")
        assert first.split(",") == FORMATS[name].names  # what the hub's loader expects
        assert len(extract.files[name]) == extract.summary.rows[name] > 0


def test_same_seed_same_bytes_other_seed_other_bytes(extract, tmp_path):
    again = write_extract(tmp_path / "load", SPEC, tmp_path / "truth")
    assert again.rows == extract.summary.rows
    for name in DOCUMENTED:
        assert (tmp_path / "load" / f"{name}.csv").read_bytes() == (
            extract.folder / f"{name}.csv"
        ).read_bytes(), name
    for name in ("persons.csv", "errors.csv"):
        assert (tmp_path / "truth" / name).read_bytes() == (
            extract.folder.parent / "truth" / name
        ).read_bytes()
    other = write_extract(tmp_path / "other", replace(SPEC, seed=8, residents=300))
    assert (tmp_path / "other" / "dwellings.csv").read_bytes() != (
        extract.folder / "dwellings.csv"
    ).read_bytes()
    assert other.residents == 300


def test_the_truth_may_not_go_into_the_load_folder(tmp_path):
    with pytest.raises(ValueError, match="truth"):
        write_extract(tmp_path, replace(SPEC, residents=10), tmp_path)
    with pytest.raises(ValueError, match="truth"):
        write_extract(tmp_path, replace(SPEC, residents=10), tmp_path / "truth")


def test_coverage_gives_about_two_and_a_half_records_per_resident(extract):
    s = extract.summary
    assert s.residents == SPEC.residents
    rows = s.rows
    assert 0.86 <= rows["public_security_persons"] / s.residents <= 0.95
    assert 0.70 <= rows["migrant_registrations"] / s.residents <= 0.80
    assert 0.80 <= rows["door_access_cards"] / s.residents <= 0.90
    assert 2.35 <= s.person_records / s.residents <= 2.65
    mean_events = rows["door_access_events"] / rows["door_access_cards"]
    assert SPEC.events_per_card - 0.5 <= mean_events <= SPEC.events_per_card + 0.5


# --- the truth ------------------------------------------------------------------------------


def test_every_person_record_is_in_the_truth_and_nothing_else(extract):
    keys = {(source, key) for source, key, _c, _r, _p in extract.person_rows()}
    assert keys == set(extract.pid)
    people = set(extract.pid.values())
    assert SPEC.residents * 0.95 < len(people) < SPEC.residents * 1.1  # residents + movers
    sources = {source for source, _key in extract.errors}
    assert sources <= {*PERSON_SOURCES, "dwellings"}
    error_keys = {k for k in extract.errors if k[0] != "dwellings"}
    assert error_keys <= keys


def test_id_numbers_pass_stdnum_unless_an_id_error_was_injected(extract):
    checked = Counter()
    for source, key, _c, row, _pid in extract.person_rows():
        checked[_check_id(extract, source, key, row["id_number"])] += 1
    for code, row in extract.dwellings.items():
        checked[_check_id(extract, "dwellings", code, row["owner_id_number"])] += 1
    assert checked["clean"] > 4_000
    assert checked["spoilt"] > 10
    assert checked["fifteen"] > 3
    assert checked["missing"] > 50


def _check_id(extract, source, key, number) -> str:
    errors = extract.errs(source, key)
    spoilt = errors & set(err.ID_ERRORS)
    assert len(spoilt) <= 1
    if not number:
        assert errors & {err.CARD_MISSING_ID}, (source, key)
        return "missing"
    if err.ID_15_DIGIT in errors:
        assert len(number) == 15 and source == "public_security_persons"
        assert _valid(_upgraded(number)), number
        assert not spoilt
        return "fifteen"
    assert len(number) == 18
    assert _valid(number) != bool(spoilt), (source, key, number, errors)
    return "spoilt" if spoilt else "clean"


def test_gender_and_birth_date_agree_with_the_id_number(extract):
    compared = 0
    for source in ("public_security_persons", "migrant_registrations"):
        key_col = PERSON_SOURCES[source][0]
        for row in extract.files[source]:
            number = row["id_number"]
            if extract.errs(source, row[key_col]) & set(err.ID_ERRORS):
                continue
            if len(number) == 15:
                number = _upgraded(number)
            assert row["birth_date"] == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            assert row["gender"] == ("男" if int(number[16]) % 2 else "女")
            assert 1950 <= int(number[6:10]) <= 2008
            compared += 1
    assert compared > 3_000


def test_one_id_number_one_person_and_family_members_stay_distinct(extract):
    person_of_id, ids_of_person = {}, defaultdict(set)
    for source, key, _c, row, pid in extract.person_rows():
        number = row["id_number"]
        if not number or extract.errs(source, key) & set(err.ID_ERRORS):
            continue
        number = _upgraded(number) if len(number) == 15 else number
        assert person_of_id.setdefault(number, pid) == pid, number
        ids_of_person[pid].add(number)
    assert all(len(numbers) == 1 for numbers in ids_of_person.values())

    # Same surname, same dwelling, different people: fathers and children, siblings.
    kin = defaultdict(set)
    for row in extract.files["door_access_cards"]:
        pid = extract.pid[("door_access_cards", row["card_id"])]
        if not extract.errs("door_access_cards", row["card_id"]) & {
            err.NAME_HOMOPHONE, err.NAME_OTHER_PERSON,
        }:  # fmt: skip
            kin[(row["dwelling_code"], row["holder_name"][0])].add((pid, row["holder_name"]))
    families = [members for members in kin.values() if len({p for p, _n in members}) > 1]
    assert len(families) > 30
    for members in families:
        names = {}
        for pid, name in members:
            assert names.setdefault(pid, name) == name
        assert len(set(names.values())) == len(names), members  # given names differ too


# --- the injected errors ---------------------------------------------------------------------


def test_error_rates_within_tolerance_of_the_spec(extract):
    files, rates, found = extract.files, SPEC.errors, Counter()
    for kinds in extract.errors.values():
        found.update(kinds)
    people = sum(len(files[s]) for s in PERSON_SOURCES)
    ids_written = people + len(files["dwellings"]) - found[err.CARD_MISSING_ID]
    phones = sum(1 for s in PERSON_SOURCES for r in files[s] if r["phone"])
    owner_phones = sum(1 for r in files["dwellings"] if r["owner_phone"])
    expected = {
        err.ID_MISTYPED_DIGIT: rates.id_mistyped_digit * ids_written,
        err.ID_CHECK_DIGIT: rates.id_check_digit * ids_written,
        err.ID_SWAPPED_DIGITS: rates.id_swapped_digits * ids_written,
        err.ID_15_DIGIT: rates.id_15_digit * len(files["public_security_persons"]),
        err.CARD_MISSING_ID: rates.card_missing_id * len(files["door_access_cards"]),
        err.NAME_HOMOPHONE: rates.name_homophone * people,
        err.NAME_OTHER_PERSON: rates.name_other_person * (people - found[err.CARD_MISSING_ID]),
        err.PHONE_OLD: rates.phone_old * phones,
        err.PHONE_INVALID: rates.phone_invalid * (phones + owner_phones),
        err.STALE_ADDRESS: rates.stale_address * len(files["migrant_registrations"]),
        err.EXPIRED_REGISTRATION: rates.expired_registration * len(files["migrant_registrations"]),
        err.GROUP_RENTAL: rates.group_rental * len(files["dwellings"]),
    }
    assert set(found) == set(expected)
    assert dict(found) == extract.summary.errors
    for kind, mean in expected.items():
        tolerance = 4 * math.sqrt(mean) + 3  # a binomial count: 4 standard deviations
        assert abs(found[kind] - mean) <= tolerance, (kind, found[kind], round(mean, 1))


def test_homophones_sound_the_same(extract):
    true_name = _true_names(extract)
    seen = 0
    for source, key, name_col, row, pid in extract.person_rows():
        if err.NAME_HOMOPHONE not in extract.errs(source, key) or pid not in true_name:
            continue
        name, truth = row[name_col], true_name[pid]
        assert name != truth and len(name) == len(truth)
        assert sum(a != b for a, b in zip(name, truth, strict=True)) == 1
        assert lazy_pinyin(name, style=Style.NORMAL) == lazy_pinyin(truth, style=Style.NORMAL)
        seen += 1
    assert seen > 20


def test_another_persons_name_is_a_housemates(extract):
    true_name = _true_names(extract)
    occupants = _occupants(extract)
    by_address = {r["address"]: c for c, r in extract.dwellings.items()}
    seen = 0
    for source, key, name_col, row, pid in extract.person_rows():
        if err.NAME_OTHER_PERSON not in extract.errs(source, key):
            continue
        dwelling = row.get("dwelling_code") or by_address[row["current_address"]]
        housemates = {true_name.get(p) for p in occupants[dwelling] if p != pid}
        assert row["id_number"] and row[name_col] != true_name.get(pid)
        assert row[name_col] in housemates, (source, key, row[name_col])
        seen += 1
    assert seen > 3


def _true_names(extract) -> dict[str, str]:
    names = {}
    for source, key, name_col, row, pid in extract.person_rows():
        if not extract.errs(source, key) & {err.NAME_HOMOPHONE, err.NAME_OTHER_PERSON}:
            assert names.setdefault(pid, row[name_col]) == row[name_col]
    return names


def test_phones_are_mobiles_unless_spoilt(extract):
    invalid = 0
    rows = [(s, k, r["phone"]) for s, k, _c, r, _p in extract.person_rows()]
    rows += [("dwellings", c, r["owner_phone"]) for c, r in extract.dwellings.items()]
    for source, key, phone in rows:
        if not phone:
            continue
        spoilt = err.PHONE_INVALID in extract.errs(source, key)
        assert bool(MOBILE.fullmatch(phone)) != spoilt, (source, key, phone)
        invalid += spoilt
    assert invalid > 5


def test_stale_addresses_and_expired_registrations_of_people_still_swiping(extract):
    files = extract.files
    swiping_at = defaultdict(set)
    swiped = {r["card_id"] for r in files["door_access_events"]}
    for row in files["door_access_cards"]:
        if row["card_id"] in swiped:
            pid = extract.pid[("door_access_cards", row["card_id"])]
            swiping_at[pid].add(row["dwelling_code"])
    stale = expired = 0
    for row in files["migrant_registrations"]:
        key = row["registration_no"]
        errors, pid = extract.errs("migrant_registrations", key), extract.pid[
            ("migrant_registrations", key)]  # fmt: skip
        ends = datetime.fromisoformat(row["expires_at"]).date()
        if err.STALE_ADDRESS in errors:
            assert swiping_at[pid] and row["dwelling_code"] not in swiping_at[pid]
            assert row["status"] == "有效" and ends > AS_OF
            assert row["address"] == extract.dwellings[row["dwelling_code"]]["address"]
            stale += 1
        elif err.EXPIRED_REGISTRATION in errors:
            assert row["dwelling_code"] in swiping_at[pid]
            assert row["status"] == "已过期" and ends < AS_OF
            expired += 1
        elif row["status"] == "有效":
            assert ends > AS_OF
            if swiping_at[pid]:
                assert row["dwelling_code"] in swiping_at[pid]
        else:  # a former tenant's: no card swipes any more
            assert row["status"] in ("已过期", "已注销") and not swiping_at[pid]
    assert stale > 20 and expired > 10


def test_group_rentals_exceed_max_occupants_and_other_dwellings_do_not(extract):
    occupants = _occupants(extract)
    groups = [c for (s, c), kinds in extract.errors.items() if err.GROUP_RENTAL in kinds]
    assert groups
    for code, row in extract.dwellings.items():
        if code in groups:
            assert len(occupants[code]) > int(row["max_occupants"]), code
        else:
            assert len(occupants[code]) <= int(row["max_occupants"]), code


def _occupants(extract) -> dict[str, set]:
    """Who the sources place in each dwelling today (former tenants and stale registrations
    left out)."""
    files, found = extract.files, defaultdict(set)
    movers = set()
    for row in files["migrant_registrations"]:
        key = ("migrant_registrations", row["registration_no"])
        if row["status"] != "有效" and err.EXPIRED_REGISTRATION not in extract.errs(*key):
            movers.add(extract.pid[key])
        elif err.STALE_ADDRESS not in extract.errs(*key):
            found[row["dwelling_code"]].add(extract.pid[key])
    for row in files["door_access_cards"]:
        found[row["dwelling_code"]].add(extract.pid[("door_access_cards", row["card_id"])])
    by_address = {r["address"]: c for c, r in extract.dwellings.items()}
    for row in files["public_security_persons"]:
        pid = extract.pid[("public_security_persons", row["person_key"])]
        if pid not in movers:
            found[by_address[row["current_address"]]].add(pid)
    return found


# --- places and times ------------------------------------------------------------------------


def test_dwellings_codes_addresses_and_coordinates(extract):
    rows = extract.files["dwellings"]
    assert len({r["address"] for r in rows}) == len(rows)
    towns = dict(SPEC.towns)
    for r in rows:
        spoilt = extract.errs("dwellings", r["dwelling_code"]) & set(err.ID_ERRORS)
        assert r["owner_id_number"].startswith("4401") or spoilt
        assert re.fullmatch(r"(YC|RH)-\d{4}-\d{5}", r["dwelling_code"])
        assert r["village"] in towns[r["town"]]
        assert r["address"].startswith(f"广州市白云区{r['town']}{r['village']}")
        assert re.search(r"\d+号\d+房$", r["address"])
        assert 1 <= int(r["rooms"]) <= 12 and int(r["max_occupants"]) == 2 * int(r["rooms"])
        assert 23.1 < float(r["lat"]) < 23.45 and 113.18 < float(r["lon"]) < 113.45
    for source in ("door_access_cards", "door_access_events", "migrant_registrations"):
        assert {r["dwelling_code"] for r in extract.files[source]} <= set(extract.dwellings)


def test_times_and_events(extract):
    files = extract.files
    cards = {r["card_id"]: r for r in files["door_access_cards"]}
    window_start = datetime.fromisoformat(f"{AS_OF - timedelta(days=30)}T00:00:00+08:00")
    window_end = datetime.fromisoformat(f"{AS_OF}T00:00:00+08:00")
    keys = set()
    for r in files["door_access_events"]:
        assert r["dwelling_code"] == cards[r["card_id"]]["dwelling_code"]
        assert r["door_id"].startswith(r["dwelling_code"][:7])
        assert DATETIME.fullmatch(r["event_time"])
        when = datetime.fromisoformat(r["event_time"])
        assert window_start <= when < window_end
        assert when > datetime.fromisoformat(cards[r["card_id"]]["issued_at"])
        keys.add((r["card_id"], r["door_id"], r["event_time"]))
    assert len(keys) == len(files["door_access_events"])  # the source's key is unique
    for source, columns in (
        ("door_access_cards", ("issued_at", "expires_at")),
        ("public_security_persons", ("updated_at",)),
        ("migrant_registrations", ("registered_at", "expires_at")),
    ):
        for r in files[source]:
            for column in columns:
                assert not r[column] or DATETIME.fullmatch(r[column]), (source, r[column])
    for r in files["door_access_cards"]:
        assert datetime.fromisoformat(r["issued_at"]) < window_end
    assert {r["status"] for r in files["migrant_registrations"]} == {"有效", "已过期", "已注销"}
