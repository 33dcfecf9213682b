"""The data catalogue through the API (/api/v1/catalogue): search the categories, read one with
its fields and whether the caller may read its data, ask for access, decide, withdraw, and list
and revoke grants.

Thin handlers: the rules are the services' (`datahub.catalogue`), the reads the selectors'
(`datahub.catalogue_selectors`). Errors: 403 not this user's to decide, 404 not found or out of
view, 409 the request's state (or the policy) does not allow it, 422 a field is wrong (named).
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from huying.datahub import catalogue
from huying.datahub import catalogue_selectors as selectors
from huying.datahub.choices import AccessPolicy, AccessRequestState
from huying.datahub.models import AccessGrant, AccessRequest, Category
from huying.orgs.choices import Role

router = Router(tags=["数据目录"])


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


def _no_nul(value: str) -> str:
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        raise PydanticCustomError("nul_character", "不能含有空字符（NUL）")
    return value


def _choice(choices) -> Any:
    with translation.override(None):  # the labels' msgids are the Chinese text
        labels = "；".join(f"{value}：{label}" for value, label in choices.choices)
    schema = {"type": "string", "enum": choices.values, "description": labels}
    return Annotated[choices, WithJsonSchema(schema | {"examples": [choices.values[0]]})]


Text = Annotated[str, AfterValidator(_no_nul)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 12})]
Policy = _choice(AccessPolicy)
State = _choice(AccessRequestState)
RoleChoice = _choice(Role)


# --- errors ------------------------------------------------------------------------------------


class FieldError(Schema):
    field: str
    message: str


class CatalogueError(Schema):
    model_config = _examples(
        {
            "detail": "请说明申请用途",
            "errors": [{"field": "purpose", "message": "请说明申请用途"}],
        },
        {"detail": "此申请已处理（已批准），不能再操作", "errors": []},
        {"detail": "未找到，或不在您的可见范围内", "errors": []},
    )

    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[FieldError] = Field(description="出错的字段")


ERRORS = {code: CatalogueError for code in (403, 404, 409, 422)}


# --- output ------------------------------------------------------------------------------------


class CatalogueUnitOut(Schema):
    code: str
    name: str


class CategoryRef(Schema):
    code: str
    name: str


CATEGORY_EXAMPLE = {
    "code": "ZJ-0001",
    "name": "出租屋基本信息",
    "description": "全区出租屋的编码、地址、房东、房间数和核定居住人数，由数据汇聚平台按日汇入。",
    "owner": {"code": "440111-zjj", "name": "区住房和城乡建设局"},
    "source_system": "出租屋管理系统",
    "update_frequency": "daily",
    "update_frequency_label": "每日",
    "record_count": 21873,
    "as_of": "2026-11-24",
    "access_policy": "on_request",
    "access_policy_label": "依申请",
    "hub_source": "dwellings",
    "field_count": 11,
    "max_sensitivity": 4,
}


class CategoryOut(Schema):
    model_config = _examples(CATEGORY_EXAMPLE)

    code: str = Field(description="类目编码")
    name: str
    description: str
    owner: CatalogueUnitOut = Field(description="责任部门")
    source_system: str = Field(description="来源系统")
    update_frequency: str
    update_frequency_label: str = Field(alias="get_update_frequency_display")
    record_count: int = Field(description="记录数")
    as_of: date | None = Field(description="数据截至日期")
    access_policy: Policy
    access_policy_label: str = Field(alias="get_access_policy_display")
    hub_source: str | None = Field(description="数据汇聚平台自己导入的数据源；其余为空")
    field_count: int = Field(description="数据项个数")
    max_sensitivity: int | None = Field(description="数据项的最高敏感级别（1–4）")


class FieldOut(Schema):
    model_config = _examples(
        {
            "name": "owner_id_number",
            "label": "房东身份证号",
            "meaning": "出租人的 18 位公民身份号码。",
            "sensitivity": 4,
            "sensitivity_label": "高度敏感",
        }
    )

    name: str = Field(description="字段名（申请时用）")
    label: str = Field(description="中文名")
    meaning: str = Field(description="含义")
    sensitivity: int = Field(description="敏感级别：1 公开，2 内部，3 敏感，4 高度敏感")
    sensitivity_label: str = Field(alias="get_sensitivity_display")


class CategoryDetailOut(CategoryOut):
    model_config = _examples(
        CATEGORY_EXAMPLE
        | {
            "fields": [FieldOut.model_config["json_schema_extra"]["examples"][0]],
            "may_read": False,
            "readable_fields": [],
        }
    )

    fields: list[FieldOut]
    may_read: bool = Field(description="调用者能否查阅该类目的全部数据")
    readable_fields: list[str] | None = Field(description="调用者可查阅的数据项；null 表示全部")


class SummaryOut(Schema):
    model_config = _examples({"categories": 1250, "records": 3783000000})

    categories: int = Field(description="类目数")
    records: int = Field(description="记录总数")


class RequestOut(Schema):
    model_config = _examples(
        {
            "id": 12,
            "category": {"code": "ZJ-0001", "name": "出租屋基本信息"},
            "org": {"code": "440111014", "name": "云城街道"},
            "requested_by": "云城街呼叫人",
            "purpose": "核对辖内出租屋底数，开展消防安全检查",
            "fields": ["dwelling_code", "address", "max_occupants"],
            "state": "pending",
            "state_label": "待审批",
            "decided_by": None,
            "decided_at": None,
            "decision_note": "",
            "valid_until": "2027-06-30",
            "created_at": "2026-11-24T09:30:00+08:00",
        }
    )

    id: int
    category: CategoryRef
    org: CatalogueUnitOut = Field(description="申请单位")
    requested_by: str = Field(description="申请人")
    purpose: str
    fields: list[str] = Field(description="申请的数据项；空表示全部")
    state: State
    state_label: str = Field(alias="get_state_display")
    decided_by: str | None = Field(description="审批人")
    decided_at: datetime | None
    decision_note: str = Field(description="审批意见（驳回时为理由）")
    valid_until: date | None
    created_at: datetime

    @staticmethod
    def resolve_requested_by(request: AccessRequest) -> str:
        return request.requested_by.display_name

    @staticmethod
    def resolve_decided_by(request: AccessRequest) -> str | None:
        return request.decided_by.display_name if request.decided_by_id else None


class GrantOut(Schema):
    model_config = _examples(
        {
            "id": 7,
            "category": {"code": "ZJ-0001", "name": "出租屋基本信息"},
            "org": {"code": "440111014", "name": "云城街道"},
            "role": "",
            "fields": [],
            "granted_by": "住建局负责人",
            "granted_at": "2026-11-24T10:00:00+08:00",
            "valid_until": "2027-06-30",
            "request_id": 12,
            "revoked_at": None,
            "revoke_reason": "",
            "active": True,
        }
    )

    id: int
    category: CategoryRef
    org: CatalogueUnitOut = Field(description="获授权单位")
    role: str = Field(description="限于该角色；空表示单位的所有角色")
    fields: list[str] = Field(description="授权的数据项；空表示全部")
    granted_by: str
    granted_at: datetime
    valid_until: date | None
    request_id: int | None = Field(description="来自哪份申请")
    revoked_at: datetime | None
    revoke_reason: str
    active: bool = Field(description="未撤销且未过期")

    @staticmethod
    def resolve_granted_by(grant: AccessGrant) -> str:
        return grant.granted_by.display_name

    @staticmethod
    def resolve_active(grant: AccessGrant) -> bool:
        return grant.revoked_at is None and (
            grant.valid_until is None or grant.valid_until >= selectors.today()
        )


# --- input -------------------------------------------------------------------------------------


class RequestIn(Schema):
    model_config = _examples(
        {
            "purpose": "核对辖内出租屋底数，开展消防安全检查",
            "fields": ["dwelling_code", "address", "max_occupants"],
            "valid_until": "2027-06-30",
        },
        {"purpose": "编制年度统计公报"},
    )

    purpose: Text = Field(max_length=catalogue.MAX_PURPOSE, description="用途（必填）")
    fields: list[Annotated[str, Field(max_length=64)]] = Field(
        [], max_length=200, description="申请的数据项字段名；不填表示全部"
    )
    valid_until: date | None = Field(None, description="希望的有效期（不早于今天）")


class ApproveIn(Schema):
    model_config = _examples({"note": "同意，仅限消防检查使用", "valid_until": "2027-06-30"}, {})

    note: Text = Field("", max_length=2000, description="审批意见（可不填）")
    valid_until: date | None = Field(None, description="授权有效期；不填则用申请的")
    role: RoleChoice | None = Field(None, description="只授予申请单位的这一角色；不填为全部")


AS_ASKED = ApproveIn()  # approve as asked: no note, the request's own period, every role


class CatalogueReasonIn(Schema):
    model_config = _examples({"reason": "申请用途与数据无关，请补充依据"})

    reason: Text = Field(max_length=2000, description="理由（必填）")


class CategoryFilter(Schema):
    q: str = Field("", max_length=100, description="在名称、说明、部门、数据项中文名和含义中查找")
    owner: str = Field("", max_length=32, description="责任部门编码，如 440111-gaj")
    policy: Policy | None = Field(None, description="共享方式")
    min_sensitivity: int | None = Field(
        None, ge=1, le=4, description="至少含一个该级别及以上的数据项"
    )
    hub: bool = Field(False, description="只看数据汇聚平台自己导入的类目")


# --- handlers ----------------------------------------------------------------------------------


@router.get("/summary", response=SummaryOut, summary="数据目录总量：类目数和记录总数")
def summary(request: HttpRequest):
    totals = selectors.totals()
    return {"categories": totals.categories, "records": totals.records}


@router.get(
    "/categories",
    response={200: list[CategoryOut], 422: CatalogueError},
    summary="查找数据类目（分页）",
)
@paginate
def list_categories(request: HttpRequest, filters: Query[CategoryFilter]):
    return selectors.search(
        selectors.Search(
            q=filters.q,
            owner=filters.owner,
            policy=filters.policy or "",
            min_sensitivity=filters.min_sensitivity,
            hub_only=filters.hub,
        )
    )


def _detail(user, category: Category) -> dict:
    # Annotate the figures the list carries, from the prefetched fields.
    fields = list(category.fields.all())
    category.field_count = len(fields)
    category.max_sensitivity = max((f.sensitivity for f in fields), default=None)
    readable = selectors.readable_fields(user, category)
    category.may_read = selectors.may_read(user, category)
    category.readable_fields = None if readable is None else sorted(readable)
    return category


@router.get(
    "/categories/{code}",
    response={200: CategoryDetailOut, 404: CatalogueError},
    summary="数据类目详情：数据项、敏感级别，以及调用者能否查阅",
)
def get_category(request: HttpRequest, code: Path[str]):
    return _detail(request.auth, selectors.category(code))


@router.post(
    "/categories/{code}/requests",
    response={201: RequestOut, **ERRORS},
    summary="申请查阅数据类目（开放类目无需申请，409）",
)
def request_access(request: HttpRequest, code: Path[str], payload: RequestIn):
    made = catalogue.request_access(
        actor=request.auth,
        category=selectors.category(code),
        purpose=payload.purpose,
        fields=payload.fields,
        valid_until=payload.valid_until,
    )
    return Status(201, selectors.request_detail(request.auth, made.pk))


@router.get("/requests", response=list[RequestOut], summary="数据共享申请（按可见范围，分页）")
@paginate
def list_requests(
    request: HttpRequest,
    box: Literal["all", "mine", "decide"] = "all",
    state: State | None = None,
):
    """`mine`: 本单位的申请；`decide`: 待我审批（部门负责人、管理员）；`all`: 可见的全部。"""
    user = request.auth
    qs = {
        "mine": selectors.my_requests,
        "decide": selectors.to_decide,
        "all": selectors.requests_visible_to,
    }[box](user)
    return qs.filter(state=state) if state else qs


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, 404: CatalogueError, 422: CatalogueError},
    summary="数据共享申请详情",
)
def get_request(request: HttpRequest, request_id: Path[Id]):
    return selectors.request_detail(request.auth, request_id)


@router.post(
    "/requests/{request_id}/approve",
    response={200: GrantOut, **ERRORS},
    summary="批准申请并授权（数据所属部门负责人或管理员）",
)
def approve(request: HttpRequest, request_id: Path[Id], payload: ApproveIn = AS_ASKED):
    grant = catalogue.approve(
        actor=request.auth,
        request=selectors.request_detail(request.auth, request_id),
        note=payload.note,
        valid_until=payload.valid_until,
        role=payload.role or "",
    )
    return selectors.grant_detail(request.auth, grant.pk)


@router.post(
    "/requests/{request_id}/decline",
    response={200: RequestOut, **ERRORS},
    summary="驳回申请（须说明理由）",
)
def decline(request: HttpRequest, request_id: Path[Id], payload: CatalogueReasonIn):
    catalogue.decline(
        actor=request.auth,
        request=selectors.request_detail(request.auth, request_id),
        reason=payload.reason,
    )
    return selectors.request_detail(request.auth, request_id)


@router.post(
    "/requests/{request_id}/withdraw",
    response={200: RequestOut, **ERRORS},
    summary="撤回本人的申请（待审批时）",
)
def withdraw(request: HttpRequest, request_id: Path[Id]):
    catalogue.withdraw(
        actor=request.auth, request=selectors.request_detail(request.auth, request_id)
    )
    return selectors.request_detail(request.auth, request_id)


@router.get("/grants", response=list[GrantOut], summary="数据共享授权（按可见范围，分页）")
@paginate
def list_grants(request: HttpRequest, active: bool | None = None, category: str = ""):
    qs = selectors.grants_visible_to(request.auth)
    if active:
        qs = selectors.live_grants(qs)
    if category:
        qs = qs.filter(category__code=category)
    return qs


@router.post(
    "/grants/{grant_id}/revoke",
    response={200: GrantOut, **ERRORS},
    summary="撤销授权（须说明理由）",
)
def revoke(request: HttpRequest, grant_id: Path[Id], payload: CatalogueReasonIn):
    catalogue.revoke(
        actor=request.auth,
        grant=selectors.grant_detail(request.auth, grant_id),
        reason=payload.reason,
    )
    return selectors.grant_detail(request.auth, grant_id)
