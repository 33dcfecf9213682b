"""/api/v1/sensing/video over HTTP: analysers' multipart uploads, the queue, review, scoping."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from huying.calls.models import Call
from huying.sensing.models import VideoEvent
from tests.sensing.test_video_gb28181 import GB_ID, notify
from tests.sensing.video_scene import JPEG, camera, png, token_for

URL = "/api/v1/sensing/video"


@pytest.fixture
def cam(db):
    return camera(gb=GB_ID)


@pytest.fixture
def analyser(cam):
    return Client(headers={"Authorization": f"Bearer {token_for(cam)}"})


def upload(client, *, image=None, name="snap.jpg", **fields):
    data = {"category": "street_vendor", "time": "2026-11-20T09:00:00+08:00",
            "confidence": "0.87", "box": "[10, 20, 30, 40]"} | fields  # fmt: skip
    if image is not False:
        data["snapshot"] = SimpleUploadedFile(name, png() if image is None else image)
    return client.post(f"{URL}/detections", data)  # multipart, as a real form upload


def fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_an_analyser_uploads_detections_that_join_one_event(analyser, cam):
    first = upload(analyser)
    assert first.status_code == 201, first.content.decode()
    second = upload(analyser, image=JPEG, time="2026-11-20T09:10:00+08:00", confidence="0.91")
    assert second.status_code == 200
    assert second.json() == {"event": first.json()["event"], "created": False, "detections": 2,
                             "status": "pending"}  # fmt: skip
    event = VideoEvent.objects.get()
    assert (event.camera, event.confidence, event.box, event.source) == (
        cam, 0.91, [10, 20, 30, 40], "http",
    )  # fmt: skip
    with event.snapshot.open("rb") as stored:
        assert stored.read() == JPEG  # the latest one


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"confidence": "1.5"}, "confidence"),
        ({"time": "yesterday"}, "time"),
        ({"box": "[1, 2, 3]"}, "box"),
        ({"box": "not json"}, "box"),
        ({"image": b"GIF89a" + b"\x00" * 40}, "snapshot"),
        ({"image": b""}, "snapshot"),
        ({"image": b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)}, "snapshot"),
        ({"image": False}, "snapshot"),
    ],
)
def test_bad_uploads_are_422_naming_the_field(analyser, change, field):
    response = upload(analyser, **change)
    assert response.status_code == 422, response.content.decode()
    # A missing file is named "file.snapshot" (core/api_errors.py keeps Ninja's "file" location).
    assert any(name.split(".")[-1] == field for name in fields(response)), fields(response)
    assert not VideoEvent.objects.exists()


def test_detections_need_a_camera_token(db, cam, api):
    assert upload(Client()).status_code == 401
    assert upload(Client(headers={"Authorization": "Bearer hyd_wrong"})).status_code == 401
    assert upload(api("command")).status_code == 401  # a user's token is not a camera's


def test_a_gateway_forwards_a_gb28181_notification(analyser, cam):
    response = analyser.post(
        f"{URL}/gb28181", notify(encoding="GB2312"), content_type="application/xml"
    )
    assert response.status_code == 201, response.content.decode()
    assert VideoEvent.objects.get().source == "gb28181"
    bad = analyser.post(f"{URL}/gb28181", b"<Notify>", content_type="application/xml")
    assert (bad.status_code, fields(bad)) == (422, ["body"])
    other = analyser.post(f"{URL}/gb28181", notify(device="44011100001320009999"),
                          content_type="application/xml")  # fmt: skip
    assert (other.status_code, fields(other)) == (422, ["DeviceID"])  # not this token's camera


def test_the_operator_reviews_through_the_api(analyser, api):
    event_id = upload(analyser).json()["event"]
    command = api("command")
    queue = command.get(f"{URL}/events", {"status": "pending"}).json()
    assert [e["id"] for e in queue["items"]] == [event_id]
    assert queue["items"][0]["snapshot_url"] == f"/sensing/video/events/{event_id}/snapshot/"
    confirmed = command.post(f"{URL}/events/{event_id}/confirm", {"note": "属实"},
                             content_type="application/json")  # fmt: skip
    assert confirmed.status_code == 200, confirmed.content.decode()
    assert confirmed.json()["call"] == Call.objects.get().number
    again = command.post(f"{URL}/events/{event_id}/dismiss", {}, content_type="application/json")
    assert again.status_code == 409
    detail = command.get(f"{URL}/events/{event_id}").json()
    assert (detail["status"], detail["history"]) == ("confirmed", [])
    precision = command.get(f"{URL}/precision").json()
    assert [(p["camera"], p["confirmed"], p["dismissed"], p["precision"]) for p in precision] == [
        ("CAM-YC-001", 1, 0, 1.0)
    ]


def test_scoping_a_town_sees_its_cameras_and_others_get_404(analyser, api):
    event_id = upload(analyser).json()["event"]
    seen = {"command": True, "leader": True, "chengguan": True, "yuncheng": True,
            "helong": False, "zhujian": False, "renhe": False}  # fmt: skip
    for username, sees in seen.items():
        client = api(username)
        listed = [e["id"] for e in client.get(f"{URL}/events").json()["items"]]
        assert (listed == [event_id]) is sees, username
        assert client.get(f"{URL}/events/{event_id}").status_code == (200 if sees else 404)
        if not sees:
            for action in ("confirm", "dismiss"):
                response = client.post(f"{URL}/events/{event_id}/{action}", {},
                                       content_type="application/json")  # fmt: skip
                assert response.status_code == 404, (username, action)
    # The town sees the event but reviewing is the command centre's and urban management's.
    town = api("yuncheng").post(f"{URL}/events/{event_id}/dismiss", {},
                                content_type="application/json")  # fmt: skip
    assert town.status_code == 403
    assert VideoEvent.objects.get().status == "pending"
