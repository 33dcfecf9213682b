# ruff: noqa: F811  (fixtures are imported from household_scene and taken as arguments)
"""POST /api/v1/patrol/visits, /photos, /id-check over real HTTP: a resend with the same key
stores nothing twice; errors name `occupants.N.field`; only the household's inspector writes."""

import io
import uuid

from huying.core.models import AuditEntry
from huying.datahub.models import AccessKind, PersonAccess
from huying.patrol.choices import VisitOrigin
from huying.patrol.models import Visit, VisitOccupant, VisitPhoto
from tests.patrol.household_scene import NOW, home, id_number, scene  # noqa: F401

VISITS, PHOTOS, ID_CHECK = (
    "/api/v1/patrol/visits",
    "/api/v1/patrol/photos",
    "/api/v1/patrol/id-check",
)


def body(home, **changes) -> dict:
    payload = {
        "key": str(uuid.uuid4()), "dwelling": home["a01"].pk,
        "visited_at": NOW.replace(hour=7).isoformat(), "origin": "page",
        "occupants": [
            {"resident": home["zhang"].pk, "outcome": "confirmed"},
            {"resident": home["li"].pk, "outcome": "differs", "phone": "13711112222"},
            {"outcome": "new", "name": "赵六", "id_number": id_number("20000229", "111")},
        ],
        "checklist": {"fire_exit": True, "not_overcrowded": False, "no_hazard": True},
        "notes": "楼道堆放杂物",
    }  # fmt: skip
    return {**payload, **changes}


def jpeg() -> bytes:
    """The bytes a JPEG starts and ends with: the type is read from the first ones."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200) + b"\xff\xd9"


def test_a_visit_is_stored_once_however_often_it_is_resent(home, api):
    client, payload = api("inspector"), body(home)
    first = client.post(VISITS, payload, content_type="application/json")
    assert first.status_code == 201, first.json()
    stored = first.json()
    assert [o["outcome"] for o in stored["occupants"]] == ["confirmed", "differs", "new"]
    assert (
        stored["occupants"][2]["id_number"].startswith("440111")
        and "*" in stored["occupants"][2]["id_number"]
    )
    audits = AuditEntry.objects.count()
    for _ in range(3):
        again = client.post(
            VISITS, {**payload, "origin": "offline"}, content_type="application/json"
        )
        assert again.status_code == 200 and again.json()["id"] == stored["id"]
    assert Visit.objects.filter(key=payload["key"]).count() == 1
    assert VisitOccupant.objects.filter(visit_id=stored["id"]).count() == 3
    assert AuditEntry.objects.count() == audits
    visit = Visit.objects.get(pk=stored["id"])
    assert visit.origin == VisitOrigin.PAGE and visit.checklist["not_overcrowded"] is False
    li = visit.occupants.get(resident=home["li"])
    assert li.phone == "13711112222" and li.details == {"corrected": ["phone"]}


def test_errors_name_the_occupant_and_field_and_store_nothing(home, api):
    client = api("inspector")
    cases = [
        ([{"resident": home["wang"].pk, "outcome": "confirmed"}], "occupants.0.resident"),
        ([{"outcome": "new", "name": ""}], "occupants.0.name"),
        ([{"outcome": "new", "name": "赵六", "id_number": "440111199003071231"}],
         "occupants.0.id_number"),
        ([{"resident": home["zhang"].pk, "outcome": "confirmed"},
          {"resident": home["li"].pk, "outcome": "differs", "phone": "123"}], "occupants.1.phone"),
        ([{"resident": home["li"].pk, "outcome": "differs", "name": "李四"}], "occupants.0.name"),
        ([{"outcome": "gone"}], "occupants.0.outcome"),
    ]  # fmt: skip
    for occupants, field in cases:
        r = client.post(VISITS, body(home, occupants=occupants), content_type="application/json")
        assert r.status_code == 422, (field, r.json())
        assert r.json()["errors"][0]["field"] == field
        assert "请求有误" in r.json()["detail"] or r.json()["detail"]
    r = client.post(VISITS, body(home, visited_at=NOW.replace(hour=23).isoformat()),
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "visited_at"
    assert not Visit.objects.exists()


def test_only_the_households_inspector_writes(home, api):
    payload = body(home)
    assert api("yuncheng").post(VISITS, payload, content_type="application/json").status_code == 403
    assert api("command").post(VISITS, payload, content_type="application/json").status_code == 403
    r = api("inspector2").post(VISITS, payload, content_type="application/json")
    assert r.status_code == 404
    assert (
        api("chengguan").post(VISITS, payload, content_type="application/json").status_code == 404
    )
    assert AuditEntry.objects.filter(action="core.permission_denied").count() >= 3
    assert not Visit.objects.exists()


def test_another_inspectors_key_is_409(home, api):
    payload = body(home)
    assert (
        api("inspector").post(VISITS, payload, content_type="application/json").status_code == 201
    )
    b01 = home["places"][3]
    r = api("inspector2").post(VISITS, {**payload, "dwelling": b01.pk, "occupants": []},
                               content_type="application/json")  # fmt: skip
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "key"


def test_photos_upload_once_and_bind_to_the_visit(home, api):
    client, key = api("inspector"), str(uuid.uuid4())
    first = client.post(PHOTOS, {"key": key, "file": io.BytesIO(jpeg())})
    assert first.status_code == 201, first.json()
    again = client.post(PHOTOS, {"key": key, "file": io.BytesIO(jpeg())})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert VisitPhoto.objects.count() == 1
    photo_id = first.json()["id"]
    r = client.post(VISITS, body(home, photos=[photo_id]), content_type="application/json")
    assert r.status_code == 201 and r.json()["photos"] == [photo_id]
    assert VisitPhoto.objects.get(pk=photo_id).visit_id == r.json()["id"]
    used = client.post(VISITS, body(home, photos=[photo_id]), content_type="application/json")
    assert used.status_code == 422 and used.json()["errors"][0]["field"] == "photos"


def test_a_photo_must_be_an_image_within_the_limit(home, api, settings):
    client = api("inspector")
    pdf = client.post(PHOTOS, {"key": str(uuid.uuid4()), "file": io.BytesIO(b"%PDF-1.4 x")})
    assert pdf.status_code == 422 and pdf.json()["errors"][0]["field"] == "file"
    settings.CALLS_ATTACHMENT_MAX_MB = 0
    big = client.post(PHOTOS, {"key": str(uuid.uuid4()), "file": io.BytesIO(jpeg())})
    assert big.status_code == 422 and "MB" in big.json()["detail"]
    assert (
        api("yuncheng")
        .post(PHOTOS, {"key": str(uuid.uuid4()), "file": io.BytesIO(jpeg())})
        .status_code
        == 403
    )
    assert not VisitPhoto.objects.exists()


def test_id_check_says_which_digit_and_finds_the_hub_resident(home, api):
    client, number = api("inspector"), home["wang"].id_number
    found = client.post(ID_CHECK, {"id_number": number.lower()}, content_type="application/json")
    assert found.status_code == 200
    data = found.json()
    assert data["valid"] and data["resident"]["name"] == "王五"
    assert data["resident"]["id_number"] == f"{number[:6]}********{number[-4:]}"
    logged = PersonAccess.objects.filter(kind=AccessKind.SEARCH).latest("pk")
    assert list(logged.subjects.values_list("resident_id", flat=True)) == [home["wang"].pk]
    wrong = number[:9] + str((int(number[9]) + 1) % 10) + number[10:]
    bad = client.post(ID_CHECK, {"id_number": wrong, "resident": home["wang"].pk},
                      content_type="application/json").json()  # fmt: skip
    assert not bad["valid"] and bad["resident"] is None
    assert any("校验位" in f["message"] for f in bad["findings"])
    assert any("第 10 位" in h for h in bad["hints"]), bad
    short = client.post(ID_CHECK, {"id_number": "44011119900307"}, content_type="application/json")
    assert "18 位" in short.json()["findings"][0]["message"]


def test_id_check_of_someone_out_of_view_finds_nobody_and_is_still_logged(home, api):
    r = api("inspector2").post(ID_CHECK, {"id_number": home["wang"].id_number},
                               content_type="application/json")  # fmt: skip
    assert r.status_code == 200
    assert PersonAccess.objects.filter(kind=AccessKind.SEARCH, user__username="inspector2").exists()
    caller = api("yuncheng").post(ID_CHECK, {"id_number": home["wang"].id_number},
                                  content_type="application/json")  # fmt: skip
    assert caller.status_code == 403  # a caller may search by masked ID only


def test_a_households_visits_are_listed_to_those_who_see_it(
    home, api, django_assert_max_num_queries
):
    payload = body(home)
    api("inspector").post(VISITS, payload, content_type="application/json")
    api("inspector").post(VISITS, body(home, occupants=[]), content_type="application/json")
    client = api("yuncheng")
    with django_assert_max_num_queries(12):
        listed = client.get(VISITS, {"dwelling": home["a01"].pk})
    assert listed.status_code == 200 and len(listed.json()) == 2
    assert {v["key"] for v in listed.json()} >= {payload["key"]}
    assert api("inspector2").get(VISITS, {"dwelling": home["a01"].pk}).status_code == 404
