"""The actions on the call page: each role sees exactly the forms it may use in each state, the
service agrees (an offered action succeeds, any other is refused), every post changes the call
and redirects, and a refused post shows the service's Chinese error and changes nothing."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from huying.calls import services
from huying.calls.detail_forms import FORMS
from huying.calls.detail_selectors import ACTIONS, active_departments, available_actions
from huying.calls.models import Attachment, Call, CoordinationMeeting, Rating
from huying.core import clock
from huying.core.errors import BusinessError, Conflict, Forbidden

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\n" + b"0" * 64
PERSONAS = ("yuncheng", "chengguan", "zhujian", "command", "supervisor")
STATES = (
    "called",
    "returned",
    "responded",
    "in_progress",
    "co_signed",  # in progress, and 住建局 (the co-department) has signed too
    "resolved",
    "closed",
    "withdrawn",
)
DEPARTMENT_WORK = {"chengguan": ["progress", "resolve"], "zhujian": ["respond", "progress"]}
EXPECTED = {
    "called": {
        "yuncheng": ["withdraw", "convene"],
        "chengguan": ["respond", "return"],
        "zhujian": ["respond"],
        "command": ["transfer", "urge", "convene"],
        "supervisor": ["urge"],
    },
    "returned": {
        "yuncheng": ["withdraw"],
        "chengguan": [],
        "zhujian": [],
        "command": ["arbitrate", "urge"],
        "supervisor": ["urge"],
    },
    "responded": {
        "yuncheng": ["convene"],
        **DEPARTMENT_WORK,
        "command": ["transfer", "urge", "convene"],
        "supervisor": ["urge"],
    },
    "in_progress": {
        "yuncheng": ["convene"],
        **DEPARTMENT_WORK,
        "command": ["transfer", "urge", "convene"],
        "supervisor": ["urge"],
    },
    "co_signed": {
        "yuncheng": ["convene"],
        "chengguan": ["progress", "resolve"],
        "zhujian": ["progress"],
        "command": ["transfer", "urge", "convene"],
        "supervisor": ["urge"],
    },
    "resolved": {
        "yuncheng": ["confirm", "reject"],
        "chengguan": [],
        "zhujian": [],
        "command": ["urge"],
        "supervisor": ["urge"],
    },
    "closed": {p: [] for p in PERSONAS},
    "withdrawn": {p: [] for p in PERSONAS},
}


def call_in(state: str, new_call, persona) -> Call:
    """A 云城街 call on the 城管局 matter (住建局 co-department), brought to `state`."""
    chengguan, yuncheng = persona("chengguan"), persona("yuncheng")
    with clock.frozen_at(NOW - timedelta(hours=1)):
        call = new_call()
        if state == "returned":
            call = services.return_call(actor=chengguan, call=call, reason="不属本局职责")
        elif state == "withdrawn":
            call = services.withdraw(actor=yuncheng, call=call)
        elif state != "called":
            call = services.respond(actor=chengguan, call=call)
        if state in ("in_progress", "co_signed"):
            call = services.report_progress(actor=chengguan, call=call, note="已到场")
        if state == "co_signed":
            call = services.respond(actor=persona("zhujian"), call=call)
        if state in ("resolved", "closed"):
            call = services.resolve(actor=chengguan, call=call, result="已清理")
        if state == "closed":
            call = services.confirm(actor=yuncheng, call=call)
    return Call.objects.get(pk=call.pk)


def valid_post(action: str, org) -> dict:
    """Input each form accepts; whether the action may run is then the service's to say."""
    return {
        "respond": {"note": "收到，马上安排"},
        "progress": {"note": "已到场处置"},
        "resolve": {"result": "摊点已全部清理"},
        "return": {"reason": "不属本局职责"},
        "confirm": {"satisfaction": "5", "timeliness": "4", "attitude": "5", "note": "满意"},
        "reject": {"reason": "仍有摊点"},
        "withdraw": {"reason": "已自行解决"},
        "transfer": {"department": str(org("440111-ghj").pk), "note": "涉及规划"},
        "arbitrate": {"decision": "uphold", "note": "属城管职责"},
        "urge": {"level": "2", "note": "请加快办理"},
        "convene": {
            "starts_at": "2026-11-17T15:00",
            "place": "云城街道办三楼会议室",
            "departments": [str(org("440111-cgj").pk), str(org("440111-zjj").pk)],
        },
    }[action]


def offered(html: str) -> list[str]:
    return re.findall(r'data-testid="action-(\w+)"', html)


def action_block(html: str, action: str) -> str:
    start = html.index(f'data-testid="action-{action}"')
    return html[start : html.index("</details>", start)]


def field_errors(html: str, action: str, name: str) -> list[str]:
    """The errors shown next to field `name` in the form of `action`."""
    block = action_block(html, action)
    match = re.search(
        rf'data-field="{name}">(.*?)(?=<div class="field|<button type="submit")', block, re.S
    )
    assert match, f"no field {name} in {action}"
    return re.findall(r'<div class="error" role="alert">(.*?)</div>', match.group(1))


def post(client, call, action, data, moment=NOW):
    with clock.frozen_at(moment):
        return client.post(f"/calls/{call.pk}/{action}/", data)


def stored_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


# --- which forms each role sees ---------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("username", PERSONAS)
def test_each_role_sees_exactly_its_actions(browser_client, new_call, persona, state, username):
    call = call_in(state, new_call, persona)
    with clock.frozen_at(NOW):
        response = browser_client(username).get(f"/calls/{call.pk}/")
    assert response.status_code == 200
    expected = EXPECTED[state][username]
    assert offered(response.content.decode()) == expected
    assert available_actions(persona(username), call) == expected


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("username", PERSONAS)
def test_offered_actions_succeed_and_the_rest_are_refused(new_call, persona, org, state, username):
    """The page and the services never drift: every action is tried, each in a savepoint."""
    call = call_in(state, new_call, persona)
    user = persona(username)
    shown = available_actions(user, call)
    departments = active_departments()
    for action in ACTIONS:
        form = FORMS[action](valid_post(action, org), call=call, departments=departments)
        assert form.is_valid(), (action, form.errors)
        savepoint = transaction.savepoint()
        refused = None
        try:
            with clock.frozen_at(NOW):
                form.perform(user)
        except BusinessError as exc:
            refused = exc
        transaction.savepoint_rollback(savepoint)
        if action in shown:
            assert refused is None, (action, refused.message)
        else:
            assert isinstance(refused, Forbidden | Conflict), (action, refused)


def test_a_free_form_call_waits_for_the_command_centre(browser_client, free_form, persona):
    call = free_form()
    assert available_actions(persona("command"), call) == ["transfer", "urge", "convene"]
    assert available_actions(persona("yuncheng"), call) == ["withdraw", "convene"]
    assert browser_client("chengguan").get(f"/calls/{call.pk}/").status_code == 404


# --- posting each action ----------------------------------------------------------------------

POSTS = [
    # (state, who, action, extra input, event kind, state afterwards)
    ("called", "chengguan", "respond", {}, "signed", "responded"),
    ("responded", "zhujian", "respond", {}, "signed", "responded"),
    ("responded", "zhujian", "progress", {}, "progress", "in_progress"),
    ("in_progress", "chengguan", "resolve", {}, "resolved", "resolved"),
    ("called", "chengguan", "return", {}, "returned", "returned"),
    ("resolved", "yuncheng", "confirm", {}, "confirmed", "closed"),
    ("resolved", "yuncheng", "reject", {}, "rejected", "in_progress"),
    ("called", "yuncheng", "withdraw", {}, "withdrawn", "withdrawn"),
    ("responded", "command", "transfer", {}, "transferred", "called"),
    ("returned", "command", "arbitrate", {}, "upheld", "called"),
    ("returned", "command", "arbitrate", {"decision": "reroute"}, "rerouted", "called"),
    ("in_progress", "command", "urge", {}, "urged", "in_progress"),
    ("called", "supervisor", "urge", {"level": "1"}, "urged", "called"),
    ("responded", "yuncheng", "convene", {}, "convened", "responded"),
    ("called", "command", "convene", {}, "convened", "called"),
]


@pytest.mark.parametrize(("state", "username", "action", "extra", "kind", "after"), POSTS)
def test_posting_an_action_changes_the_call_and_redirects(
    browser_client, new_call, persona, org, state, username, action, extra, kind, after
):
    call = call_in(state, new_call, persona)
    data = valid_post(action, org) | extra
    if extra.get("decision") == "reroute":
        data["department"] = str(org("440111-ghj").pk)
    client = browser_client(username)
    response = post(client, call, action, data)
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.pk}/"
    call.refresh_from_db()
    event = call.events.order_by("-seq").first()
    assert (event.kind, event.actor.username, call.status) == (kind, username, after)
    assert event.seq == call.event_count
    with clock.frozen_at(NOW):
        html = client.get(response["Location"]).content.decode()
    assert re.search(r'<li class="msg-success">已\S+</li>', html)  # said in Chinese


def test_each_action_stores_what_was_entered(browser_client, new_call, persona, org):
    call = call_in("resolved", new_call, persona)
    post(browser_client("yuncheng"), call, "confirm", valid_post("confirm", org))
    rating = Rating.objects.get(call=call)
    assert (rating.satisfaction, rating.timeliness, rating.attitude) == (5, 4, 5)
    assert rating.department.code == "440111-cgj" and not rating.perfunctory
    returned = call_in("returned", new_call, persona)
    data = {"decision": "reroute", "department": str(org("440111-ghj").pk)}
    post(browser_client("command"), returned, "arbitrate", data)
    returned.refresh_from_db()
    assert returned.lead_department.code == "440111-ghj"
    working = call_in("in_progress", new_call, persona)
    post(browser_client("yuncheng"), working, "convene", valid_post("convene", org))
    meeting = CoordinationMeeting.objects.get(call=working)
    assert meeting.starts_at == datetime(2026, 11, 17, 15, 0, tzinfo=SHANGHAI)
    assert {i.department.code for i in meeting.invitations.all()} == {"440111-cgj", "440111-zjj"}


# --- refused posts change nothing ---------------------------------------------------------------


def assert_unchanged(call: Call) -> None:
    before = (call.status, call.event_count, call.redo_count)
    call.refresh_from_db()
    assert (call.status, call.event_count, call.redo_count) == before


def test_an_empty_reason_is_shown_next_to_the_field(browser_client, new_call, persona):
    call = call_in("resolved", new_call, persona)
    response = post(browser_client("yuncheng"), call, "reject", {"reason": "   "})
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html, "reject", "reason") == ["请说明不满意的原因"]
    assert 'data-testid="action-reject" open' in html  # the refused form is open
    assert_unchanged(call)


def test_a_rating_of_6_is_refused_and_the_input_kept(browser_client, new_call, persona):
    call = call_in("resolved", new_call, persona)
    data = {"satisfaction": "6", "timeliness": "4", "attitude": "5", "note": "总体满意"}
    response = post(browser_client("yuncheng"), call, "confirm", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html, "confirm", "satisfaction") == ["评分为 1 到 5 分"]
    block = action_block(html, "confirm")
    assert re.search(r'name="timeliness" value="4"[^>]*checked', block)
    assert ">\n总体满意</textarea>" in block
    assert_unchanged(call)
    assert not Rating.objects.filter(call=call).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"satisfaction": "5", "timeliness": "5"}, "attitude", "请选择 1 到 5 星"),
        (
            {"satisfaction": "2", "timeliness": "2", "attitude": "2", "perfunctory": "on"},
            "perfunctory_reason",
            "标记应付式响应时请说明理由",
        ),
    ],
)
def test_rating_mistakes_name_their_field(browser_client, new_call, persona, data, field, message):
    call = call_in("resolved", new_call, persona)
    response = post(browser_client("yuncheng"), call, "confirm", data)
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "confirm", field) == [message]
    assert_unchanged(call)


@pytest.mark.parametrize(
    ("state", "username", "action", "data", "field", "message"),
    [
        (
            "returned",
            "command",
            "arbitrate",
            {"decision": "reroute"},
            "department",
            "请选择改派的部门",
        ),
        ("responded", "command", "transfer", {"department": "cgj"}, "department", "已由该部门牵头"),
        ("called", "chengguan", "return", {"reason": ""}, "reason", "退回必须说明理由"),
        ("responded", "chengguan", "resolve", {"result": ""}, "result", "请填写办理结果"),
        ("responded", "zhujian", "progress", {"note": ""}, "note", "请填写进展情况"),
        ("called", "yuncheng", "convene", {"place": "会议室"}, "starts_at", "请填写会议时间"),
        (
            "called",
            "yuncheng",
            "convene",
            {"starts_at": "2026-11-17T15:00", "place": "会议室", "departments": ["cgj"]},
            "departments",
            "协调会至少要邀请两个区直部门",
        ),
    ],
)
def test_service_refusals_land_on_their_field(
    browser_client, new_call, persona, org, state, username, action, data, field, message
):
    call = call_in(state, new_call, persona)
    data = {k: _department_pks(v, org) for k, v in data.items()}
    response = post(browser_client(username), call, action, data)
    assert response.status_code == 422
    assert field_errors(response.content.decode(), action, field) == [message]
    assert_unchanged(call)


def _department_pks(value, org):
    """Department short codes in the table become the form's values (their pks)."""
    if value == "cgj":
        return str(org("440111-cgj").pk)
    if value == ["cgj"]:
        return [str(org("440111-cgj").pk)]
    return value


def test_an_illegal_action_shows_the_state_it_is_in(browser_client, new_call, persona):
    call = call_in("called", new_call, persona)
    response = post(browser_client("chengguan"), call, "resolve", {"result": "已清理"})
    assert response.status_code == 409
    html = response.content.decode()
    banner = re.search(r'data-testid="action-error">(.*?)</div>', html, re.S).group(1)
    assert "当前状态为「待响应」，不能办结" in banner
    assert "action-resolve" not in html  # still not offered
    assert_unchanged(call)


def test_another_units_action_is_403_with_the_reason(browser_client, new_call, persona):
    call = call_in("responded", new_call, persona)
    response = post(browser_client("zhujian"), call, "resolve", {"result": "已清理"})
    assert response.status_code == 403
    assert "只有牵头部门可以这样做" in response.content.decode()
    assert_unchanged(call)


def test_out_of_scope_unknown_and_get_are_refused(browser_client, new_call, persona):
    call = call_in("called", new_call, persona)
    assert post(browser_client("helong"), call, "withdraw", {}).status_code == 404
    assert post(browser_client("shuiwu"), call, "respond", {}).status_code == 404
    assert post(browser_client("yuncheng"), call, "explode", {}).status_code == 404
    assert browser_client("yuncheng").get(f"/calls/{call.pk}/withdraw/").status_code == 405
    assert_unchanged(call)


def test_withdraw_asks_before_it_is_sent(browser_client, new_call):
    call = new_call()
    html = browser_client("yuncheng").get(f"/calls/{call.pk}/").content.decode()
    form = action_block(html, "withdraw")
    assert 'data-confirm="确定撤回此呼叫？撤回后不能恢复。"' in form
    assert 'onsubmit="return window.confirm(this.dataset.confirm)"' in form


def test_the_rating_form_is_five_big_stars_per_score(browser_client, new_call, persona):
    call = call_in("resolved", new_call, persona)
    html = browser_client("yuncheng").get(f"/calls/{call.pk}/").content.decode()
    block = action_block(html, "confirm")
    for name in ("satisfaction", "timeliness", "attitude"):
        assert re.findall(rf'type="radio" name="{name}" value="(\d)"', block) == list("12345")
    assert block.count('<fieldset class="choices stars">') == 3


# --- files -------------------------------------------------------------------------------------


def test_progress_photos_land_on_the_event_and_open_only_in_scope(
    browser_client, new_call, persona
):
    call = call_in("responded", new_call, persona)
    page = browser_client("chengguan").get(f"/calls/{call.pk}/").content.decode()
    form = action_block(page, "progress")
    assert 'enctype="multipart/form-data"' in form
    assert (
        '<input type="file" name="files" accept="image/*,application/pdf" '
        'capture="environment" multiple id="id_progress_files">'
    ) in form
    files = [
        SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"),
    ]
    data = {"note": "已清理", "files": files}
    response = post(browser_client("chengguan"), call, "progress", data)
    assert response.status_code == 302
    event = call.events.get(kind="progress")
    photo, pdf = event.attachments.order_by("pk")
    assert (photo.name, pdf.name) == ("现场.jpg", "方案.pdf")
    assert event.data["attachment_ids"] == [photo.pk, pdf.pk]
    town = browser_client("yuncheng")
    seen = town.get(f"/calls/{call.pk}/").content.decode()
    assert f'<img src="/calls/attachments/{photo.pk}/"' in seen
    download = town.get(f"/calls/attachments/{photo.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == JPEG
    assert browser_client("helong").get(f"/calls/attachments/{photo.pk}/").status_code == 404


def test_a_refused_file_names_the_files_field_and_stores_nothing(browser_client, new_call, persona):
    call = call_in("responded", new_call, persona)
    before = stored_files()
    files = [
        SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("说明.html", b"<html><script>", content_type="image/jpeg"),
    ]
    data = {"note": "已清理", "files": files}
    response = post(browser_client("chengguan"), call, "progress", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html, "progress", "files") == ["只能上传照片（JPEG、PNG、WebP）或PDF文件"]
    assert ">\n已清理</textarea>" in action_block(html, "progress")  # the note is kept
    assert_unchanged(call)
    assert not Attachment.objects.filter(uploaded_by=persona("chengguan")).exists()
    assert stored_files() == before  # the good photo staged first was removed again


def test_a_missing_note_keeps_no_photo(browser_client, new_call, persona):
    call = call_in("responded", new_call, persona)
    before = stored_files()
    photo = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    response = post(browser_client("chengguan"), call, "progress", {"note": "", "files": [photo]})
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "progress", "note") == ["请填写进展情况"]
    assert not Attachment.objects.filter(uploaded_by=persona("chengguan")).exists()
    assert stored_files() == before


# --- CSRF --------------------------------------------------------------------------------------


def test_a_post_needs_the_csrf_token(new_call, persona):
    call = new_call()
    client = Client(enforce_csrf_checks=True)
    client.force_login(persona("chengguan"), backend="django.contrib.auth.backends.ModelBackend")
    assert post(client, call, "respond", {"note": "收到"}).status_code == 403
    assert_unchanged(call)
    html = client.get(f"/calls/{call.pk}/").content.decode()
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', action_block(html, "respond")
    ).group(1)
    response = post(client, call, "respond", {"note": "收到", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == "responded"
