"""Every change to the org tree and to users: one transaction, one audit row each."""

import re
from typing import Any

from django.db import transaction

from huying.core import audit
from huying.core.errors import Invalid
from huying.orgs.choices import PARENT_KINDS, ROLE_ORG_KINDS, OrgKind, Role
from huying.orgs.models import Org, User

ORG_AUDITED_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "parent_id",
    "is_key_village",
    "has_calling_right",
    "contact_name",
    "contact_phone",
    "address",
    "lat",
    "lon",
    "is_active",
)


def org_snapshot(org: Org) -> dict[str, Any]:
    return {name: getattr(org, name) for name in ORG_AUDITED_FIELDS}


# Codes are path segments: a "/" would let a unit slip into another unit's subtree (scoping).
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


def validate_org(org: Org) -> None:
    """The tree's rules: kinds under the right parent, calling right only where allowed."""
    if not CODE_PATTERN.match(org.code or ""):
        raise Invalid("编码只能由字母、数字、“-”和“_”组成", field="code")
    kind = OrgKind(org.kind)
    parent_kind = OrgKind(org.parent.kind) if org.parent_id else None
    allowed = PARENT_KINDS[kind]
    if allowed and parent_kind not in allowed:
        names = "、".join(str(OrgKind(k).label) for k in allowed)  # lazy labels
        raise Invalid(f"{kind.label}的上级单位必须是{names}", field="parent")
    if not allowed and org.parent_id:
        raise Invalid("区是组织树的根，不能有上级单位", field="parent")
    if org.is_key_village and not org.is_village:
        raise Invalid("只有村或社区可以标为重点村", field="is_key_village")
    if org.has_calling_right and not (org.is_town or org.is_key_village):
        raise Invalid("呼叫权只授予镇街和重点村", field="has_calling_right")
    if org.pk and org.parent_id and org.parent.path.startswith(org.path):
        raise Invalid("上级单位不能是自己或自己的下级", field="parent")
    if org.pk:
        _validate_kind_fits_members(org, kind)


def _validate_kind_fits_members(org: Org, kind: OrgKind) -> None:
    """A change of kind must not strand the unit's children or users under the wrong kind."""
    child_kinds = [k for k, parents in PARENT_KINDS.items() if kind in parents]
    if org.children.exclude(kind__in=child_kinds).exists():
        raise Invalid(f"该单位有下级单位，不能改为{kind.label}", field="kind")
    roles = [r for r, kinds in ROLE_ORG_KINDS.items() if kind in kinds]
    if org.users.exclude(role__in=roles).exists():
        raise Invalid(f"该单位有用户的角色不能属于{kind.label}", field="kind")


def _path_for(org: Org) -> str:
    # The parent's path as stored: the caller's parent instance may predate a recode.
    if not org.parent_id:
        return f"{org.code}/"
    return f"{Org.objects.values_list('path', flat=True).get(pk=org.parent_id)}{org.code}/"


@transaction.atomic
def create_org(*, actor: User | None, **fields: Any) -> Org:
    org = Org(**fields)
    if "has_calling_right" not in fields:
        # Towns and key villages hold the calling right unless told otherwise.
        org.has_calling_right = org.is_town or org.is_key_village
    validate_org(org)
    if Org.objects.filter(code=org.code).exists():
        raise Invalid(f"编码 {org.code} 已被使用", field="code")
    org.path = _path_for(org)
    org.save()
    audit.record("orgs.org_created", actor=actor, obj=org, after=org_snapshot(org))
    return org


@transaction.atomic
def update_org(*, actor: User | None, org: Org, reason: str = "", **changes: Any) -> Org:
    before_row = Org.objects.select_for_update().get(pk=org.pk)
    before = org_snapshot(before_row)
    for name, value in changes.items():
        setattr(org, name, value)
    validate_org(org)
    if Org.objects.filter(code=org.code).exclude(pk=org.pk).exists():
        raise Invalid(f"编码 {org.code} 已被使用", field="code")
    old_path, org.path = before_row.path, _path_for(org)
    org.save()
    if org.path != old_path:
        _rewrite_descendant_paths(old_path, org.path)
    after = org_snapshot(org)
    if after != before:
        audit.record(
            "orgs.org_updated", actor=actor, obj=org, before=before, after=after, reason=reason
        )
    return org


def _rewrite_descendant_paths(old_prefix: str, new_prefix: str) -> None:
    for child in Org.objects.filter(path__startswith=old_prefix).exclude(path=old_prefix):
        child.path = new_prefix + child.path[len(old_prefix) :]
        child.save(update_fields=["path"])


def validate_user_org(role: str, org: Org | None) -> None:
    allowed = ROLE_ORG_KINDS[Role(role)]
    if org is None:
        raise Invalid("请选择所属单位", field="org")
    if OrgKind(org.kind) not in allowed:
        names = "、".join(str(OrgKind(k).label) for k in allowed)  # lazy labels
        raise Invalid(f"{Role(role).label}只能属于{names}", field="org")


USER_AUDITED_FIELDS = ("username", "full_name", "org_id", "role", "is_active", "is_staff")


def user_snapshot(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in USER_AUDITED_FIELDS}


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    org: Org,
    full_name: str = "",
    phone: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise Invalid("请填写用户名", field="username")
    if User.objects.filter(username=username).exists():
        raise Invalid(f"用户名 {username} 已存在", field="username")
    validate_user_org(role, org)
    user = User(username=username, role=role, org=org, full_name=full_name, phone=phone)
    # Administrators run the back office (the Django admin).
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.set_password(password)
    user.save()
    audit.record("orgs.user_created", actor=actor, obj=user, after=user_snapshot(user))
    return user


@transaction.atomic
def update_user(*, actor: User | None, user: User, **changes: Any) -> User:
    before = user_snapshot(User.objects.select_for_update().get(pk=user.pk))
    for name, value in changes.items():
        setattr(user, name, value)
    if User.objects.filter(username=user.username).exclude(pk=user.pk).exists():
        raise Invalid(f"用户名 {user.username} 已存在", field="username")
    validate_user_org(user.role, user.org)
    user.is_staff = user.is_superuser = user.role == Role.ADMIN
    user.save()
    after = user_snapshot(user)
    if after != before:
        audit.record("orgs.user_updated", actor=actor, obj=user, before=before, after=after)
    return user


@transaction.atomic
def unlock_user(*, actor: User | None, user: User) -> bool:
    """Lift a login lockout before it runs out (an administrator's call). False if not locked."""
    updated = User.objects.filter(pk=user.pk, locked_until__isnull=False).update(
        locked_until=None, failed_login_count=0
    )
    if updated:
        audit.record("orgs.user_unlocked", actor=actor, obj=user)
    return bool(updated)
