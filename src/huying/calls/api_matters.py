"""Thin API handlers for the special list (专项清单), mounted at /api/v1/matters.

Every signed-in user reads the list (it is public inside the district); administrators create
and update matters and import sheets (the rule lives in `matters.require_admin`). Limits are
written and returned as ISO 8601 durations ("PT30M") or whole numbers of working days (3).
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from huying.calls import excel, matters
from huying.calls.choices import Domain
from huying.calls.models import Matter
from huying.core.errors import Invalid

router = Router(tags=["专项清单"])


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


def _no_nul(value: str) -> str:
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        raise PydanticCustomError("nul_character", "不能含有空字符（NUL）")
    return value


def _limit_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError(
            "limit_type", "应为 ISO 8601 时长字符串（如 PT30M）或工作日天数（整数）"
        )
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Code = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_no_nul)]
LimitValue = Annotated[
    str | int,
    BeforeValidator(_limit_value),
    AfterValidator(lambda v: _no_nul(v) if isinstance(v, str) else v),
    WithJsonSchema(
        {
            "oneOf": [{"type": "string", "format": "duration"}, {"type": "integer", "minimum": 1}],
            "description": "ISO 8601 时长（如 PT30M、PT2H、P1DT2H），或工作日天数（整数）",
            "examples": ["PT30M", 3],
        }
    ),
]

# --- responses ---------------------------------------------------------------------------------

DEPARTMENT_EXAMPLE = {
    "code": "440111-cgj",
    "name": "区城市管理和综合执法局",
    "short_name": "城管局",
}
MATTER_EXAMPLE = {
    "code": "ZF-001",
    "domain": "law_enforcement",
    "domain_label": "综合执法",
    "name": "占道经营整治",
    "description": "店铺超出门窗外墙经营、流动摊贩占用道路和公共场地经营。",
    "lead_department": DEPARTMENT_EXAMPLE,
    "co_departments": [
        {"code": "440111-scjgj", "name": "区市场监督管理局", "short_name": "市场监管局"}
    ],
    "response_limit": "PT2H",
    "response_limit_label": "2小时",
    "resolution_limit": 3,
    "resolution_limit_label": "3 个工作日",
    "legal_basis": "《城市市容和环境卫生管理条例》；《广州市市容环境卫生管理规定》",
    "is_active": True,
    "updated_at": "2026-11-16T09:00:00+08:00",
}


class DepartmentRef(Schema):
    model_config = _examples(DEPARTMENT_EXAMPLE)

    code: str
    name: str
    short_name: str


class MatterOut(Schema):
    model_config = _examples(MATTER_EXAMPLE)

    code: str = Field(description="编号")
    domain: Domain
    domain_label: str = Field(alias="get_domain_display")
    name: str = Field(description="事项名称")
    description: str = Field(description="说明")
    lead_department: DepartmentRef = Field(description="牵头部门")
    co_departments: list[DepartmentRef] = Field(description="协办部门")
    response_limit: str | int = Field(description="响应时限：ISO 8601 时长或工作日天数")
    response_limit_label: str
    resolution_limit: str | int = Field(description="办结时限：ISO 8601 时长或工作日天数")
    resolution_limit_label: str
    legal_basis: str = Field(description="依据")
    is_active: bool = Field(description="启用；停用的事项不能再被呼叫")
    updated_at: datetime

    @staticmethod
    def resolve_co_departments(matter: Matter) -> list:
        return list(matter.co_departments.all())

    @staticmethod
    def resolve_response_limit(matter: Matter) -> str | int:
        return matter.response_limit.to_api()

    @staticmethod
    def resolve_response_limit_label(matter: Matter) -> str:
        return matter.response_limit.describe()

    @staticmethod
    def resolve_resolution_limit(matter: Matter) -> str | int:
        return matter.resolution_limit.to_api()

    @staticmethod
    def resolve_resolution_limit_label(matter: Matter) -> str:
        return matter.resolution_limit.describe()


class HistoryOut(Schema):
    model_config = _examples(
        {
            "seq": 1234,
            "at": "2026-11-16T09:00:00+08:00",
            "actor_name": "系统管理员",
            "action": "calls.matter_updated",
            "before": {"response_limit": "PT2H"},
            "after": {"response_limit": "PT1H"},
            "reason": "区政府常务会议要求缩短响应时限",
        }
    )

    seq: int
    at: datetime
    actor_name: str = Field(description="操作人（当时的姓名）；系统操作为空")
    action: str = Field(description="calls.matter_created 或 calls.matter_updated")
    before: dict[str, Any] | None = Field(description="修改前的快照（新建为空）")
    after: dict[str, Any] | None = Field(description="修改后的快照")
    reason: str


class ImportOut(Schema):
    model_config = _examples(
        {
            "detail": "导入成功：新建 2 项，更新 1 项，未变 73 项",
            "created": ["ZF-031", "ZF-032"],
            "updated": ["ZF-001"],
            "unchanged": ["ZF-002"],
        }
    )

    detail: str
    created: list[str] = Field(description="新建的事项编号")
    updated: list[str] = Field(description="更新的事项编号")
    unchanged: list[str] = Field(description="内容未变的事项编号")


class RowErrorOut(Schema):
    row: int = Field(description="Excel 行号（表头为第 1 行）")
    column: str = Field(description="列名，如 牵头部门；整行或整个文件的问题为空")
    field: str = Field(description="对应的接口字段名")
    message: str


class ImportErrorOut(Schema):
    model_config = _examples(
        {
            "detail": "导入失败：2 行有误，未导入任何事项",
            "errors": [
                {
                    "row": 5,
                    "column": "牵头部门",
                    "field": "lead_department",
                    "message": "没有名为“城建局”的区直部门（写全称、简称或编码）",
                },
                {
                    "row": 7,
                    "column": "响应时限",
                    "field": "response_limit",
                    "message": "应写 ISO 8601 时长（如 PT30M）、“30分钟”“2小时”，"
                    "或工作日（如“3个工作日”或 3）",
                },
            ],
        }
    )

    detail: str
    errors: list[RowErrorOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, str]]


# --- requests ----------------------------------------------------------------------------------


class MatterIn(Schema):
    model_config = _examples(
        {
            "code": "ZF-031",
            "domain": "law_enforcement",
            "name": "违规设置地桩地锁",
            "description": "在公共道路、小区公共区域私设地桩地锁占用车位。",
            "lead_department": "440111-cgj",
            "co_departments": ["440111-jjdd"],
            "response_limit": "PT4H",
            "resolution_limit": 3,
            "legal_basis": "《广州市市容环境卫生管理规定》",
            "is_active": True,
        },
        {
            "code": "YJ-025",
            "domain": "emergency",
            "name": "地铁施工沿线地面沉降",
            "lead_department": "440111-zjj",
            "co_departments": ["440111-yjj", "440111-jjdd"],
            "response_limit": "PT30M",
            "resolution_limit": "PT24H",
        },
    )

    code: Code = Field(description="编号：字母、数字、“-”或“_”")
    domain: Domain = Field(description="领域")
    name: Text = Field(min_length=1, max_length=100, description="事项名称")
    description: Text = Field("", description="说明")
    lead_department: Code = Field(description="牵头部门的编码")
    co_departments: list[Code] = Field(default_factory=list, description="协办部门的编码")
    response_limit: LimitValue
    resolution_limit: LimitValue
    legal_basis: Text = Field("", description="依据")
    is_active: bool = Field(True, description="启用")


class MatterPatch(Schema):
    model_config = _examples(
        {"response_limit": "PT1H", "reason": "区政府常务会议要求缩短响应时限"},
        {"is_active": False, "reason": "职责已调整，停用"},
        {"co_departments": ["440111-scjgj", "440111-gaj"]},
    )

    code: Code | None = Field(None, description="新编号")
    domain: Domain | None = None
    name: Text | None = Field(None, min_length=1, max_length=100)
    description: Text | None = None
    lead_department: Code | None = Field(None, description="牵头部门的编码")
    co_departments: list[Code] | None = Field(None, description="协办部门的编码（整体替换）")
    response_limit: LimitValue | None = None
    resolution_limit: LimitValue | None = None
    legal_basis: Text | None = None
    is_active: bool | None = None
    reason: Text = Field("", description="修改原因，记入修改记录")


class MatterFilters(Schema):
    domain: Domain | None = Field(None, description="领域", examples=["emergency"])
    active: bool | None = Field(
        None, description="true 只看启用的，false 只看停用的", examples=[True]
    )
    q: str | None = Field(None, description="编号或名称包含", examples=["积水"])
    department: str | None = Field(
        None, description="部门编码：牵头或协办的事项", examples=["440111-swj"]
    )


# --- handlers ----------------------------------------------------------------------------------


@router.get("", response=list[MatterOut], summary="专项清单（所有登录用户可见）")
@paginate
def list_matters(request: HttpRequest, filters: Query[MatterFilters]):
    return matters.matter_list(request.auth, **filters.dict())


@router.get(
    "/export.xlsx",
    summary="导出专项清单（Excel）",
    response={200: None},
    openapi_extra={
        "responses": {200: {"description": "Excel 工作簿", "content": {excel.XLSX: {}}}}
    },
)
def export_matters(request: HttpRequest, filters: Query[MatterFilters]):
    items = matters.matter_list(request.auth, **filters.dict())
    return excel.xlsx_response(excel.export_workbook(items), "专项清单.xlsx")


@router.get(
    "/template.xlsx",
    summary="下载专项清单导入模板（Excel）",
    response={200: None},
    openapi_extra={
        "responses": {200: {"description": "Excel 工作簿", "content": {excel.XLSX: {}}}}
    },
)
def matter_template(request: HttpRequest):
    return excel.xlsx_response(excel.template_workbook(), "专项清单导入模板.xlsx")


@router.post(
    "/import",
    response={200: ImportOut, 403: ErrorOut, 422: ImportErrorOut},
    summary="从 Excel 导入专项清单（仅系统管理员；有一行出错则全部不导入）",
)
def import_matters(request: HttpRequest, file: File[UploadedFile | None] = None):
    if file is None:  # said here: Ninja would name the field "file.file"
        raise Invalid("请上传 Excel 文件（.xlsx）", field="file")
    try:
        result = excel.import_workbook(request.auth, file)
    except excel.ImportRejected as exc:
        return Status(422, {"detail": exc.message, "errors": [vars(e) for e in exc.errors]})
    return ImportOut(detail=result.describe(), **vars(result))


@router.post(
    "",
    response={201: MatterOut, 403: ErrorOut, 422: ErrorOut},
    summary="新建清单事项（仅系统管理员）",
)
def create_matter(request: HttpRequest, payload: MatterIn):
    return Status(201, matters.create_matter(request.auth, **payload.dict()))


@router.get("/{code}", response=MatterOut, summary="清单事项详情")
def get_matter(request: HttpRequest, code: str):
    return matters.matter_detail(request.auth, code)


@router.get("/{code}/history", response=list[HistoryOut], summary="清单事项的修改记录")
def matter_history(request: HttpRequest, code: str):
    return matters.matter_history(matters.matter_detail(request.auth, code))


@router.patch(
    "/{code}",
    response={200: MatterOut, 403: ErrorOut, 422: ErrorOut},
    summary="修改清单事项（仅系统管理员；只改给出的字段）",
)
def update_matter(request: HttpRequest, code: str, payload: MatterPatch):
    matter = matters.matter_detail(request.auth, code)
    changes = payload.dict(exclude_unset=True, exclude_none=True, exclude={"reason"})
    matters.update_matter(request.auth, matter, reason=payload.reason, **changes)
    return matters.matter_detail(request.auth, matter.code)
