"""The pages: a department drafts, checks, justifies and registers a task; the town finds it in
its inbox and calendar, fills it in (errors named in the page), and the issuer sees progress."""

import io
import re
from datetime import date

from openpyxl import Workbook

from huying.core import clock
from huying.supervision.choices import SubmissionStatus, TaskStatus
from huying.supervision.models import ReportingTask, Submission
from tests.supervision import filling_scene as scene


def _draft(client, renhe) -> ReportingTask:
    form = {
        "title": "出租屋情况月报", "basis": "《广州市房屋租赁管理规定》", "frequency": "weekly",
        "due_day": "5", "starts_on": "2026-11-01", "guidance": "按实填写",
        "recipients": [str(renhe.pk)],
        "field_name": ["出租屋数量", "填报人电话", ""], "field_meaning": ["出租屋套数", "", ""],
        "field_type": ["number", "phone", "text"],
    }  # fmt: skip
    response = client.post("/supervision/tasks/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ReportingTask.objects.get(title="出租屋情况月报")


def test_register_then_fill_in_through_the_pages(browser_client, persona):
    dept, town = browser_client("zhujian"), browser_client("renhe")
    renhe = persona("renhe").org
    with clock.frozen_at(scene.NOW):
        assert "登记新任务" in dept.get("/supervision/tasks/").content.decode()
        task = _draft(dept, renhe)
        assert [f.name for f in task.fields.all()] == ["出租屋数量", "填报人电话"]
        dept.post(f"/supervision/tasks/{task.pk}/check/")
        task.refresh_from_db()
        for flag in task.flags.filter(justified_at__isnull=True):
            dept.post(f"/supervision/tasks/{task.pk}/justify/", {"flag": flag.pk, "text": "需要"})
        page = dept.get(f"/supervision/tasks/{task.pk}/").content.decode()
        assert ("频次过高" in page) == task.flags.filter(kind="frequency").exists()
        dept.post(f"/supervision/tasks/{task.pk}/register/")
        task.refresh_from_db()
        assert task.status == TaskStatus.REGISTERED
        inbox = town.get("/supervision/inbox/").content.decode()
        assert task.title in inbox and "逾期" in inbox  # 6 and 20 November unsent
        assert 'data-day="2026-11-27"' in inbox
        url = f"/supervision/fill/{task.pk}/2026-11-23/"
        fill = town.get(url).content.decode()
        assert "来源：住建局·出租屋基本信息" in fill
        field_id = task.fields.get(name="填报人电话").pk
        bad = town.post(url, {f"f-{field_id}": "12345", "action": "submit"})
        assert bad.status_code == 422 and "手机号应为 11 位" in bad.content.decode()
        ok = town.post(url, {f"f-{field_id}": "13800138000", "action": "submit"})
        assert ok.status_code == 302
        sent = Submission.objects.get(task=task, period=date(2026, 11, 23))
        assert sent.status == SubmissionStatus.SUBMITTED and sent.prefilled_fields == 1
        progress = dept.get(f"/supervision/tasks/{task.pk}/").content.decode()
        assert re.search(r"11-27 已报送", progress)
        assert browser_client("yuncheng").get(url).status_code == 404


def test_a_bad_sheet_in_the_page_names_the_row_and_column(browser_client, persona):
    renhe = persona("renhe").org
    with clock.frozen_at(scene.NOW):
        task = scene.task("T-PAGE", [renhe])
        town = browser_client("renhe")
        book = Workbook()
        sheet = book.active
        sheet.append([name for name, _, _ in scene.FIELDS])
        sheet.append(["说明"] * len(scene.FIELDS))
        sheet.append(["1", "2", "3", "4", "5", "王", "110", "11010519491231002X", "2026-11-01"])
        data = io.BytesIO()
        book.save(data)
        data.seek(0)
        data.name = "filled.xlsx"
        response = town.post(f"/supervision/fill/{task.pk}/2026-11-01/import/", {"file": data})
    assert response.status_code == 422
    assert "第 3 行“填报人电话”" in response.content.decode()
    assert (
        Submission.objects.get(task=task)
        .values.get(str(task.fields.get(name="填报人").pk), {})
        .get("value", "")
        == ""
    )
