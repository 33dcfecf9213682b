"""Photos and documents: staged by upload, bound to the step that carries them, read in scope."""

import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huying.calls import attachments, services
from huying.calls.models import Attachment
from huying.core import clock
from huying.core.errors import Invalid

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\n" + b"0" * 64


def upload(name="现场.jpg", content=JPEG, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def staged(persona, username="yuncheng", **kw):
    return attachments.stage(actor=persona(username), upload=upload(**kw))


def test_the_type_comes_from_the_bytes_not_the_name(persona):
    photo = staged(persona, name="photo.exe", content=PNG, content_type="text/html")
    assert photo.content_type == "image/png" and photo.file.name.endswith(".png")
    assert photo.name == "photo.exe"  # the uploader's name is kept for display only
    assert len(photo.sha256) == 64 and photo.size == len(PNG)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"<html><script>", "只能上传照片"), (b"", "空的")],
)
def test_other_files_are_refused_naming_the_field(persona, content, message):
    with pytest.raises(Invalid) as caught:
        staged(persona, content=content)
    assert caught.value.field == "file" and message in caught.value.message
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(persona, settings):
    settings.CALLS_ATTACHMENT_MAX_MB = 1
    with pytest.raises(Invalid, match="1MB"):
        staged(persona, content=JPEG + b"\x00" * (1024 * 1024))


def test_a_call_carries_its_photos_on_its_first_event(persona, new_call):
    photos = [staged(persona).pk, staged(persona, content=PDF, name="说明.pdf").pk]
    call = new_call(attachment_ids=photos)
    created = call.events.get(seq=1)
    assert sorted(a.pk for a in created.attachments.all()) == sorted(photos)
    assert created.data["attachment_ids"] == sorted(photos)
    assert set(call.attachments.values_list("pk", flat=True)) == set(photos)


def test_progress_and_resolution_carry_evidence(persona, new_call):
    call = new_call()
    services.respond(actor=persona("chengguan"), call=call)
    before = staged(persona, "chengguan").pk
    services.report_progress(
        actor=persona("chengguan"), call=call, note="已到场", attachment_ids=[before]
    )
    after = staged(persona, "chengguan").pk
    services.resolve(actor=persona("chengguan"), call=call, result="已清理", attachment_ids=[after])
    kinds = {e.kind: [a.pk for a in e.attachments.all()] for e in call.events.all()}
    assert kinds["progress"] == [before] and kinds["resolved"] == [after]


def test_someone_elses_upload_cannot_be_used_and_nothing_changes(persona, new_call):
    theirs = staged(persona, "helong").pk
    with pytest.raises(Invalid) as caught:
        new_call(attachment_ids=[theirs])
    assert caught.value.field == "attachment_ids"
    assert Attachment.objects.get(pk=theirs).call_id is None


def test_an_upload_is_used_once(persona, new_call):
    photo = staged(persona).pk
    new_call(attachment_ids=[photo])
    with pytest.raises(Invalid, match="已被使用"):
        new_call(attachment_ids=[photo])


def test_more_than_nine_files_on_one_step_are_refused(persona, new_call):
    ids = [staged(persona).pk for _ in range(10)]
    with pytest.raises(Invalid, match="最多附9个"):
        new_call(attachment_ids=ids)


def test_unused_uploads_are_pruned_after_a_day(persona):
    photo = staged(persona)
    path = photo.file.path
    assert attachments.prune_staged() == 0
    with clock.frozen_at(clock.now() + timedelta(days=1, minutes=1)):
        assert attachments.prune_staged() == 1
    assert not Attachment.objects.filter(pk=photo.pk).exists()
    assert not os.path.exists(path)


# --- over HTTP ---------------------------------------------------------------------------------


def test_upload_then_call_then_download_in_scope_only(api):
    town = api("yuncheng")
    response = town.post("/api/v1/attachments", {"file": upload()})
    assert response.status_code == 201, response.content
    photo = response.json()
    assert photo["content_type"] == "image/jpeg" and photo["url"].endswith(f"/{photo['id']}")
    created = town.post(
        "/api/v1/calls",
        {
            "title": "井盖缺失",
            "description": "云城东路井盖缺失",
            "domain": "key_work",
            "attachment_ids": [photo["id"]],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    first = created.json()["events"][0]
    assert [a["id"] for a in first["attachments"]] == [photo["id"]]

    download = town.get(photo["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == JPEG
    assert download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api("command").get(photo["url"]).status_code == 200  # district-wide
    assert api("helong").get(photo["url"]).status_code == 404  # another street


def test_an_upload_without_a_file_names_the_field(api):
    response = api("yuncheng").post("/api/v1/attachments", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_a_staged_upload_is_private_to_its_uploader(api):
    photo = api("yuncheng").post("/api/v1/attachments", {"file": upload()}).json()
    assert api("yuncheng").get(photo["url"]).status_code == 200
    assert api("renhe").get(photo["url"]).status_code == 404
