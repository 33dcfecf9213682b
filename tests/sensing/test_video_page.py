"""The review queue page (/sensing/video/): the queue, the panel, htmx decisions, scoping."""

import pytest

from huying.calls.models import Call
from huying.sensing import video
from huying.sensing.models import VideoEvent
from tests.sensing.video_scene import HTTP, at, camera, category, png

PAGE = "/sensing/video/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def events(db):
    cam = camera()
    pending = video.record_detection(
        cam, category(), at(0), 0.88, png(), [4, 4, 20, 10], HTTP
    ).event
    video.record_detection(cam, category(), at(3), 0.7, png(), [5, 5, 20, 10], HTTP)
    older = video.record_detection(cam, category("littering"), at(-90), 0.6, None, [], HTTP).event
    return pending, older


def test_the_queue_shows_pending_events_and_the_selected_one(browser_client, events):
    pending, older = events
    page = browser_client("command").get(PAGE, {"event": pending.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="queue-item"') == 2
    assert html.index(f'data-id="{pending.pk}"') < html.index(f'data-id="{older.pk}"')  # newest
    assert 'data-testid="video-event"' in html and 'data-box="5,5,20,10"' in html
    assert "2 次" in html and "游商小贩" in html
    assert 'hx-trigger="every 5s, video-queue-changed from:body"' in html
    assert 'data-testid="confirm"' in html


def test_the_polled_queue_and_the_panel_are_fragments(browser_client, events):
    _, older = events
    client = browser_client("command")
    queue = client.get("/sensing/video/queue/", headers=HTMX).content.decode()
    assert queue.startswith('<section id="video-queue"') and "<html" not in queue
    panel = client.get(f"/sensing/video/events/{older.pk}/", headers=HTMX).content.decode()
    assert 'data-testid="camera-history"' in panel and "游商小贩" in panel  # the other event


def test_confirm_with_htmx_then_a_second_decision_is_409_in_the_panel(browser_client, events):
    pending, _ = events
    client = browser_client("command")
    url = f"/sensing/video/events/{pending.pk}/"
    done = client.post(url + "confirm/", {"note": "属实"}, headers=HTMX)
    assert done.status_code == 200 and done["HX-Trigger"] == "video-queue-changed"
    call = Call.objects.get()
    assert call.number in done.content.decode()
    again = client.post(url + "dismiss/", {}, headers=HTMX)
    assert again.status_code == 409
    assert 'data-testid="review-error"' in again.content.decode()
    assert VideoEvent.objects.get(pk=pending.pk).status == "confirmed"


def test_the_snapshot_is_served_to_those_who_see_the_event(browser_client, events):
    pending, _ = events
    url = f"/sensing/video/events/{pending.pk}/snapshot/"
    shown = browser_client("yuncheng").get(url)
    assert (shown.status_code, shown["Content-Type"]) == (200, "image/png")
    assert b"".join(shown.streaming_content) == png()
    assert browser_client("helong").get(url).status_code == 404


def test_scoping_of_the_page(browser_client, events):
    pending, _ = events
    town = browser_client("yuncheng").get(PAGE, {"event": pending.pk}).content.decode()
    assert 'data-testid="video-event"' in town and 'data-testid="confirm"' not in town
    assert browser_client("helong").get(PAGE).content.decode().count("queue-item") == 0
    for outsider in ("zhujian", "renhe-village"):
        assert browser_client(outsider).get(PAGE).status_code == 404
    assert browser_client("helong").get(PAGE, {"event": pending.pk}).status_code == 404
    post = browser_client("helong").post(f"/sensing/video/events/{pending.pk}/confirm/")
    assert post.status_code == 404 and not Call.objects.exists()
