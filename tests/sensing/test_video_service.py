"""Video events: de-duplication, review (confirm → a call to urban management), precision."""

import threading

import pytest
from django.db import connection, connections

from huying.calls.choices import Source
from huying.calls.models import Call
from huying.core.errors import Conflict, Forbidden
from huying.core.models import AuditEntry
from huying.notify.models import Notification
from huying.sensing import video
from huying.sensing.choices import VideoEventStatus
from huying.sensing.models import Device, VideoDetection, VideoEvent
from tests.sensing.video_scene import HTTP, at, camera, category, png


def detect(cam, minutes, confidence=0.8, code="street_vendor", snapshot=None, box=None):
    return video.record_detection(
        cam, category(code), at(minutes), confidence, snapshot, box or [], HTTP
    )


@pytest.fixture
def cam(db):
    return camera()


def test_detections_inside_the_window_join_one_event(cam):
    first = detect(cam, 0, 0.7, snapshot=png(rgb=(10, 10, 10)), box=[1, 2, 3, 4])
    second = detect(cam, 20, 0.9, snapshot=png(rgb=(200, 10, 10)), box=[5, 6, 7, 8])
    third = detect(cam, 45, 0.6)  # within 30 minutes of the last detection, not the first
    assert (first.created, second.created, third.created) == (True, False, False)
    event = VideoEvent.objects.get()
    assert (event.detections, event.confidence) == (3, 0.9)
    assert (event.first_at, event.last_at) == (at(0), at(45))
    # The latest snapshot with its box is the event's (the third detection had none).
    assert event.snapshot.name == VideoDetection.objects.get(at=at(20)).snapshot.name
    assert event.box == [5, 6, 7, 8]
    with event.snapshot.open("rb") as stored:
        assert stored.read() == png(rgb=(200, 10, 10))
    assert VideoDetection.objects.filter(event=event).count() == 3


def test_outside_the_window_another_category_or_camera_is_a_new_event(cam):
    detect(cam, 0)
    assert detect(cam, 31).created  # 31 minutes after the last: the window is 30
    assert detect(cam, 32, code="littering").created
    assert detect(camera("CAM-YC-002"), 32).created
    assert VideoEvent.objects.count() == 4


def test_a_late_detection_inside_the_window_joins_without_moving_last_at(cam):
    detect(cam, 10, snapshot=png(rgb=(1, 2, 3)), box=[9, 9, 9, 9])
    late = detect(cam, 0, snapshot=png(rgb=(4, 5, 6)), box=[1, 1, 1, 1])
    assert not late.created
    event = VideoEvent.objects.get()
    assert (event.first_at, event.last_at, event.box) == (at(0), at(10), [9, 9, 9, 9])


def test_after_review_a_detection_makes_a_new_event(cam, persona):
    found = detect(cam, 0)
    video.dismiss(persona("command"), found.event, "行人，非摊贩")
    again = detect(cam, 1)
    assert again.created and again.event.pk != found.event.pk


def test_confirm_calls_urban_management_with_the_town_informed(cam, persona, org):
    found = detect(cam, 0, 0.93, snapshot=png(), box=[10, 10, 20, 20])
    detect(cam, 5, 0.8)
    event = video.confirm(persona("command"), found.event, "确有流动摊贩占道")
    call = Call.objects.get()
    assert event.call == call and event.status == VideoEventStatus.CONFIRMED
    assert call.source == Source.ALARM
    assert call.lead_department == org("440111-cgj")
    assert call.caller_org == org("云城街道") and call.caller.org == org("云城街道")
    assert "游商小贩" in call.title and "抓拍 2 次" in call.description
    assert "确有流动摊贩占道" in call.description
    assert [a.content_type for a in call.attachments.all()] == ["image/png"]
    told = Notification.objects.filter(kind="sensing.video_dispatched")
    assert told.exists() and {n.recipient.org_id for n in told} == {org("云城街道").pk}
    assert call.number in told.first().body
    audit = AuditEntry.objects.get(action="sensing.video_confirmed")
    assert audit.after["call"] == call.number and audit.before["status"] == "pending"
    assert audit.actor == persona("command")


def test_dismiss_is_recorded_and_audited(cam, persona):
    found = detect(cam, 0)
    event = video.dismiss(persona("chengguan"), found.event, "  误识别  ")
    event.refresh_from_db()
    assert (event.status, event.review_note, event.call) == ("dismissed", "误识别", None)
    assert event.reviewed_by == persona("chengguan")
    assert not Call.objects.exists()
    assert AuditEntry.objects.filter(action="sensing.video_dismissed", object_id=str(event.pk))


def test_reviewing_twice_is_a_conflict(cam, persona):
    found = detect(cam, 0)
    video.confirm(persona("command"), found.event)
    with pytest.raises(Conflict):
        video.dismiss(persona("command"), found.event)
    with pytest.raises(Conflict):
        video.confirm(persona("command"), found.event)
    assert Call.objects.count() == 1


def test_only_reviewers_may_decide(cam, persona):
    found = detect(cam, 0)
    for username in ("yuncheng", "zhujian", "leader"):
        with pytest.raises(Forbidden):
            video.dismiss(persona(username), found.event)
    assert VideoEvent.objects.get().status == VideoEventStatus.PENDING


def test_precision_per_camera_and_category(cam, persona):
    other = camera("CAM-YC-002")
    command = persona("command")
    for minutes, decide in ((0, video.confirm), (40, video.confirm), (80, video.dismiss),
                            (120, video.dismiss), (160, video.dismiss)):  # fmt: skip
        decide(command, detect(cam, minutes).event)
    video.dismiss(command, detect(cam, 0, code="littering").event)
    video.confirm(command, detect(other, 0).event)
    detect(other, 200)  # pending: not counted
    found = {(p.camera_id, p.category_id): p for p in video.precision()}
    vendor, litter = category("street_vendor").pk, category("littering").pk
    assert (found[cam.pk, vendor].confirmed, found[cam.pk, vendor].dismissed) == (2, 3)
    assert found[cam.pk, vendor].value == pytest.approx(0.4)
    assert found[cam.pk, litter].value == 0.0
    assert found[other.pk, vendor].value == 1.0
    assert [p.camera_id for p in video.precision(camera=other)] == [other.pk]
    assert [p.category_id for p in video.precision(category=category("littering"))] == [litter]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_concurrent_detections_make_one_event(db):
    """Two analysers post the same sighting at once, from their own connections (committed
    data, as in production): the camera row lock leaves one event with two detections."""
    ids = {}

    def setup():
        ids["camera"] = camera("CAM-CONC-001").pk
        connections.close_all()

    _in_thread(setup)
    barrier = threading.Barrier(4)
    results = []

    def post(k):
        cam = Device.objects.get(pk=ids["camera"])
        barrier.wait()
        results.append(detect(cam, k * 0.1).created)
        connections.close_all()

    try:
        threads = [threading.Thread(target=post, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        counts = {}

        def count():
            events = VideoEvent.objects.filter(camera_id=ids["camera"])
            counts["events"] = events.count()
            counts["detections"] = [e.detections for e in events]
            connections.close_all()

        _in_thread(count)
        assert sorted(results) == [False, False, False, True]
        assert counts == {"events": 1, "detections": [4]}
    finally:
        _in_thread(lambda: _clean(ids["camera"]))


def _in_thread(work):
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)


def _clean(camera_id):
    VideoDetection.objects.filter(event__camera_id=camera_id).delete()
    VideoEvent.objects.filter(camera_id=camera_id).delete()
    Device.objects.filter(pk=camera_id).delete()
    connections.close_all()
