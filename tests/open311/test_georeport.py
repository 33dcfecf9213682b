"""Open311 GeoReport v2, read side: services and requests in JSON and XML, public, no
personal data, with the spec's filters and error format."""

from datetime import datetime, timedelta
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from huying.calls import services
from huying.calls.choices import Domain
from huying.calls.models import Matter
from huying.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
BASE = "/open311/v2"


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's output, in a test


@pytest.fixture
def feed(db):
    return Client()  # anonymous: existing 311 tools read without an account


@pytest.fixture
def closed_call(persona, new_call):
    with clock.frozen_at(MONDAY_9):
        call = new_call(
            title="店外经营占道（店主 13812345678，440111199001011234）",
            description="联系人张三，店主李四说明天再清理",
            address="云城西路 12 号",
            lat=23.176012,
            lon=113.287731,
        )
        services.respond(actor=persona("chengguan"), call=call)
        services.resolve(actor=persona("chengguan"), call=call, result="已清理")
        services.confirm(actor=persona("yuncheng"), call=call)
    call.refresh_from_db()
    return call


@pytest.fixture
def open_free_form(free_form):
    with clock.frozen_at(MONDAY_9 + timedelta(days=1)):
        return free_form()


def test_services_list_every_active_matter_and_the_free_form_service(feed, matter):
    body = feed.get(f"{BASE}/services.json").json()
    codes = [s["service_code"] for s in body]
    assert matter.code in codes and "free-form" in codes
    assert len(codes) == Matter.objects.filter(is_active=True).count() + 1
    mine = next(s for s in body if s["service_code"] == matter.code)
    assert mine == {
        "service_code": "ZF-T01",
        "service_name": "占道经营整治",
        "description": "",
        "metadata": False,
        "type": "realtime",
        "keywords": "综合执法",
        "group": "综合执法",
    }


def test_services_in_xml_use_the_spec_elements(feed, matter):
    response = feed.get(f"{BASE}/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = parse_xml(response.content)
    assert root.tag == "services"
    found = [s for s in root.findall("service") if s.findtext("service_code") == matter.code]
    assert found[0].findtext("service_name") == "占道经营整治"
    assert found[0].findtext("metadata") == "false"


def test_service_definition_and_unknown_service(feed, matter):
    assert feed.get(f"{BASE}/services/ZF-T01.json").json() == {
        "service_code": "ZF-T01",
        "attributes": [],
    }
    xml = parse_xml(feed.get(f"{BASE}/services/ZF-T01.xml").content)
    assert xml.tag == "service_definition" and xml.findtext("service_code") == "ZF-T01"
    missing = feed.get(f"{BASE}/services/NOPE.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    missing_xml = parse_xml(feed.get(f"{BASE}/services/NOPE.xml").content)
    assert missing_xml.tag == "errors" and missing_xml.find("error").findtext("code") == "404"


def test_a_closed_call_as_a_request(feed, closed_call):
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        body = feed.get(f"{BASE}/requests/{closed_call.number}.json").json()
    assert len(body) == 1
    request = body[0]
    assert request["service_request_id"] == closed_call.number
    assert request["status"] == "closed" and request["status_notes"] == "已确认办结"
    assert request["service_code"] == "ZF-T01" and request["service_name"] == "占道经营整治"
    assert request["agency_responsible"] == "区城市管理和综合执法局"
    assert request["requested_datetime"] == "2026-11-16T09:00:00+08:00"
    assert (
        request["expected_datetime"]
        == closed_call.resolution_due_at.astimezone(SHANGHAI).isoformat()
    )
    assert request["lat"] == pytest.approx(23.176012) and request["long"] == pytest.approx(
        113.287731
    )
    assert request["address"] == "云城西路 12 号"


def test_no_personal_data_leaves_in_the_feed(feed, closed_call, persona):
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        text = feed.get(f"{BASE}/requests.json").content.decode()
        xml = feed.get(f"{BASE}/requests.xml").content.decode()
    caller = persona("yuncheng")
    for body in (text, xml):
        assert "张三" not in body and "李四" not in body  # the free text is never published
        assert "13812345678" not in body and "138****5678" in body
        assert "440111199001011234" not in body and "440111********1234" in body
        assert caller.username not in body
        assert not caller.full_name or caller.full_name not in body


def test_request_list_filters_and_xml(feed, closed_call, open_free_form):
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):

        def ids(**q):
            return [r["service_request_id"] for r in feed.get(f"{BASE}/requests.json", q).json()]

        assert ids() == [open_free_form.number, closed_call.number]  # newest first
        assert ids(status="open") == [open_free_form.number]
        assert ids(status="closed") == [closed_call.number]
        assert ids(service_code="free-form") == [open_free_form.number]
        assert ids(service_code="ZF-T01,free-form") == ids()
        assert ids(start_date="2026-11-17T00:00:00+08:00") == [open_free_form.number]
        assert ids(end_date="2026-11-16T23:59:59+08:00") == [closed_call.number]
        assert ids(page_size=1) == [open_free_form.number]
        assert ids(page_size=1, page=2) == [closed_call.number]
        assert ids(page=3, page_size=1) == []
        root = parse_xml(feed.get(f"{BASE}/requests.xml", {"status": "open"}).content)
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert [r.findtext("service_request_id") for r in requests] == [open_free_form.number]
    assert requests[0].findtext("status") == "open"
    assert requests[0].findtext("agency_responsible") == ""  # not yet routed: empty element


def test_without_dates_only_the_last_90_days(feed, closed_call):
    with clock.frozen_at(MONDAY_9 + timedelta(days=91)):
        assert feed.get(f"{BASE}/requests.json").json() == []
        dated = feed.get(f"{BASE}/requests.json", {"start_date": "2026-11-01T00:00:00+08:00"})
        assert [r["service_request_id"] for r in dated.json()] == [closed_call.number]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "pending"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "0"}, "page"),
        (
            {"start_date": "2026-11-20T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
            "start_date",
        ),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(feed, params, named):
    response = feed.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    assert named in response.json()[0]["description"]
    xml = feed.get(f"{BASE}/requests.xml", params)
    assert xml.status_code == 400
    assert named in parse_xml(xml.content).find("error").findtext("description")


def test_unknown_request_is_404_in_both_formats(feed):
    assert feed.get(f"{BASE}/requests/HY20269999999.json").status_code == 404
    xml = feed.get(f"{BASE}/requests/HY20269999999.xml")
    assert xml.status_code == 404 and parse_xml(xml.content).tag == "errors"


def test_only_json_and_xml_and_only_get(feed):
    assert feed.get(f"{BASE}/services.csv").status_code == 404
    assert feed.post(f"{BASE}/requests.json").status_code == 405


def test_query_count_does_not_grow_with_the_page(
    feed, persona, matter, django_assert_max_num_queries
):
    with clock.frozen_at(MONDAY_9):
        for i in range(12):
            services.create_call(
                actor=persona("yuncheng"),
                new=services.NewCall(title=f"占道{i}", description="占道", matter=matter),
            )
        services.create_call(
            actor=persona("yuncheng"),
            new=services.NewCall(title="路灯", description="不亮", domain=Domain.KEY_WORK),
        )
        with django_assert_max_num_queries(2):
            body = feed.get(f"{BASE}/requests.json", {"page_size": 1000}).json()
    assert len(body) == 13


def test_jurisdiction_id_is_the_district_or_404(feed):
    assert feed.get(f"{BASE}/services.json", {"jurisdiction_id": "440111"}).status_code == 200
    other = feed.get(f"{BASE}/services.xml", {"jurisdiction_id": "440106"})
    assert other.status_code == 404
    assert "440106" in parse_xml(other.content).find("error").findtext("description")


def test_a_date_alone_is_midnight_and_a_year_out_of_range_is_400(feed, closed_call):
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        day = feed.get(f"{BASE}/requests.json", {"start_date": "2026-11-16"}).json()
        assert [r["service_request_id"] for r in day] == [closed_call.number]
        assert feed.get(f"{BASE}/requests.json", {"start_date": "2026-11-17"}).json() == []
        for bad in ("0001-01-01T00:00:00+14:00", "2026-13-01"):
            assert feed.get(f"{BASE}/requests.json", {"start_date": bad}).status_code == 400


def test_the_feed_stays_chinese_whatever_the_client_asks(feed, closed_call):
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        body = feed.get(
            f"{BASE}/requests/{closed_call.number}.json", headers={"Accept-Language": "en"}
        ).json()
    assert body[0]["status_notes"] == "已确认办结"


def test_repeated_parameters_count_like_a_comma_list(feed, closed_call, open_free_form):
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        both = feed.get(f"{BASE}/requests.json?service_code=ZF-T01&service_code=free-form").json()
    assert len(both) == 2


def test_control_characters_never_break_the_xml(feed, persona, matter):
    with clock.frozen_at(MONDAY_9):
        services.create_call(
            actor=persona("yuncheng"),
            new=services.NewCall(title="占道\x0b经营\x07", description="x", matter=matter),
        )
        root = parse_xml(feed.get(f"{BASE}/requests.xml").content)
    assert root.find("request").findtext("description") == "占道经营"
