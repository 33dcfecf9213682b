"""API tokens: issued for a username and password, refused in plain Chinese, audited."""

import json
import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from huying.core import clock
from huying.orgs import authentication
from huying.orgs.models import ApiToken, User

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
CJK = re.compile(r"[\u4e00-\u9fff]")


def ask_token(client: Client, payload) -> object:
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(TOKEN_URL, data=body, content_type="application/json")


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


# --- issuing --------------------------------------------------------------------------------


def test_right_password_gets_a_bearer_token(client, password, persona, audit_log):
    started = clock.now()
    response = ask_token(client, {"username": "chengguan", "password": password})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "token_type", "expires_at"}
    assert body["token_type"] == "Bearer"
    assert authentication.TOKEN_PATTERN.match(body["token"])
    expires_at = datetime.fromisoformat(body["expires_at"])
    ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert started + ttl - timedelta(seconds=1) <= expires_at <= clock.now() + ttl
    assert audit_log.actions() == ["orgs.login", "orgs.token_issued"]
    me = bearer(body["token"]).get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "chengguan"


def test_only_the_tokens_hash_is_stored(client, password, persona):
    raw = ask_token(client, {"username": "chengguan", "password": password}).json()["token"]
    token = persona("chengguan").api_tokens.get()
    assert token.key_hash == authentication.hash_token(raw) != raw
    assert raw.startswith(token.prefix) and len(token.prefix) < len(raw)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(v) for v in stored.values()}


def test_each_request_for_a_token_gets_a_new_one(client, password):
    payload = {"username": "chengguan", "password": password}
    first, second = (ask_token(client, payload).json()["token"] for _ in range(2))
    assert first != second
    assert bearer(first).get("/api/v1/auth/me").status_code == 200
    assert bearer(second).get("/api/v1/auth/me").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(client, password, audit_log):
    wrong = ask_token(client, {"username": "chengguan", "password": "nope-nope"})
    unknown = ask_token(client, {"username": "no-such-user", "password": password})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "用户名或密码错误", "errors": []}
    assert not ApiToken.objects.exists()
    assert audit_log.actions() == ["orgs.login_failed", "orgs.login_failed"]
    assert User.objects.get(username="chengguan").failed_login_count == 1


def test_token_endpoint_shares_the_login_lockout(client, password):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = ask_token(client, {"username": "chengguan", "password": "nope-nope"})
    assert response.status_code == 401 and "锁定" in response.json()["detail"]
    refused = ask_token(client, {"username": "chengguan", "password": password})
    assert refused.status_code == 401 and "锁定" in refused.json()["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"username": "chengguan"}, ["password"]),
        ({"password": "x"}, ["username"]),
        ({}, ["username", "password"]),
        ({"username": "chengguan", "password": ""}, ["password"]),
        ({"username": 7, "password": "x"}, ["username"]),
    ],
)
def test_missing_field_is_422_naming_it_in_chinese(client, payload, fields):
    response = ask_token(client, payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == fields
    assert all(CJK.search(e["message"]) for e in errors)
    assert CJK.search(response.json()["detail"])


def test_blank_password_is_422_naming_the_field(client):
    response = ask_token(client, {"username": "chengguan", "password": "   "})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "password", "message": "请填写密码"}]


def test_nul_in_the_username_is_422_not_a_server_error(client, audit_log):
    response = ask_token(client, {"username": "cheng\x00guan", "password": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "username"
    assert audit_log.actions() == []


@pytest.mark.parametrize(
    "body",
    ["{bad json", "username=a&password=b", b"\xff\xfe\x00", '{"username": "a",}', "nul\x00l"],
)
def test_malformed_body_is_a_chinese_json_4xx_never_500(client, body):
    response = ask_token(client, body)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert CJK.search(data["detail"]), data
    assert data["errors"][0]["field"] == "body"


@pytest.mark.parametrize("body", ["null", "[]", "123", '"text"', ""])
def test_body_that_is_not_an_object_is_422(client, body):
    response = ask_token(client, body)
    assert response.status_code == 422
    assert response.json()["errors"]


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(
        st.binary(max_size=80),
        st.text(max_size=80),
        st.dictionaries(
            st.sampled_from(["username", "password", "extra"]),
            st.one_of(st.text(max_size=40), st.integers(), st.none(), st.booleans()),
        ).map(json.dumps),
    )
)
def test_token_endpoint_never_answers_500_and_always_json(db, body):
    response = ask_token(Client(), body)
    assert response.status_code in (401, 400, 422), response.content
    assert "detail" in response.json()


# --- using a token --------------------------------------------------------------------------


def test_malformed_token_is_401_and_audited(audit_log):
    response = bearer("abc").get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌格式不正确"
    entry = audit_log.one("orgs.token_rejected")
    assert (entry.actor_id, entry.reason) == (None, "令牌格式不正确")


def test_unknown_well_formed_token_is_401_and_audited(audit_log):
    response = bearer("hy_" + "A" * 43).get("/api/v1/orgs")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已吊销，请重新获取"
    assert audit_log.one("orgs.token_rejected").reason == "令牌无效或已吊销，请重新获取"


def test_token_works_until_it_expires(persona, audit_log):
    user = persona("renhe")
    raw, token = authentication.issue_token(user)
    with clock.frozen_at(token.expires_at - timedelta(seconds=1)):
        assert bearer(raw).get("/api/v1/auth/me").status_code == 200
    audit_log.mark()
    with clock.frozen_at(token.expires_at + timedelta(seconds=1)):
        response = bearer(raw).get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("令牌已过期")
    entry = audit_log.one("orgs.token_rejected")
    assert (entry.actor_id, entry.object_id) == (user.pk, str(token.pk))


def test_token_expires_after_the_configured_hours(persona):
    raw, token = authentication.issue_token(persona("renhe"))
    assert token.expires_at - token.created_at == timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    with clock.frozen_at(token.created_at + timedelta(hours=settings.API_TOKEN_TTL_HOURS)):
        assert bearer(raw).get("/api/v1/auth/me").status_code == 401


def test_revoked_token_is_401(persona, audit_log):
    user = persona("renhe")
    raw, _ = authentication.issue_token(user)
    assert bearer(raw).get("/api/v1/auth/me").status_code == 200
    authentication.revoke_token(raw, user)
    assert audit_log.one("orgs.token_revoked").actor_id == user.pk
    response = bearer(raw).get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已吊销，请重新获取"


def test_someone_elses_token_cannot_be_revoked_by_another_user(persona):
    raw, _ = authentication.issue_token(persona("renhe"))
    authentication.revoke_token(raw, persona("yuncheng"))
    assert bearer(raw).get("/api/v1/auth/me").status_code == 200


def test_token_of_a_deactivated_user_is_401(persona):
    raw, _ = authentication.issue_token(persona("renhe"))
    User.objects.filter(username="renhe").update(is_active=False)
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401


def test_no_credentials_is_401_in_chinese(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "请先登录，或在 Authorization 头中提供有效的 Bearer 令牌",
        "errors": [],
    }


@pytest.mark.parametrize("header", ["Token hy_abc", "Basic cmVuaGU6aHV5aW5nLWRlbW8=", "Bearer"])
def test_other_authorization_schemes_are_401(header):
    response = Client(headers={"Authorization": header}).get("/api/v1/auth/me")
    assert response.status_code == 401


def test_token_use_is_stamped_at_most_once_a_minute(persona):
    raw, token = authentication.issue_token(persona("renhe"))
    start = token.created_at + timedelta(minutes=5)
    with clock.frozen_at(start):
        bearer(raw).get("/api/v1/auth/me")
    token.refresh_from_db()
    assert token.last_used_at == start
    with clock.frozen_at(start + timedelta(seconds=30)):
        bearer(raw).get("/api/v1/auth/me")
    token.refresh_from_db()
    assert token.last_used_at == start
    with clock.frozen_at(start + timedelta(minutes=2)):
        bearer(raw).get("/api/v1/auth/me")
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(minutes=2)


# --- the browser's session works for the API too --------------------------------------------


def test_logged_in_browser_session_can_read_the_api(browser_client, persona):
    client = browser_client("renhe")
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "renhe" and me.json()["role"] == "caller"
    orgs = client.get("/api/v1/orgs")
    assert orgs.status_code == 200 and orgs.json()["count"] == 27


def test_session_from_the_login_page_works_for_the_api(client, password):
    client.post("/login/", {"username": "chengguan", "password": password})
    response = client.get("/api/v1/orgs")
    assert response.status_code == 200
    assert [i["code"] for i in response.json()["items"]] == ["440111-cgj"]


def test_bad_token_is_not_rescued_by_a_session(browser_client):
    client = browser_client("renhe")
    response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 401
