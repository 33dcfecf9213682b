"""Filling in: pre-filled values are what the hub holds, the counts and minutes saved, errors
naming the field, the API, and the Excel template's round trip and a refused sheet."""

import io
from datetime import date

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from huying.core import clock
from huying.datahub.models import Dwelling, Resident
from huying.supervision import filling
from huying.supervision.choices import SubmissionStatus, TaskStatus
from huying.supervision.models import Submission
from tests.supervision import filling_scene as scene

VALID_ID = "11010519491231002X"
GOOD = {"填报人": "张三", "填报人电话": "13800138000", "负责人身份证号": VALID_ID,
        "统计日期": "2026-11-20"}  # fmt: skip


@pytest.fixture
def village_task(persona):
    village = persona("renhe-village").org
    with clock.frozen_at(scene.NOW):
        scene.hub_people(village, residents=7, migrants=3, dwellings=[4, 2, None])
        yield scene.task("T-FILL-1", [village, village.parent]), persona("renhe-village")


def _by_name(submission) -> dict:
    return {row["name"]: row for row in filling.rows(submission)}


def test_prefilled_values_equal_what_the_hub_holds(village_task):
    task, cadre = village_task
    village = cadre.org
    with clock.frozen_at(scene.NOW):
        submission = filling.start_submission(cadre, task, date(2026, 11, 3))
    rows = _by_name(submission)
    residents = Resident.objects.filter(village=village)
    migrants = residents.filter(records__source="migrant_registrations").distinct().count()
    dwellings = Dwelling.objects.filter(village=village)
    assert rows["常住人口数（人）"]["value"] == str(residents.count()) == "7"
    assert rows["流动人口数"]["value"] == str(migrants) == "3"
    assert rows["户籍人口数"]["value"] == str(residents.count() - migrants)
    assert rows["出租屋数量"]["value"] == str(dwellings.count())
    assert rows["出租屋间数"]["value"] == str(sum(d.rooms or 0 for d in dwellings))
    assert rows["流动人口数"]["source"] == "来穗人员服务管理局·来穗人员居住登记信息"
    assert rows["填报人"]["value"] == "" and rows["填报人"]["source"] == ""
    assert submission.period == date(2026, 11, 1)
    with clock.frozen_at(scene.NOW):
        again = filling.start_submission(cadre, task, date(2026, 11, 28))
    assert again.pk == submission.pk


@override_settings(SUPERVISION_MINUTES_PER_FIELD=4)
def test_counts_and_minutes_saved(village_task):
    task, cadre = village_task
    with clock.frozen_at(scene.NOW):
        submission = filling.start_submission(cadre, task, date(2026, 11, 3))
        # one pre-filled value corrected: it counts as typed
        sent = filling.submit(cadre, submission, {**GOOD, "出租屋间数": "9"})
    assert sent.status == SubmissionStatus.SUBMITTED
    assert (sent.prefilled_fields, sent.typed_fields) == (4, 5)
    assert sent.minutes_saved == 16
    assert _by_name(sent)["出租屋间数"]["value"] == "9"


def test_validation_names_every_bad_field_and_saves_nothing(village_task):
    task, cadre = village_task
    with clock.frozen_at(scene.NOW):
        submission = filling.start_submission(cadre, task, date(2026, 11, 3))
    bad = {**GOOD, "户籍人口数": "很多", "填报人电话": "1380013", "负责人身份证号":
           VALID_ID[:-1] + "1", "统计日期": "2026-13-40", "填报人": ""}  # fmt: skip
    with pytest.raises(filling.FillErrors) as caught:
        filling.submit(cadre, submission, bad)
    named = {e["field"]: e["message"] for e in caught.value.errors}
    assert set(named) == {"户籍人口数", "填报人电话", "负责人身份证号", "统计日期", "填报人"}
    assert "校验位" in named["负责人身份证号"]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT and submission.typed_fields == 0


def test_only_a_recipient_starts_and_an_unregistered_task_has_no_standing(village_task, persona):
    task, _ = village_task
    with pytest.raises(filling.NotFound):
        filling.start_submission(persona("yuncheng"), task, date(2026, 11, 3))
    task.status = TaskStatus.CHECKED
    task.save()
    with pytest.raises(filling.NotFound):
        filling.start_submission(persona("renhe"), task, date(2026, 11, 3))


def test_api_start_submit_and_scoping(village_task, api):
    task, _cadre = village_task
    client = api("renhe-village")
    with clock.frozen_at(scene.NOW):
        started = client.post(
            "/api/v1/supervision/submissions", {"task": task.pk, "period": "2026-11-05"},
            content_type="application/json",
        )  # fmt: skip
        assert started.status_code == 201, started.content
        body = started.json()
        assert body["due"] == "2026-11-10"
        assert {f["name"]: f["value"] for f in body["fields"]}["流动人口数"] == "3"
        url = f"/api/v1/supervision/submissions/{body['id']}"
        assert api("yuncheng").get(url).status_code == 404
        assert api("renhe").get(url).status_code == 200  # the town sees its village's
        wrong = client.post(f"{url}/submit", {"values": {**GOOD, "统计日期": "昨天"}},
                            content_type="application/json")  # fmt: skip
        assert wrong.status_code == 422
        assert wrong.json()["errors"] == [
            {"field": "统计日期", "message": "应为日期，如 2026-11-24"}
        ]
        sent = client.post(f"{url}/submit", {"values": GOOD}, content_type="application/json")
        assert sent.status_code == 200, sent.content
        assert sent.json()["prefilled_fields"] == 5 and sent.json()["minutes_saved"] == 15
        again = client.post(f"{url}/submit", {"values": GOOD}, content_type="application/json")
        assert again.status_code == 409


def _sheet(client, submission_id) -> bytes:
    response = client.get(f"/api/v1/supervision/submissions/{submission_id}/template.xlsx")
    assert response.status_code == 200
    return response.content


def _fill(content: bytes, cells: dict[str, object], row: int = 3) -> io.BytesIO:
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for name, value in cells.items():
        sheet.cell(row, header.index(name) + 1, value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "filled.xlsx"
    return out


def test_excel_round_trip(village_task, api):
    task, cadre = village_task
    client = api("renhe-village")
    with clock.frozen_at(scene.NOW):
        submission = filling.start_submission(cadre, task, date(2026, 11, 3))
        content = _sheet(client, submission.pk)
        sheet = load_workbook(io.BytesIO(content)).active
        assert [c.value for c in sheet[1]] == [name for name, _, _ in scene.FIELDS]
        assert sheet.cell(2, 2).value == "数字：实际居住半年以上的人口"
        assert sheet.cell(3, 3).value == "3" and "来源" in sheet.cell(3, 3).comment.text
        filled = _fill(content, {**GOOD, "统计日期": date(2026, 11, 20)})
        url = f"/api/v1/supervision/submissions/{submission.pk}/import?send=true"
        response = client.post(url, {"file": filled})
    assert response.status_code == 200, response.content
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert _by_name(submission)["统计日期"]["value"] == "2026-11-20"
    assert submission.prefilled_fields == 5 and submission.typed_fields == 4


def test_a_bad_sheet_is_refused_with_rows_and_columns(village_task, api):
    task, cadre = village_task
    client = api("renhe-village")
    with clock.frozen_at(scene.NOW):
        submission = filling.start_submission(cadre, task, date(2026, 11, 3))
        content = _sheet(client, submission.pk)
        filled = _fill(content, {**GOOD, "填报人电话": "12345", "流动人口数": "三"})
        url = f"/api/v1/supervision/submissions/{submission.pk}/import"
        response = client.post(url, {"file": filled})
        assert response.status_code == 422
        errors = {(e["row"], e["column"]) for e in response.json()["errors"]}
        assert errors == {(3, "填报人电话"), (3, "流动人口数")}
        two_rows = _fill(_fill(content, GOOD).getvalue(), {"填报人": "李四"}, row=5)
        assert client.post(url, {"file": two_rows}).status_code == 422
        junk = io.BytesIO(b"not a workbook")
        junk.name = "x.xlsx"
        assert client.post(url, {"file": junk}).status_code == 422
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.values == submission.values and stored.status == SubmissionStatus.DRAFT
