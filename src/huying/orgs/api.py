"""Thin API handlers: sign in for a token, read the org tree, who am I."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from huying.orgs import authentication, selectors
from huying.orgs.choices import OrgKind, Role

auth_router = Router(tags=["认证"])
orgs_router = Router(tags=["组织"])


class TokenRequest(Schema):
    username: str = Field(min_length=1, description="用户名")
    password: str = Field(min_length=1, description="密码")


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_at: datetime


class OrgRef(Schema):
    code: str
    name: str


class OrgOut(Schema):
    code: str
    name: str
    short_name: str
    kind: OrgKind
    kind_label: str = Field(alias="get_kind_display")
    parent: OrgRef | None
    is_key_village: bool
    has_calling_right: bool
    contact_name: str
    contact_phone: str
    address: str
    lat: Decimal | None
    lon: Decimal | None


class MeOut(Schema):
    username: str
    full_name: str
    role: Role
    role_label: str = Field(alias="get_role_display")
    org: OrgRef | None
    sees_whole_district: bool


@auth_router.post("/token", response={200: TokenOut}, auth=None, summary="用用户名和密码换取令牌")
def create_token(request: HttpRequest, payload: TokenRequest):
    user = authentication.authenticate_user(payload.username, payload.password)
    raw, token = authentication.issue_token(user)
    return TokenOut(token=raw, expires_at=token.expires_at)


@auth_router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest):
    return request.auth


@orgs_router.get("", response=list[OrgOut], summary="组织单位列表（按可见范围）")
@paginate
def list_orgs(
    request: HttpRequest,
    kind: OrgKind | None = None,
    parent: str | None = None,
    q: str | None = None,
):
    return selectors.org_list(request.auth, kind=kind, parent_code=parent, q=q)


@orgs_router.get("/{code}", response=OrgOut, summary="组织单位详情")
def get_org(request: HttpRequest, code: str):
    return selectors.org_detail(request.auth, code)
