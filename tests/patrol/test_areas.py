# ruff: noqa: F811  (the `scene` fixture is imported from plan_fixtures and taken as an argument)
"""Areas: villages ∪ dwellings, set by the command centre and administrators, audited."""

import pytest

from huying.core.errors import Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.patrol import areas
from tests.patrol.plan_fixtures import scene  # noqa: F401


def test_area_dwellings_are_its_villages_and_its_list(scene):
    area = areas.area_of(scene["inspector"])
    assert sorted(areas.area_dwellings(area).values_list("code", flat=True)) == [
        "A01", "A02", "A03", "B01",
    ]  # fmt: skip
    assert areas.area_dwellings(None).count() == 0


def test_only_command_and_admin_set_areas(scene, persona):
    with pytest.raises(Forbidden):
        areas.set_area(persona("yuncheng"), scene["inspector"], villages=[], dwellings=[],
                       supervisor=None)  # fmt: skip
    with pytest.raises(Invalid):
        areas.set_area(persona("command"), persona("yuncheng"), villages=[], dwellings=[],
                       supervisor=None)  # fmt: skip
    with pytest.raises(Invalid) as refused:
        areas.set_area(persona("command"), scene["inspector"], villages=["0"], dwellings=[],
                       supervisor=None)  # fmt: skip
    assert refused.value.field == "villages"


def test_put_area_api(scene, api):
    url = "/api/v1/patrol/areas/inspector"
    body = {"villages": [scene["v2"].code], "dwellings": ["A01"], "supervisor": "yuncheng"}
    assert api("yuncheng").put(url, body, content_type="application/json").status_code == 403
    response = api("command").put(url, body, content_type="application/json")
    assert response.status_code == 200
    got = response.json()
    assert got["households"] == 3 and got["dwellings"] == ["A01"]
    entry = AuditEntry.objects.filter(action="patrol.area_set").order_by("-seq").first()
    assert entry.actor.username == "command" and entry.after["villages"] == [scene["v2"].code]
    bad = api("admin").put(url, {**body, "supervisor": "nobody"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "supervisor"
    assert api("admin").put("/api/v1/patrol/areas/nobody", body,
                            content_type="application/json").status_code == 404  # fmt: skip
