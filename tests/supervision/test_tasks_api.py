"""The register through the API: create, check, justify, register (409 until justified), and
scoping: a department its own tasks, a town registered tasks addressed to it or its villages,
the commission all, anyone else 404."""

import pytest

from huying.core import clock
from tests.supervision import test_tasks_scene as scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_shared_catalogue")]
BASE = "/api/v1/supervision/tasks"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(scene.NOW):
        yield


def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def _body(recipients, **overrides) -> dict:
    body = scene.data(recipients, **overrides)
    return body | {"starts_on": body["starts_on"].isoformat()}


def test_round_trip_create_check_justify_register(api, settings):
    settings.SUPERVISION_MAX_FREQUENCY = "monthly"
    client = api("yingji")
    made = _post(client, BASE, _body([scene.town()], frequency="weekly"))
    assert made.status_code == 201, made.json()
    task = made.json()
    assert task["status"] == "draft" and task["fields"][0]["name"] == "企业名称"
    checked = _post(client, f"{BASE}/{task['id']}/check").json()
    assert checked["status"] == "checked" and checked["open_flags"] == 1
    flag = checked["flags"][0]
    assert flag["kind"] == "frequency" and flag["evidence"]["frequency"] == "weekly"
    refused = _post(client, f"{BASE}/{task['id']}/register")
    assert refused.status_code == 409 and "频次过高" in refused.json()["detail"]
    bad = _post(client, f"{BASE}/flags/{flag['id']}/justify", {"text": " "})
    assert bad.status_code == 422
    ok = _post(client, f"{BASE}/flags/{flag['id']}/justify", {"text": "汛期"})
    assert ok.status_code == 200 and ok.json()["justification"] == "汛期"
    done = _post(client, f"{BASE}/{task['id']}/register")
    assert done.status_code == 200 and done.json()["status"] == "registered"
    patched = client.patch(f"{BASE}/{task['id']}", {"title": "改"}, content_type="application/json")
    assert patched.status_code == 409


def test_patch_a_draft_and_validation_names_the_field(api):
    client = api("yingji")
    tid = _post(client, BASE, _body([scene.town()])).json()["id"]
    patched = client.patch(f"{BASE}/{tid}", {"fields": [{"name": "甲"}], "frequency": "yearly"},
                           content_type="application/json")  # fmt: skip
    assert patched.status_code == 200
    assert [f["name"] for f in patched.json()["fields"]] == ["甲"]
    assert patched.json()["frequency"] == "yearly"
    bad = _post(client, BASE, _body([scene.town()], basis=""))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "basis"


def test_a_town_sees_its_own_inbox_tasks_only_the_commission_all(api):
    town = scene.town()
    mine = scene.registered("yingji", [scene.village_of(town)], title="到村的表")
    draft = scene.draft("yingji", [town], title="草稿")
    renhe = town.__class__.objects.get(name="人和镇")
    elsewhere = scene.registered("zhujian", [renhe], title="人和的表", fields=[{"name": "乙"}])

    def ids(user):
        return {t["id"] for t in api(user).get(BASE).json()["items"]}

    assert ids("yuncheng") == {mine.pk}
    assert ids("renhe") == {elsewhere.pk}
    assert ids("yingji") == {mine.pk, draft.pk}
    assert {mine.pk, draft.pk, elsewhere.pk} <= ids("supervisor")
    assert api("yuncheng").get(f"{BASE}/{mine.pk}").status_code == 200
    for user, task in [("yuncheng", draft), ("helong", mine), ("zhujian", mine),
                       ("renhe", mine)]:  # fmt: skip
        assert api(user).get(f"{BASE}/{task.pk}").status_code == 404, user
    assert _post(api("helong"), f"{BASE}/{mine.pk}/withdraw").status_code == 404
    assert api("supervisor").get(f"{BASE}/{draft.pk}").status_code == 200
    assert _post(api("supervisor"), f"{BASE}/{draft.pk}/register").status_code == 403


def test_list_filters_by_status(api):
    scene.registered("yingji", [scene.town()])
    scene.draft("yingji", [scene.town()])
    listed = api("supervisor").get(BASE, {"status": "registered"}).json()
    assert listed["count"] >= 1 and {t["status"] for t in listed["items"]} == {"registered"}
