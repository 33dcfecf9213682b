"""数据源概况: counts and column profiles read from the Parquet partitions, exact against what
was loaded and following a re-load; sensitive values never leave (page or API); search by
key, ID number and name, masked, logged; 404 for outsiders and unknown sources."""

import shutil

import pytest
from django.urls import reverse

from huying.core.masking import mask_id_number, mask_phone
from huying.core.models import AuditEntry
from huying.datahub import formats, profiles, store
from huying.datahub.choices import LoadStatus
from huying.datahub.models import Load, PersonAccess
from tests.datahub.factories import load_extract, resident
from tests.datahub.hub_fixtures import sound_id

BASE = "/api/v1/datahub/sources"
LI_ID = sound_id("44011119851120456")
ZHAO_ID = sound_id("44011119900307123")
OWNER_ID = sound_id("44011119600101231")
BAD_ID = LI_ID[:17] + ("1" if LI_ID[17] != "1" else "2")  # a wrong check digit
LI_PHONE = "13712340099"
PERSONS = formats.FORMATS["public_security_persons"]


@pytest.fixture
def hub(settings, tmp_path, db):
    """Two loads: three persons and two dwellings, then P1 moved house and P4 arrived."""
    settings.DATAHUB_DIR = tmp_path / "hub"
    first = load_extract(
        tmp_path / "one",
        public_security_persons=[
            {"person_key": "P1", "name": "李丽", "id_number": LI_ID, "phone": LI_PHONE,
             "gender": "女", "current_address": "云城街甲巷 1 号",
             "updated_at": "2026-11-01T09:00:00+08:00"},
            {"person_key": "P2", "name": "赵敏", "id_number": ZHAO_ID, "gender": "男",
             "updated_at": "2026-10-01T08:30:00+08:00"},
            {"person_key": "P3", "name": "李四", "id_number": BAD_ID, "gender": "女"},
        ],
        dwellings=[
            {"dwelling_code": "YC-1", "address": "云城街甲巷 1 号", "owner_name": "陈建国",
             "owner_id_number": OWNER_ID, "rooms": "2", "max_occupants": "4"},
            {"dwelling_code": "YC-2", "address": "云城街乙巷 2 号", "rooms": "2"},
        ],
    )  # fmt: skip
    second = load_extract(
        tmp_path / "two",
        public_security_persons=[
            {"person_key": "P1", "name": "李丽", "id_number": LI_ID, "phone": LI_PHONE,
             "gender": "女", "current_address": "云城街丙巷 3 号",
             "updated_at": "2026-11-20T09:00:00+08:00"},
            {"person_key": "P2", "name": "赵敏", "id_number": ZHAO_ID, "gender": "男",
             "updated_at": "2026-10-01T08:30:00+08:00"},
            {"person_key": "P4", "name": "王五", "gender": "男"},
        ],
    )  # fmt: skip
    li = resident("李丽", ("public_security_persons", "P1"), id_number=LI_ID)
    return {"first": first, "second": second, "li": li}


def test_counts_are_exact_and_follow_a_reload(hub):
    counts = profiles.profile(PERSONS).counts
    assert (counts.current, counts.ever, counts.loads) == (4, 5, 2)
    first, second = hub["first"].pk, hub["second"].pk
    assert [(r.load_id, r.rows, r.new, r.changed) for r in counts.per_load] == [
        (second, 2, 1, 1),  # P4 new, P1 changed; P2 unchanged writes nothing
        (first, 3, 3, 0),
    ]
    assert counts.with_findings == 2  # P3's check digit, P4 without an ID number
    assert {(f.field, f.code, f.count) for f in counts.findings} == {
        ("id_number", "checksum", 1),
        ("id_number", "missing", 1),
    }
    dwellings = profiles.profile(formats.FORMATS["dwellings"]).counts
    assert (dwellings.current, dwellings.ever, dwellings.loads) == (2, 2, 1)


def test_column_profile_counts_values_of_plain_columns_only(hub):
    columns = {c.name: c for c in profiles.profile(PERSONS).columns}
    gender = columns["gender"]
    assert (gender.non_null, gender.distinct, gender.top) == (4, 2, [("女", 2), ("男", 2)])
    updated = columns["updated_at"]  # the current versions: P1's newer time is the max
    assert (updated.min, updated.max, updated.non_null) == (
        "2026-10-01 08:30",
        "2026-11-20 09:00",
        2,
    )
    assert (updated.non_null, updated.null_percent) == (2, 50.0)
    for name in ("name", "id_number", "phone", "current_address", "birth_date"):
        col = columns[name]
        assert col.sensitive and (col.min, col.max, col.top) == (None, None, []), name
    assert (columns["phone"].non_null, columns["phone"].distinct) == (1, 1)
    assert columns["person_key"].top == []  # a key's values each occur once


def test_sensitive_values_never_leave_the_page_or_the_api(hub, browser_client, api):
    page = browser_client("command").get(
        reverse("datahub:source", args=["public_security_persons"])
    )
    body = api("command").get(f"{BASE}/public_security_persons/profile")
    owner = api("supervisor").get(f"{BASE}/dwellings/profile")
    assert page.status_code == body.status_code == owner.status_code == 200
    for text in (page.content.decode(), body.content.decode(), owner.content.decode()):
        for secret in (LI_ID, ZHAO_ID, BAD_ID, LI_PHONE, OWNER_ID, "李丽", "陈建国", "丙巷"):
            assert secret not in text
    assert body.json()["counts"]["current"] == 4
    assert 'data-testid="withheld"' in page.content.decode()


def test_search_by_key_id_and_name(hub, api):
    client = api("command")

    def search(q):
        response = client.post(f"{BASE}/public_security_persons/search", {"q": q},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 200, response.content
        assert LI_ID not in response.content.decode() and LI_PHONE not in response.content.decode()
        return response.json()

    by_key = search("P1")
    assert by_key["key"] == "source_key" and len(by_key["results"]) == 1
    record = by_key["results"][0]
    assert record["load_id"] == hub["second"].pk and record["source_key"] == "P1"
    assert record["values"]["current_address"] == "云城街丙巷 3 号"  # the current version
    assert record["values"]["id_number"] == mask_id_number(LI_ID)
    assert record["values"]["phone"] == mask_phone(LI_PHONE)
    by_id = search(LI_ID[:6] + " " + LI_ID[6:].lower())
    assert by_id["key"] == "id_number" and [r["source_key"] for r in by_id["results"]] == ["P1"]
    assert search("赵敏")["key"] == "name"
    prefix = search("李")
    assert prefix["key"] == "name_prefix"
    assert sorted(r["source_key"] for r in prefix["results"]) == ["P1", "P3"]
    assert search("P3")["results"][0]["findings"] == ["校验位错误，可能有一位录错"]
    assert search("钱七")["results"] == []


def test_search_writes_the_lookup_log_without_the_query(hub, api):
    response = api("supervisor").post(
        f"{BASE}/public_security_persons/search", {"q": LI_ID}, content_type="application/json"
    )
    assert response.status_code == 200
    entry = PersonAccess.objects.get(via="api")
    assert list(entry.residents.all()) == [hub["li"]] and entry.fields == PERSONS.names
    assert "身份证号" in entry.purpose and LI_ID not in entry.purpose
    api("supervisor").post(f"{BASE}/public_security_persons/search", {"q": "钱七"},
                           content_type="application/json")  # fmt: skip
    assert PersonAccess.objects.count() == 1  # nothing returned, nothing shown


def test_full_id_search_is_refused_to_roles_that_may_not_reveal(hub, api, browser_client):
    response = api("leader").post(
        f"{BASE}/public_security_persons/search", {"q": LI_ID}, content_type="application/json"
    )
    assert response.status_code == 403
    page = browser_client("leader").post(
        reverse("datahub:source-search", args=["public_security_persons"]), {"q": LI_ID},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert 'data-testid="search-error"' in page.content.decode()
    assert not PersonAccess.objects.exists()


@pytest.mark.parametrize("username", ["inspector", "yuncheng", "chengguan", "chengguan-head"])
def test_outsiders_get_404(hub, api, browser_client, username):
    page = reverse("datahub:source", args=["public_security_persons"])
    search = reverse("datahub:source-search", args=["public_security_persons"])
    assert browser_client(username).get(page).status_code == 404
    assert browser_client(username).post(search, {"q": "P1"}).status_code == 404
    client = api(username)
    assert client.get(f"{BASE}/public_security_persons/profile").status_code == 404
    assert client.post(f"{BASE}/public_security_persons/search", {"q": "P1"},
                       content_type="application/json").status_code == 404  # fmt: skip
    assert not PersonAccess.objects.exists()
    assert AuditEntry.objects.filter(action="core.permission_denied").count() == 4


def test_unknown_source_is_404(hub, api, browser_client):
    assert api("admin").get(f"{BASE}/nope/profile").status_code == 404
    assert browser_client("admin").get(reverse("datahub:source", args=["nope"])).status_code == 404


def test_page_renders_counts_and_searches_with_htmx(hub, browser_client):
    client = browser_client("command")
    page = client.get(reverse("datahub:source", args=["public_security_persons"]))
    text = page.content.decode()
    assert "数据源概况" in text and 'data-testid="count-current">4<' in text
    assert 'data-testid="count-ever">5<' in text and 'data-testid="count-loads">2<' in text
    assert reverse("datahub:load", args=[hub["second"].pk]) in text
    results = client.post(
        reverse("datahub:source-search", args=["public_security_persons"]), {"q": "李丽"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    partial = results.content.decode()
    assert "<html" not in partial and 'data-key="P1"' in partial
    assert mask_id_number(LI_ID) in partial and LI_ID not in partial
    assert list(PersonAccess.objects.get(via="page").residents.all()) == [hub["li"]]
    # Without htmx the whole page comes back, with the results in it.
    full = client.post(reverse("datahub:source-search", args=["dwellings"]), {"q": "YC-1"})
    assert "<html" in full.content.decode() and 'data-key="YC-1"' in full.content.decode()
    assert OWNER_ID not in full.content.decode()


def test_a_source_never_loaded_shows_zeros(hub, browser_client, api):
    page = browser_client("admin").get(reverse("datahub:source", args=["door_access_cards"]))
    assert page.status_code == 200 and 'data-testid="no-source-loads"' in page.content.decode()
    body = api("admin").get(f"{BASE}/door_access_cards/profile").json()
    assert body["counts"]["current"] == 0 and len(body["columns"]) == 7


def test_load_pages_link_to_the_source_page(hub, browser_client):
    client = browser_client("command")
    url = reverse("datahub:source", args=["public_security_persons"])
    assert url in client.get(reverse("datahub:loads")).content.decode()
    assert url in client.get(reverse("datahub:load", args=[hub["first"].pk])).content.decode()


def test_only_committed_partitions_count(hub):
    """A partition whose load never succeeded (a crash mid-commit) is not read."""
    crashed = Load.objects.create(origin="command", folder="x", created_at=hub["first"].created_at,
                                  status=LoadStatus.FAILED)  # fmt: skip
    orphan = store.partition_path("public_security_persons", crashed.pk)
    shutil.copy(store.partition_path("public_security_persons", hub["first"].pk), orphan)
    counts = profiles.profile(PERSONS).counts
    assert (counts.current, counts.ever, counts.loads) == (4, 5, 2)


def test_swipes_are_found_by_card_and_not_logged(hub, tmp_path, api):
    events = formats.FORMATS["door_access_events"]
    assert profiles.profile(events).counts.current == 0
    load_extract(
        tmp_path / "three",
        door_access_events=[
            {"card_id": "C1", "dwelling_code": "YC-1", "door_id": "D1",
             "event_time": "2026-11-20T07:10:00+08:00"},
            {"card_id": "C1", "dwelling_code": "YC-1", "door_id": "D1",
             "event_time": "2026-11-20T19:40:00+08:00"},
            {"card_id": "C2", "dwelling_code": "YC-2", "door_id": "D2",
             "event_time": "2026-11-21T08:00:00+08:00"},
        ],
    )  # fmt: skip
    body = api("command").post(f"{BASE}/door_access_events/search", {"q": "C1"},
                               content_type="application/json").json()  # fmt: skip
    assert body["key"] == "source_key" and len(body["results"]) == 2
    assert body["results"][0]["values"]["event_time"] == "2026-11-20 07:10"
    assert not PersonAccess.objects.exists()
    assert profiles.profile(events).counts.current == 3  # the new load counts at once
