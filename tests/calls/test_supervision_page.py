"""The supervision page (/calls/supervision/): urgings and accountability cases, and a case's
page with its evidence and the supervisor's outcome form."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls import accountability, case_forms, services, sweeps
from huying.calls.choices import CaseReason, CaseStatus
from huying.calls.models import AccountabilityCase
from huying.core import clock
from huying.core.models import AuditEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
AFTER_GRACE = datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI)  # level 2 and a case (sweeper test)
URL = "/calls/supervision/"


def get(client, url=URL, moment=AFTER_GRACE, **params):
    with clock.frozen_at(moment):
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def part(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.find("</section>", start)]


def case_ids(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="case-row" data-case="(\d+)"', body)]


@pytest.fixture
def unanswered(new_call):
    """A call nobody answered: urged at the breach, level 2 and a case after the grace."""
    with clock.frozen_at(MONDAY_9):
        call = new_call(title="无人响应的呼叫")
    sweeps.sweep(MONDAY_9 + timedelta(hours=2))
    sweeps.sweep(AFTER_GRACE)
    call.refresh_from_db()
    return call


@pytest.fixture
def case(unanswered):
    return AccountabilityCase.objects.get(call=unanswered)


@pytest.fixture
def perfunctory_case(new_call, persona):
    """A closed call rated perfunctory, confirmed by the commission: a second case."""
    chengguan = persona("chengguan")
    with clock.frozen_at(MONDAY_9):
        call = services.respond(actor=chengguan, call=new_call(title="拍照了事"))
        call = services.resolve(actor=chengguan, call=call, result="已拍照")
        rating = services.RatingInput(2, 2, 2, perfunctory=True, perfunctory_reason="只拍照")
        call = services.confirm(actor=persona("yuncheng"), call=call, rating=rating)
        return accountability.confirm_perfunctory(actor=persona("supervisor"), rating=call.rating)


def test_urged_calls_are_listed_with_level_department_and_since_when(
    unanswered, new_call, browser_client
):
    with clock.frozen_at(MONDAY_9):
        quiet = new_call(title="未督办的呼叫")
    urgings = part(
        get(browser_client("supervisor"), moment=MONDAY_9 + timedelta(hours=3)), "urgings"
    )
    assert unanswered.number in urgings and quiet.number not in urgings
    # By AFTER_GRACE both levels have passed: level 2 shown, since the first urging.
    urgings = part(get(browser_client("supervisor")), "urgings")
    assert "二级督办" in urgings and "区城市管理和综合执法局" in urgings
    assert "2026-11-16 11:00" in urgings  # the first `urged` event: the breach
    assert "2026-11-24 00:00" in urgings and "二级督办" in urgings  # the latest


def test_resolved_and_closed_calls_leave_the_urgings(unanswered, new_call, persona, browser_client):
    call = services.respond(actor=persona("chengguan"), call=unanswered)
    call = services.resolve(actor=persona("chengguan"), call=call, result="已处理")
    services.confirm(actor=persona("yuncheng"), call=call)
    assert unanswered.number not in part(get(browser_client("leader")), "urgings")


def test_cases_are_listed_with_reason_department_status_and_a_link(
    case, perfunctory_case, browser_client
):
    cases = part(get(browser_client("supervisor")), "cases")
    assert case_ids(cases) == [case.pk, perfunctory_case.pk]  # the newest first
    assert "超期未响应" in cases and "应付式响应" in cases
    assert "区城市管理和综合执法局" in cases and "办理中" in cases
    assert f'href="/calls/supervision/cases/{case.pk}/"' in cases


def test_cases_filter_by_status_and_reason(case, perfunctory_case, persona, browser_client):
    accountability.record_outcome(
        actor=persona("supervisor"), case=perfunctory_case, outcome="批评教育", people=[]
    )
    client = browser_client("supervisor")
    assert case_ids(get(client, status="open")) == [case.pk]
    assert case_ids(get(client, status="closed")) == [perfunctory_case.pk]
    assert case_ids(get(client, reason=CaseReason.PERFUNCTORY)) == [perfunctory_case.pk]
    assert case_ids(get(client, reason="no_response", status="closed")) == []
    assert case_ids(get(client, status="bogus")) == [case.pk, perfunctory_case.pk]


def test_case_page_shows_the_evidence_trail(case, browser_client):
    body = get(browser_client("command"), f"{URL}cases/{case.pk}/")
    evidence = part(body, "evidence")
    assert "发起呼叫" in evidence and "督办" in evidence
    assert "响应时限已超期，一级督办" in evidence
    assert "督办程序自动立案" in body
    # The operator reads; only the commission records the outcome.
    assert 'data-testid="outcome-form"' not in body and "待区纪委监委记录处理结果" in body


def outcome_post(outcome, people=()):
    data = {
        "outcome": outcome,
        "people-TOTAL_FORMS": "3",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "10",
    }
    for i, person in enumerate(people):
        data |= {f"people-{i}-{k}": v for k, v in person.items()}
    return data


def test_supervisor_records_the_outcome_and_people(case, browser_client):
    client = browser_client("supervisor")
    url = f"{URL}cases/{case.pk}/"
    assert 'data-testid="outcome-form"' in get(client, url)
    people = [
        {"name": "张三", "post": "执法二中队中队长", "level": "诫勉"},
        {"name": "", "post": "", "level": ""},  # a blank row is ignored
        {"name": "李四", "post": "", "level": "提醒谈话"},
    ]
    with clock.frozen_at(AFTER_GRACE + timedelta(days=3)):
        response = client.post(url, outcome_post("责令书面检查", people))
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "责令书面检查"
    assert [p["name"] for p in case.people] == ["张三", "李四"]
    assert case.people[0] == {"name": "张三", "post": "执法二中队中队长", "level": "诫勉"}
    body = get(client, url)
    assert "已结案" in body and "责令书面检查" in part(body, "outcome")
    assert "执法二中队中队长" in body and 'data-testid="outcome-form"' not in body


@pytest.mark.parametrize(
    ("outcome", "people", "message", "field"),
    [
        ("  ", [], "请填写处理结果", "id_outcome"),
        ("处理", [{"name": "", "post": "副局长", "level": "诫勉"}], "缺少姓名", "id_people-0-name"),
        ("处理", [{"name": "王五", "post": "", "level": ""}], "问责方式应为", "id_people-0-level"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    case, browser_client, outcome, people, message, field
):
    response = browser_client("supervisor").post(
        f"{URL}cases/{case.pk}/", outcome_post(outcome, people)
    )
    body = response.content.decode()
    assert response.status_code == 422
    # The error sits in the block of the field it names.
    block = re.search(
        rf'<div class="field has-error">\s*<label for="{field}">.*?</div>\s*</div>', body, re.S
    )
    assert block and message in block.group(0)
    case.refresh_from_db()
    assert (case.status, case.outcome, case.people) == (CaseStatus.OPEN, "", [])


def test_only_the_commission_records_an_outcome(case, browser_client):
    response = browser_client("leader").post(f"{URL}cases/{case.pk}/", outcome_post("结案"))
    assert response.status_code == 403
    assert "只有纪委监委可以记录问责结果" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    denial = AuditEntry.objects.filter(action="core.permission_denied").order_by("-seq").first()
    assert denial.reason == "只有纪委监委可以记录问责结果"


def test_a_closed_case_cannot_be_recorded_twice(case, persona, browser_client):
    accountability.record_outcome(actor=persona("supervisor"), case=case, outcome="一", people=[])
    response = browser_client("supervisor").post(f"{URL}cases/{case.pk}/", outcome_post("二"))
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.outcome == "一"


@pytest.mark.parametrize("username", ["yuncheng", "chengguan", "chengguan-head", "zhujian"])
def test_other_roles_are_refused_with_404(case, username, browser_client):
    client = browser_client(username)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}cases/{case.pk}/").status_code == 404
    assert client.post(f"{URL}cases/{case.pk}/", outcome_post("x")).status_code == 404


def test_unknown_case_is_404(browser_client):
    assert browser_client("supervisor").get(f"{URL}cases/999999/").status_code == 404


def test_query_count_does_not_grow(
    unanswered, perfunctory_case, new_call, browser_client, django_assert_max_num_queries
):
    client = browser_client("supervisor")
    get(client)
    with django_assert_max_num_queries(9):
        get(client)
    with clock.frozen_at(MONDAY_9):
        for i in range(8):
            new_call(title=f"呼叫{i}")
    sweeps.sweep(AFTER_GRACE)  # eight more urged calls and cases
    with django_assert_max_num_queries(9):
        body = get(client)
    assert len(case_ids(body)) == 10


def test_level_labels_match_the_services_list():
    assert case_forms.LEVEL_LABELS == accountability.ACCOUNTABILITY_LEVELS


def test_the_supervisor_reaches_the_page_from_the_nav(browser_client):
    body = browser_client("supervisor").get("/").content.decode()
    assert f'href="{URL}"' in body and ">督办问责</a>" in body
