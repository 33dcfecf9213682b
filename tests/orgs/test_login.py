"""Signing in and out through the pages, the lockout, and changing one's password."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from huying.core import clock
from huying.orgs import authentication
from huying.orgs.models import User

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
BAD_CREDENTIALS = "用户名或密码错误"


def login(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def login_error(response) -> str:
    match = re.search(r'data-testid="login-error">(.*?)</div>', response.content.decode(), re.S)
    assert match, "no login error shown"
    return match.group(1).strip()


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def row(username: str) -> dict:
    return User.objects.filter(username=username).values().get()


# --- signing in -----------------------------------------------------------------------------


def test_correct_login_goes_home_and_is_audited(client, persona, password, audit_log):
    response = login(client, "yuncheng", password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in(client)
    user = persona("yuncheng")
    entry = audit_log.one("orgs.login")
    assert (entry.actor_id, entry.object_id) == (user.pk, str(user.pk))
    assert user.last_login is not None
    assert client.get("/").status_code == 200


def test_passwords_are_stored_with_argon2(persona):
    for username in ("admin", "renhe-village", "chengguan"):
        assert persona(username).password.startswith("argon2$argon2id$")


def test_login_page_shows_the_form_in_chinese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html and "用户名" in html and "密码" in html


def test_signed_in_user_visiting_login_goes_home(browser_client):
    response = browser_client("renhe").get("/login/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_password_and_unknown_user_get_the_same_chinese_message(client, password, audit_log):
    before = row("renhe")
    wrong_password = login(client, "renhe", WRONG)
    unknown_user = login(client, "nobody-here", password)
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert login_error(wrong_password) == login_error(unknown_user) == BAD_CREDENTIALS
    assert not is_signed_in(client)
    # Only the failure counter moved; no user appeared.
    after = row("renhe")
    assert after.pop("failed_login_count") == before.pop("failed_login_count") + 1
    assert after == before
    assert not User.objects.filter(username="nobody-here").exists()
    failed = audit_log.new("orgs.login_failed")
    assert [(e.actor_id, e.object_repr, e.reason) for e in failed] == [
        (before["id"], str(User.objects.get(username="renhe")), "密码错误"),
        (None, "nobody-here", "用户不存在"),
    ]
    assert "orgs.login" not in audit_log.actions()


def test_successful_login_clears_the_failure_count(client, password):
    login(client, "renhe", WRONG)
    login(client, "renhe", WRONG)
    assert row("renhe")["failed_login_count"] == 2
    assert login(client, "renhe", password).status_code == 302
    assert row("renhe")["failed_login_count"] == 0


def test_inactive_account_is_refused_with_the_same_message(client, password, audit_log):
    User.objects.filter(username="helong").update(is_active=False)
    response = login(client, "helong", password)
    assert response.status_code == 400 and login_error(response) == BAD_CREDENTIALS
    assert not is_signed_in(client)
    assert audit_log.one("orgs.login_failed").reason == "账号已停用"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "renhe"}, "password"),
        ({"password": "x"}, "username"),
        ({"username": "   ", "password": "x"}, "username"),
        ({"username": "re\x00he", "password": "x"}, "username"),
    ],
)
def test_missing_or_bad_field_shows_a_chinese_field_error(client, data, field, audit_log):
    before = row("renhe")
    response = client.post("/login/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert re.search(r"[\u4e00-\u9fff]", errors[field][0]), errors[field]
    assert row("renhe") == before  # not even a failure counted
    assert audit_log.actions() == []


# --- lockout --------------------------------------------------------------------------------


def test_lockout_defaults_are_five_failures_for_fifteen_minutes():
    assert settings.LOGIN_MAX_FAILURES == 5
    assert settings.LOGIN_LOCKOUT_MINUTES == 15


def test_account_locks_after_too_many_failures(client, audit_log):
    limit = settings.LOGIN_MAX_FAILURES
    for attempt in range(1, limit):
        response = login(client, "renhe", WRONG)
        assert login_error(response) == BAD_CREDENTIALS
        assert row("renhe")["failed_login_count"] == attempt
        assert row("renhe")["locked_until"] is None
    started = clock.now()
    response = login(client, "renhe", WRONG)
    assert response.status_code == 400
    assert "锁定" in login_error(response)
    locked_until = row("renhe")["locked_until"]
    lockout = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    assert started + lockout <= locked_until <= clock.now() + lockout
    assert len(audit_log.new("orgs.login_failed")) == limit
    assert audit_log.one("orgs.user_locked").reason == f"连续 {limit} 次登录失败"


def lock(client, username: str) -> User:
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(client, username, WRONG)
    user = User.objects.get(username=username)
    assert user.locked_until is not None
    return user


def test_locked_account_refuses_even_the_right_password(client, password, audit_log):
    user = lock(client, "renhe")
    audit_log.mark()
    response = login(client, "renhe", password)
    assert response.status_code == 400
    assert "锁定" in login_error(response)
    assert not is_signed_in(client)
    assert audit_log.actions() == ["orgs.login_refused_locked"]
    assert row("renhe")["locked_until"] == user.locked_until  # refusing does not extend it


def test_lock_lifts_after_the_lockout_minutes(client, password):
    user = lock(client, "renhe")
    with clock.frozen_at(user.locked_until - timedelta(seconds=1)):
        assert "锁定" in login_error(login(client, "renhe", password))
    with clock.frozen_at(user.locked_until + timedelta(seconds=1)):
        response = login(client, "renhe", password)
    assert response.status_code == 302 and is_signed_in(client)
    assert row("renhe")["locked_until"] is None


def test_lock_is_per_account(client, password):
    lock(client, "renhe")
    assert login(Client(), "yuncheng", password).status_code == 302


def test_login_form_refuses_a_post_without_the_csrf_token(password):
    client = Client(enforce_csrf_checks=True)
    response = login(client, "renhe", password)
    assert response.status_code == 403
    assert not is_signed_in(client)


# --- where the login sends you --------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/phish",
        "http://evil.example",
        "///evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_pointing_off_site_is_ignored(client, password, target):
    response = login(client, "renhe", password, next=target)
    assert response.status_code == 302 and response["Location"] == "/"


def test_off_site_next_is_not_echoed_into_the_form(client):
    response = client.get("/login/", {"next": "https://evil.example/"})
    assert response.context["next"] == "/"
    assert '<input type="hidden" name="next" value="/">' in response.content.decode()


@pytest.mark.parametrize("target", ["/orgs/", "/orgs/?kind=village&q=%E6%9D%91"])
def test_next_on_site_is_followed(client, password, target):
    response = login(client, "renhe", password, next=target)
    assert response.status_code == 302 and response["Location"] == target


def test_login_required_page_round_trips_through_next(client, password):
    first = client.get("/orgs/")
    assert first["Location"] == "/login/?next=/orgs/"
    response = client.post(first["Location"], {"username": "renhe", "password": password})
    assert response["Location"] == "/orgs/"


# --- signing out ----------------------------------------------------------------------------


def test_logout_is_post_only(browser_client):
    client = browser_client("renhe")
    assert client.get("/logout/").status_code == 405
    assert is_signed_in(client)


def test_logout_ends_the_session_and_is_audited(browser_client, persona, audit_log):
    client = browser_client("renhe")
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not is_signed_in(client)
    assert audit_log.one("orgs.logout").actor_id == persona("renhe").pk
    assert client.get("/orgs/").status_code == 302


def test_logout_when_not_signed_in_writes_nothing(client, audit_log):
    assert client.post("/logout/").status_code == 302
    assert audit_log.actions() == []


# --- changing the password ------------------------------------------------------------------

NEW_PASSWORD = "Qiao-tou-village-2026"


def change(client, old: str, new: str, again: str | None = None):
    return client.post(
        "/password/",
        {"old_password": old, "new_password": new, "new_password_again": again or new},
    )


def test_password_page_needs_a_signed_in_user(client):
    response = client.get("/password/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/password/"


def test_wrong_old_password_is_a_field_error_and_audited(browser_client, persona, audit_log):
    before = persona("renhe").password
    response = change(browser_client("renhe"), WRONG, NEW_PASSWORD)
    assert response.status_code == 400
    assert response.context["form"].errors == {"old_password": ["原密码不正确"]}
    assert persona("renhe").password == before
    assert audit_log.actions() == ["orgs.password_change_failed"]


@pytest.mark.parametrize(
    ("new", "words"),
    [
        ("short-1", "密码长度太短"),
        ("73920584617", "只包含数字"),
        ("password123", "太常见"),
    ],
)
def test_weak_new_password_shows_the_validator_message(
    browser_client, persona, password, audit_log, new, words
):
    before = persona("renhe").password
    response = change(browser_client("renhe"), password, new)
    assert response.status_code == 400
    messages = response.context["form"].errors["new_password"]
    assert any(words in m for m in messages), messages
    assert persona("renhe").password == before
    assert "orgs.password_changed" not in audit_log.actions()


def test_mismatched_repeat_is_a_field_error(browser_client, persona, password):
    before = persona("renhe").password
    response = change(browser_client("renhe"), password, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["new_password_again"]
    assert persona("renhe").password == before


def test_password_change_takes_effect_and_revokes_old_tokens(
    browser_client, api, persona, password, audit_log
):
    api_client = api("renhe")
    assert api_client.get("/api/v1/auth/me").status_code == 200
    other_session = browser_client("renhe")
    client = browser_client("renhe")

    response = change(client, password, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    user = persona("renhe")
    assert user.password.startswith("argon2$") and user.check_password(NEW_PASSWORD)
    assert "orgs.password_changed" in audit_log.actions()
    # This session stays signed in; the other session and the old tokens do not.
    assert client.get("/orgs/").status_code == 200
    assert other_session.get("/orgs/").status_code == 302
    rejected = api_client.get("/api/v1/auth/me")
    assert rejected.status_code == 401
    assert not user.api_tokens.filter(revoked_at__isnull=True).exists()
    # The new password signs in; the old one does not.
    assert login(Client(), "renhe", NEW_PASSWORD).status_code == 302
    assert login_error(login(Client(), "renhe", password)) == BAD_CREDENTIALS


def test_new_token_works_after_a_password_change(api, persona, password):
    user = persona("renhe")
    authentication.change_password(user=user, old_password=password, new_password=NEW_PASSWORD)
    assert api("renhe").get("/api/v1/auth/me").status_code == 200


def test_weak_password_message_follows_the_users_language(browser_client, password):
    client = browser_client("renhe")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = change(client, password, "short-1")
    assert response.context["form"].errors["new_password"] == [
        "This password is too short. It must contain at least 10 characters."
    ]
