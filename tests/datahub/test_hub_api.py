# ruff: noqa: F811  (the `hub` fixture is imported from hub_fixtures and taken as an argument)
"""The hub through the API: masked answers, reveal (422 naming the reason, audited), search by
key and scope, 404 out of scope, upload → 202, discrepancy actions (409 wrong state)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from huying.core.masking import mask_id_number
from huying.core.models import AuditEntry
from huying.datahub.models import Load, PersonAccess
from huying.datahub.tasks import run_load_task
from tests.datahub.hub_fixtures import LI_ID, LI_PHONE, OWNER_ID, hub  # noqa: F401

BASE = "/api/v1/datahub"


def _search(client, q: str):
    return client.post(f"{BASE}/residents/search", {"q": q}, content_type="application/json")


def test_search_answers_masked_and_logs(hub, api):
    response = _search(api("inspector"), "lili")
    body = response.json()
    assert response.status_code == 200 and body["key"] == "pinyin"
    assert body["results"][0]["id_number"] == mask_id_number(LI_ID)
    assert LI_ID not in response.content.decode() and LI_PHONE not in response.content.decode()
    assert list(PersonAccess.objects.get(via="api").residents.all()) == [hub["li"]]


def test_full_id_search_is_403_for_callers(hub, api):
    assert _search(api("yuncheng"), LI_ID).status_code == 403
    body = _search(api("command"), LI_ID).json()
    assert [r["id"] for r in body["results"]] == [hub["li"].pk]


def test_search_is_post_only_the_query_never_in_the_url(hub, api):
    response = api("command").get(f"{BASE}/residents", {"q": LI_ID})
    assert response.status_code in (404, 405) and not PersonAccess.objects.exists()
    assert api("command").get(f"{BASE}/residents/search", {"q": LI_ID}).status_code == 405
    too_long = _search(api("command"), "李" * 65)
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "q"
    schema = api("admin").get("/api/openapi.json").json()["paths"][f"{BASE}/residents/search"]
    assert set(schema) == {"post"}


def test_resident_detail_masked_and_scoped(hub, api):
    client = api("inspector")
    response = client.get(f"{BASE}/residents/{hub['li'].pk}")
    assert response.status_code == 200
    text = response.content.decode()
    assert LI_ID not in text and LI_PHONE not in text
    assert response.json()["source_records"][0]["source_key"] == "P1"
    assert PersonAccess.objects.filter(residents=hub["li"], via="api").exists()
    assert client.get(f"{BASE}/residents/{hub['zhao'].pk}").status_code == 404


def test_reveal_needs_a_reason(hub, api):
    client = api("inspector")
    url = f"{BASE}/residents/{hub['li'].pk}/reveal"
    refused = client.post(url, {"field": "phone", "reason": ""}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    shown = client.post(
        url, {"field": "phone", "reason": "联系本人"}, content_type="application/json"
    )
    assert shown.json() == {"field": "phone", "value": LI_PHONE}
    assert AuditEntry.objects.filter(action="datahub.reveal", reason="联系本人").exists()
    leader = api("leader").post(
        url, {"field": "phone", "reason": "x"}, content_type="application/json"
    )
    assert leader.status_code == 403


def test_dwelling_owner_masked(hub, api):
    body = api("inspector").get(f"{BASE}/dwellings/{hub['dwelling'].pk}").json()
    assert body["owner_id_number"] == mask_id_number(OWNER_ID) and body["over_occupancy"]
    assert body["occupancies"][0]["resident_id"] == hub["li"].pk


def test_upload_is_202_and_runs(hub, api, django_capture_on_commit_callbacks):
    csv = (
        "dwelling_code,address,town,village,owner_name,owner_id_number,owner_phone,rooms,"
        "max_occupants,lat,lon\nYC-8,云城街戊巷 8 号,云城街道,,,,,,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=False):
        response = api("command").post(
            f"{BASE}/loads", {"dwellings": SimpleUploadedFile("x.csv", csv.encode())}
        )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    load_id = response.json()["id"]
    queued_links = DBTaskResult.objects.filter(task_path__endswith="link_task").count()
    run_load_task.call(load_id)
    assert api("command").get(f"{BASE}/loads/{load_id}").json()["status"] == "succeeded"
    # What it changed is linked next, by the worker.
    assert DBTaskResult.objects.filter(task_path__endswith="link_task").count() == queued_links + 1
    assert Load.objects.get(pk=load_id).origin == "api"
    assert api("inspector").get(f"{BASE}/loads").status_code == 403
    empty = api("command").post(f"{BASE}/loads", {})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "dwellings"


def test_discrepancy_list_and_actions(hub, api):
    client = api("inspector")
    item = hub["item"]
    listing = client.get(f"{BASE}/discrepancies", {"village": hub["community"].code}).json()
    assert [d["id"] for d in listing["items"]] == [item.pk]
    assert api("renhe").get(f"{BASE}/discrepancies/{item.pk}").status_code == 404
    dismiss = client.post(
        f"{BASE}/discrepancies/{item.pk}/dismiss", {}, content_type="application/json"
    )
    assert dismiss.status_code == 422 and dismiss.json()["errors"][0]["field"] == "reason"
    ok = client.post(f"{BASE}/discrepancies/{item.pk}/confirm", {"note": "看过"},
                     content_type="application/json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["state"] == "confirmed"
    last = ok.json()["events"][-1]
    assert (last["from_state_label"], last["to_state_label"]) == ("待核实", "已确认")
    again = client.post(f"{BASE}/discrepancies/{item.pk}/confirm", content_type="application/json")
    assert again.status_code == 409


def test_export_via_api_masked(hub, api):
    response = api("inspector").post(
        f"{BASE}/exports/residents", {"village": hub["community"].code},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200 and LI_ID.encode() not in response.content
    assert PersonAccess.objects.filter(via="export", residents=hub["li"]).exists()


def test_openapi_documents_the_hub(hub, api):
    schema = api("admin").get("/api/openapi.json").json()
    assert f"{BASE}/residents/{{resident_id}}/reveal" in schema["paths"]
    assert f"{BASE}/loads" in schema["paths"] and f"{BASE}/discrepancies" in schema["paths"]


def test_search_queries_do_not_grow_with_the_results(hub, api, django_assert_num_queries):
    client = api("command")
    _search(client, "李")  # the token's first use is recorded once
    # The token, the dwelling-code check, name =, the name prefix, the lookup log (its access
    # and its subjects, in a savepoint): however many rows (ResidentOut's fields are all in
    # hub_selectors.LIST_COLUMNS).
    with django_assert_num_queries(8):
        body = _search(client, "李").json()
    assert {r["name"] for r in body["results"]} == {"李丽", "李四"}
    assert body["results"][0]["village"]["name"] and body["results"][0]["town"]["name"]
