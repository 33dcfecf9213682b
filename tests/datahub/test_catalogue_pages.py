"""The catalogue pages (/datahub/catalogue/): search with the totals line, a category with its
fields and the form to apply, and 待我审批 for the owner department's head."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages

from huying.core import clock
from huying.datahub import catalogue
from huying.datahub.catalogue_demo import load_demo_catalogue
from huying.datahub.choices import AccessPolicy, AccessRequestState
from huying.datahub.models import AccessGrant, AccessRequest, Category

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LIST = "/datahub/catalogue/"


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo_catalogue()


@pytest.fixture(autouse=True)
def demo_catalogue(db, loaded_once):
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def restricted() -> Category:
    return (
        Category.objects.filter(owner__code="440111-cgj", access_policy=AccessPolicy.RESTRICTED)
        .order_by("code")
        .first()
    )


def told(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_catalogue_page_shows_the_totals_and_searches(browser_client):
    client = browser_client("yuncheng")
    response = client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "共 1250 类 37.83 亿条" in body
    assert 'href="/datahub/catalogue/"' in body  # the navigation entry 数据目录
    assert body.count('data-testid="category-row"') == 50  # one page

    found = client.get(LIST, {"q": "出租屋基本信息"}, headers={"HX-Request": "true"})
    fragment = found.content.decode()
    assert "<html" not in fragment  # htmx gets the results only
    hub = Category.objects.get(hub_source="dwellings")
    assert f'data-code="{hub.code}"' in fragment and "找到" in fragment
    by_policy = client.get(LIST, {"policy": "restricted", "owner": "440111-gaj"}).content.decode()
    codes = set(
        Category.objects.filter(owner__code="440111-gaj", access_policy="restricted")
        .order_by("code")
        .values_list("code", flat=True)[:50]
    )
    assert all(f'data-code="{code}"' in by_policy for code in codes)
    assert 'data-policy="open"' not in by_policy.split('data-testid="catalogue-results"')[1]


def test_a_town_user_applies_on_the_category_page(browser_client, restricted):
    client = browser_client("yuncheng")
    url = f"/datahub/catalogue/{restricted.code}/"
    page = client.get(url).content.decode()
    assert 'data-testid="apply"' in page and 'data-testid="field-row"' in page
    assert "未获授权" in page

    empty = client.post(f"{url}apply/", {"purpose": " "})
    assert empty.status_code == 400
    assert "请说明申请用途" in empty.content.decode()
    assert not AccessRequest.objects.exists()

    field = restricted.fields.order_by("order").first().name
    done = client.post(f"{url}apply/", {"purpose": "核对辖内案件", "items": [field]})
    assert done.status_code == 302
    request = AccessRequest.objects.get()
    assert (request.org.name, request.fields) == ("云城街道", [field])
    after = client.get(url).content.decode()
    assert 'data-testid="apply"' not in after  # one pending request at a time
    assert 'data-state="pending"' in after and 'data-testid="withdraw"' in after
    client.post(f"/datahub/catalogue/requests/{request.pk}/withdraw/")
    request.refresh_from_db()
    assert request.state == AccessRequestState.WITHDRAWN
    assert 'data-testid="apply"' in client.get(url).content.decode()  # may ask again


def test_the_department_head_approves_and_declines_on_the_review_page(
    browser_client, persona, restricted
):
    def ask(who):
        return catalogue.request_access(
            actor=persona(who), category=restricted, purpose=f"{who}核对", fields=None
        )

    first, second = ask("yuncheng"), ask("helong")
    client = browser_client("chengguan-head")
    page = client.get("/datahub/catalogue/review/").content.decode()
    assert page.count('data-testid="pending"') == 2

    no_reason = client.post(f"/datahub/catalogue/requests/{second.pk}/decline/", {})
    assert no_reason.status_code == 400 and "驳回必须说明理由" in no_reason.content.decode()
    declined = client.post(
        f"/datahub/catalogue/requests/{second.pk}/decline/", {f"d{second.pk}-reason": "用途不明"}
    )
    assert declined.status_code == 302
    approved = client.post(f"/datahub/catalogue/requests/{first.pk}/approve/", {})
    assert approved.status_code == 302 and any("已批准" in m for m in told(approved))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (AccessRequestState.APPROVED, AccessRequestState.DECLINED)
    assert second.decision_note == "用途不明"
    assert AccessGrant.objects.get().org.name == "云城街道"

    shown = browser_client("yuncheng").get(f"/datahub/catalogue/{restricted.code}/")
    assert "可查阅全部数据项" in shown.content.decode()
    catalogue_page = client.get(LIST).content.decode()
    assert 'data-testid="review"' in catalogue_page


def test_review_is_for_department_heads_only(browser_client, persona, restricted):
    request = catalogue.request_access(
        actor=persona("yuncheng"), category=restricted, purpose="核对", fields=None
    )
    for who in ("yuncheng", "chengguan"):
        client = browser_client(who)
        assert client.get("/datahub/catalogue/review/").status_code == 404
        refused = client.post(f"/datahub/catalogue/requests/{request.pk}/approve/", {})
        assert refused.status_code == 404
    request.refresh_from_db()
    assert request.state == AccessRequestState.PENDING
    assert browser_client("yuncheng").get("/datahub/catalogue/requests/").status_code == 200


def test_the_head_revokes_a_grant_on_the_category_page(browser_client, persona, restricted):
    request = catalogue.request_access(
        actor=persona("yuncheng"), category=restricted, purpose="核对", fields=None
    )
    grant = catalogue.approve(actor=persona("chengguan-head"), request=request)
    client = browser_client("chengguan-head")
    page = client.get(f"/datahub/catalogue/{restricted.code}/").content.decode()
    assert 'data-testid="revoke"' in page
    client.post(f"/datahub/catalogue/grants/{grant.pk}/revoke/", {"reason": "整治结束"})
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoke_reason == "整治结束"
