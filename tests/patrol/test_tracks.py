# ruff: noqa: F811  (the `scene` fixture is imported from track_scene and taken as an argument)
"""Positions in through the API, who sees tracks (404 and audited for everyone else), the
command centre's positions, retention by the worker, and the route page."""

from datetime import timedelta

import pytest

from huying.core import clock
from huying.core.models import AuditEntry
from huying.core.worker import SWEEPS
from huying.patrol import tracks
from huying.patrol.models import StayPoint, TrackPoint, Visit
from tests.patrol.track_scene import beijing, scene, walk  # noqa: F401

NOW = beijing("2026-11-10T12:00:00")
URL = "/api/v1/patrol/track"


def payload(points) -> dict:
    return {"points": [{"at": p.at.isoformat(), "lat": p.lat, "lon": p.lon, "accuracy_m": 8}
                       for p in points]}  # fmt: skip


@pytest.fixture
def frozen():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def morning():
    return walk(beijing("2026-11-10T09:00:00"), [("YC-T1", 3), ("YC-T3", 4), ("YC-T4", 0)])


def send(api, points, django_capture_on_commit_callbacks, user="inspector"):
    with django_capture_on_commit_callbacks(execute=True):
        return api(user).post(URL, payload(points), content_type="application/json")


def test_positions_are_stored_once_and_stays_recognised(
    scene, api, frozen, morning, django_capture_on_commit_callbacks
):
    response = send(api, morning, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    assert response.json() == {"received": len(morning)}
    again = send(api, morning, django_capture_on_commit_callbacks)  # the offline queue resent
    assert again.status_code == 202
    inspector = scene["inspector"]
    assert TrackPoint.objects.filter(inspector=inspector).count() == len(morning)
    codes = sorted(s.dwelling.code for s in StayPoint.objects.filter(inspector=inspector))
    assert codes == ["YC-T1", "YC-T3"]
    assert Visit.objects.filter(inspector=inspector, origin="stay").count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": 91}, "points.1.lat"),
        ({"lon": -181}, "points.1.lon"),
        ({"at": "2026-11-10T12:05:00+08:00"}, "points.1.at"),
        ({"at": "2026-01-01T12:00:00+08:00"}, "points.1.at"),
        ({"at": "yesterday"}, "points.1.at"),
        ({"accuracy_m": -1}, "points.1.accuracy_m"),
    ],
)
def test_a_bad_point_is_named_and_nothing_is_stored(scene, api, frozen, morning, change, field):
    body = payload(morning[:3])
    body["points"][1].update(change)
    response = api("inspector").post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not TrackPoint.objects.filter(inspector=scene["inspector"]).exists()


def test_a_batch_over_the_limit_is_refused(scene, api, frozen, morning):
    body = {"points": payload(morning[:1])["points"] * (tracks.MAX_BATCH + 1)}
    response = api("inspector").post(URL, body, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "points"


def test_only_inspectors_send_positions(scene, api, frozen, morning):
    response = api("command").post(URL, payload(morning[:2]), content_type="application/json")
    assert response.status_code == 403
    assert (
        AuditEntry.objects.filter(action="core.permission_denied").latest("seq").actor.username
        == "command"
    )


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [("inspector", True), ("patrol-boss", True), ("command", True), ("admin", True),
     ("inspector-2", False), ("leader", False), ("supervisor", False), ("yuncheng", False),
     ("chengguan", False)],
)  # fmt: skip
def test_who_sees_a_track(
    scene, api, frozen, morning, viewer, sees, django_capture_on_commit_callbacks
):
    send(api, morning, django_capture_on_commit_callbacks)
    denials = AuditEntry.objects.filter(action="core.permission_denied").count()
    inspector = scene["inspector"]
    response = api(viewer).get(URL, {"inspector": inspector.pk, "day": "2026-11-10"})
    page = _page_client(viewer).get(
        "/patrol/track/", {"inspector": inspector.pk, "day": "2026-11-10"}
    )
    if sees:
        assert response.status_code == 200 and page.status_code == 200
        body = response.json()
        assert len(body["points"]) == len(morning)
        assert [s["dwelling_code"] for s in body["stays"]] == ["YC-T1", "YC-T3"]
        assert "YC-T3" in page.content.decode()
    else:
        assert response.status_code == 404 and page.status_code == 404
        assert AuditEntry.objects.filter(action="core.permission_denied").count() == denials + 2


def _page_client(username):
    from django.test import Client

    from huying.orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_positions_today_for_the_command_centre(
    scene, api, frozen, morning, django_capture_on_commit_callbacks
):
    send(api, morning, django_capture_on_commit_callbacks)
    rows = api("command").get("/api/v1/patrol/positions").json()
    assert [(r["name"], r["lat"]) for r in rows] == [("周静", morning[-1].lat)]
    assert api("inspector-2").get("/api/v1/patrol/positions").json() == []
    page = _page_client("command").get("/patrol/track/", {"inspector": scene["inspector"].pk})
    assert 'data-testid="positions"' in page.content.decode()


def test_the_inspector_sends_from_their_own_page_today_only(scene, browser_client, frozen):
    own = browser_client("inspector").get("/patrol/track/").content.decode()
    assert 'data-testid="patrol-sender"' in own and "/api/v1/patrol/track" in own
    past = browser_client("inspector").get("/patrol/track/", {"day": "2026-11-09"})
    assert 'data-testid="patrol-sender"' not in past.content.decode()


def test_retention_sweep_deletes_old_tracks_in_batches(scene, settings, monkeypatch):
    assert SWEEPS["patrol.track_retention"].run is tracks.sweep_retention
    settings.PATROL_TRACK_RETENTION_DAYS = 30
    monkeypatch.setattr(tracks, "SWEEP_BATCH", 7)
    inspector = scene["inspector"]
    old = walk(NOW - timedelta(days=31), [("YC-T1", 3)])
    new = walk(NOW - timedelta(days=29), [("YC-T1", 3)])
    for p in old + new:
        TrackPoint.objects.create(inspector=inspector, at=p.at, lat=p.lat, lon=p.lon,
                                  received_at=p.at)  # fmt: skip
    for p in (old[0], new[0]):
        StayPoint.objects.create(inspector=inspector, started_at=p.at, ended_at=p.at,
                                 lat=p.lat, lon=p.lon, points=1)  # fmt: skip
    with clock.frozen_at(NOW):
        result = tracks.sweep_retention()
        assert result == {"track_points": len(old), "stay_points": 1}
        assert tracks.sweep_retention() == {"track_points": 0, "stay_points": 0}
    assert TrackPoint.objects.filter(inspector=inspector).count() == len(new)
