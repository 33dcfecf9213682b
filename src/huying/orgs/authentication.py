"""Signing in: passwords with lockout, API bearer tokens, password change.

Wrong password and unknown user give the same message, so the login form does not tell an
attacker which usernames exist. Every failure that concerns security is audited.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from huying.core import audit, clock
from huying.core.errors import Invalid, Unauthorized
from huying.orgs.models import ApiToken, User

BAD_CREDENTIALS = "用户名或密码错误"
TOKEN_PREFIX = "hy_"  # noqa: S105
TOKEN_PATTERN = re.compile(r"^hy_[A-Za-z0-9_-]{43}$")
# Writing last_used_at on every request would turn each API read into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def _require(value: str, field: str, label: str) -> str:
    if not value or not value.strip():
        raise Invalid(f"请填写{label}", field=field)
    return value


def authenticate_user(username: str, password: str) -> User:
    """Check a username and password; count failures and lock after too many."""
    username = _require(username, "username", "用户名").strip()
    _require(password, "password", "密码")
    if "\x00" in username:  # no username holds one, and PostgreSQL cannot even compare it
        raise Invalid("用户名含有不允许的空字符", field="username")
    user = User.objects.filter(username=username).first()
    if user is None:
        User().set_password(password)  # same cost as a real check: no timing oracle
        audit.record(
            "orgs.login_failed", object_type="orgs.user", object_repr=username, reason="用户不存在"
        )
        raise Unauthorized(BAD_CREDENTIALS)
    now = clock.now()
    if user.locked_until and user.locked_until > now:
        audit.record("orgs.login_refused_locked", actor=user, obj=user, reason="账号已锁定")
        raise Unauthorized(_locked_message(user))
    if not user.is_active or not user.check_password(password):
        user = _count_failure(user, now)
        if user.locked_until:
            raise Unauthorized(_locked_message(user))
        raise Unauthorized(BAD_CREDENTIALS)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            failed_login_count=0, locked_until=None, last_login=now
        )
        audit.record("orgs.login", actor=user, obj=user)
    return user


def _count_failure(user: User, now) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.failed_login_count += 1
        reason = "密码错误" if user.is_active else "账号已停用"
        audit.record("orgs.login_failed", actor=user, obj=user, reason=reason)
        if user.failed_login_count >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_login_count = 0
            audit.record(
                "orgs.user_locked",
                actor=user,
                obj=user,
                reason=f"连续 {settings.LOGIN_MAX_FAILURES} 次登录失败",
            )
        user.save(update_fields=["failed_login_count", "locked_until"])
    return user


def _locked_message(user: User) -> str:
    until = timezone.localtime(user.locked_until).strftime("%H:%M")
    return f"登录失败次数过多，账号已锁定至 {until}，请稍后再试或联系管理员"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(user: User) -> tuple[str, ApiToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:10],
        created_at=now,
        expires_at=now + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    audit.record("orgs.token_issued", actor=user, obj=token)
    return raw, token


def authenticate_token(raw: str) -> User:
    """Resolve a bearer token to its user, or raise with the reason in plain Chinese."""
    if not TOKEN_PATTERN.match(raw or ""):
        _reject_token("令牌格式不正确")
    token = (
        ApiToken.objects.select_related("user", "user__org")
        .filter(key_hash=hash_token(raw))
        .first()
    )
    if token is None or token.revoked_at is not None or not token.user.is_active:
        _reject_token("令牌无效或已吊销，请重新获取")
    now = clock.now()
    if token.expires_at <= now:
        _reject_token("令牌已过期，请重新获取", token)
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _reject_token(message: str, token: ApiToken | None = None) -> None:
    audit.record(
        "orgs.token_rejected",
        actor=token.user if token else None,
        obj=token,
        object_type="orgs.apitoken",
        reason=message,
    )
    raise Unauthorized(message)


@transaction.atomic
def revoke_token(raw: str, user: User) -> None:
    updated = ApiToken.objects.filter(
        key_hash=hash_token(raw), user=user, revoked_at__isnull=True
    ).update(revoked_at=clock.now())
    if updated:
        audit.record("orgs.token_revoked", actor=user, obj=user)


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password or ""):
        # Recorded on its own: the refusal must stay in the log.
        audit.record("orgs.password_change_failed", actor=user, obj=user, reason="原密码错误")
        raise Invalid("原密码不正确", field="old_password")
    _require(new_password, "new_password", "新密码")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise Invalid("；".join(exc.messages), field="new_password") from exc
    with transaction.atomic():
        _store_new_password(user, new_password)


def _store_new_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Existing API tokens stop working once the password changes.
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())
    audit.record("orgs.password_changed", actor=user, obj=user)
