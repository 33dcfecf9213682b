"""Schemas of the calls API (`calls/api.py`): request bodies, list filters and responses.

Every schema carries an example for the OpenAPI document; every input refuses NUL characters
(PostgreSQL cannot store them) and names the field in Chinese when it is wrong.
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import TextChoices
from django.utils import timezone, translation
from ninja import Query, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from huying.calls import creation, selectors, services
from huying.calls.api_files import AttachmentOut
from huying.calls.choices import AssignmentRole, CallStatus, Domain, EventKind, Source, Urgency
from huying.calls.models import Call, CallEvent
from huying.core import clock

# --- input types -----------------------------------------------------------------------------


def _no_nul(value: str) -> str:
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        raise PydanticCustomError("nul_character", "不能含有空字符（NUL）")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Code = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_no_nul)]
MAX_ID = 2**63 - 1


def _valid_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise PydanticCustomError("call_id", "不是有效的呼叫 ID")
    return value


CallId = Annotated[
    int,
    AfterValidator(_valid_id),
    Field(description="呼叫 ID（列表中的 id）", json_schema_extra={"example": 1024}),
]


def _coordinate(limit: int, name: str):
    """A coordinate in degrees within ±limit, kept to 6 decimals (about 0.1 m)."""

    def check(value: Any) -> Decimal | None:
        if value is None:
            return None
        try:
            degrees = Decimal(str(value))
            if isinstance(value, bool) or not degrees.is_finite() or degrees.copy_abs() > limit:
                raise ArithmeticError
            return degrees.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        except ArithmeticError:  # not a number (InvalidOperation), out of range, NaN, ±Inf
            raise PydanticCustomError(
                "coordinate",
                "{name}应为 -{limit} 到 {limit} 之间的数字",
                {"name": name, "limit": limit},
            ) from None

    return BeforeValidator(check)


Latitude = Annotated[Decimal | None, _coordinate(90, "纬度")]
Longitude = Annotated[Decimal | None, _coordinate(180, "经度")]


def _choice(choices: type[TextChoices]) -> Any:
    """A choice inlined in OpenAPI with its values, their Chinese labels and an example."""
    with translation.override(None):  # the labels' msgids are the Chinese text
        labels = "；".join(f"{value}：{label}" for value, label in choices.choices)
    schema = {"type": "string", "enum": choices.values, "description": labels}
    return Annotated[choices, WithJsonSchema(schema | {"examples": [choices.values[0]]})]


Status = _choice(CallStatus)
DomainChoice = _choice(Domain)
UrgencyChoice = _choice(Urgency)
SourceChoice = _choice(Source)
RoleChoice = _choice(AssignmentRole)
KindChoice = _choice(EventKind)


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


# --- request bodies ----------------------------------------------------------------------------


# Files an action carries: uploaded first (POST /api/v1/attachments), then named by id.
AttachmentIds = Annotated[
    list[int], Field(max_length=9, description="附件 id（先用 POST /api/v1/attachments 上传）")
]


class CallIn(Schema):
    model_config = _examples(
        {
            "title": "云城西路店外占道经营",
            "description": "云城西路 12—30 号多家店铺长期占道经营，影响通行，街道劝导无效。",
            "matter": "ZF-001",
            "urgency": "normal",
            "address": "广州市白云区云城西路 12 号",
            "lat": "23.176012",
            "lon": "113.287731",
        },
        {
            "title": "路灯整条不亮",
            "description": "机场路辅道约 800 米路灯全部不亮，已持续三晚。",
            "urgency": "urgent",
            "domain": "key_work",
            "address": "广州市白云区机场路辅道",
        },
    )

    title: Text = Field(min_length=1, max_length=120, description="标题")
    description: Text = Field(min_length=1, description="情况描述")
    matter: Code | None = Field(None, description="清单事项编号；不选则为自由呼叫，由指挥中心分派")
    urgency: UrgencyChoice = Field(
        Urgency.NORMAL, description="紧急程度（自由呼叫的响应时限据此确定）"
    )
    domain: DomainChoice | None = Field(None, description="领域；未选清单事项时必填")
    address: Text = Field("", max_length=200, description="地址")
    lat: Latitude = Field(None, description="纬度（度，保留 6 位小数）")
    lon: Longitude = Field(None, description="经度（度，保留 6 位小数）")
    attachment_ids: AttachmentIds = []


def _batch_size(items: list) -> list:
    if not 1 <= len(items) <= creation.BATCH_MAX:
        raise PydanticCustomError(
            "batch_size", "一批呼叫应为 1 到 {max} 条", {"max": creation.BATCH_MAX}
        )
    return items


class CallBatchIn(Schema):
    model_config = _examples(
        {"items": CallIn.model_config["json_schema_extra"]["examples"]},
    )

    items: Annotated[list[CallIn], AfterValidator(_batch_size)] = Field(
        description=(
            f"要发起的呼叫，每条同 POST /api/v1/calls 的请求体；1 到 {creation.BATCH_MAX} 条，"
            "全部发起或全部不发起（出错时指明第几条的哪个字段，如 items.3.title）"
        )
    )


class CreatedCallOut(Schema):
    model_config = _examples({"id": 1024, "number": "HY20260001024"})

    id: int = Field(description="呼叫 ID")
    number: str = Field(description="呼叫编号")


class CallBatchOut(Schema):
    model_config = _examples(
        {
            "count": 2,
            "calls": [
                {"id": 1024, "number": "HY20260001024"},
                {"id": 1025, "number": "HY20260001025"},
            ],
        }
    )

    count: int = Field(description="发起的呼叫数")
    calls: list[CreatedCallOut] = Field(description="发起的呼叫，与请求中的顺序相同")


class NoteIn(Schema):
    model_config = _examples({"note": "已安排执法中队今天下午到场"}, {})

    note: Text = Field("", description="说明（可不填）")


RATING_FIELDS = ("satisfaction", "timeliness", "attitude", "perfunctory", "perfunctory_reason")


class ConfirmIn(Schema):
    """Confirming, with the caller's rating of the lead department (optional, but whole)."""

    model_config = _examples(
        {"note": "现场已清理", "satisfaction": 5, "timeliness": 4, "attitude": 5},
        {
            "satisfaction": 2,
            "timeliness": 2,
            "attitude": 3,
            "perfunctory": True,
            "perfunctory_reason": "只劝离未处罚，两天后复现",
        },
        {},
    )

    note: Text = Field("", description="说明（可不填）")
    satisfaction: int | None = Field(None, description="满意度 1–5；评价时三项评分都要填")
    timeliness: int | None = Field(None, description="及时性 1–5")
    attitude: int | None = Field(None, description="服务态度 1–5")
    perfunctory: bool = Field(False, description="标记为应付式响应（须说明理由）")
    perfunctory_reason: Text = Field("", description="应付式响应的理由")

    def rating(self) -> services.RatingInput | None:
        """The rating, when any part of one was given (the service checks it is whole)."""
        if not self.model_fields_set & set(RATING_FIELDS):
            return None
        return services.RatingInput(**self.model_dump(include=set(RATING_FIELDS)))


class RequiredNoteIn(Schema):
    model_config = _examples({"note": "已约谈 5 家店主，3 家已自行清理"})

    note: Text = Field(description="进展情况")
    attachment_ids: AttachmentIds = []


class ReasonIn(Schema):
    model_config = _examples({"reason": "该路段属于机场管理范围，不属我局职责"})

    reason: Text = Field(description="理由")
    attachment_ids: AttachmentIds = []


class OptionalReasonIn(Schema):
    model_config = _examples({"reason": "已由村里自行解决"}, {})

    reason: Text = Field("", description="理由（可不填）")


class ResultIn(Schema):
    model_config = _examples({"result": "已依法清理占道物品 12 处，并建立每日巡查"})

    result: Text = Field(description="办理结果")
    attachment_ids: AttachmentIds = []


class TransferIn(Schema):
    model_config = _examples({"department": "440111-swj", "note": "属排水设施问题，转水务局"})

    department: Code = Field(description="接办部门的编码")
    note: Text = Field("", description="说明")


class ArbitrateIn(Schema):
    model_config = _examples(
        {"uphold": True, "note": "经核查属城管局职责，维持原部门办理"},
        {"uphold": False, "department": "440111-ghj", "note": "涉及规划审批，改派规划分局"},
    )

    uphold: bool = Field(description="true：维持原部门；false：改派给 department")
    department: Code | None = Field(None, description="改派的部门编码（改派时必填）")
    note: Text = Field("", description="裁决意见")


class UrgeIn(Schema):
    model_config = _examples(
        {"level": 1, "note": "请于今日内响应"}, {"level": 2, "note": "逾期未办结，抄送区领导"}
    )

    level: int = Field(1, description="督办级别：1 督办部门（抄送负责人），2 抄送区领导")
    note: Text = Field("", description="督办意见")


# --- list filters (query parameters) ----------------------------------------------------------


def _in_utc(value: datetime) -> datetime:
    """A moment in UTC, as stored; without a zone it is Beijing time (the current zone)."""
    try:
        aware = timezone.make_aware(value) if timezone.is_naive(value) else value
        return aware.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+08:00 is before year 1 in UTC
        raise PydanticCustomError("datetime_range", "日期时间超出范围") from None


def _param(kind: Any, description: str, example: Any) -> Any:
    return Query[kind, {"description": description, "example": example}]


LocalDateTime = Annotated[datetime, AfterValidator(_in_utc)]
StatusFilter = _param(
    list[Status] | None,
    "状态，可重复以选多个（?status=called&status=returned）",
    ["called", "returned"],
)
OverdueFilter = _param(bool | None, "true：正在计时且已超过响应或办结期限；false：未超期", True)
DepartmentFilter = _param(str | None, "部门编码：当前牵头或承办（协办）的部门", "440111-cgj")
TownFilter = _param(str | None, "镇街编码：该镇街及其村社发起的呼叫（也可为村社编码）", "440111014")
DomainFilter = _param(DomainChoice | None, "领域", "law_enforcement")
CalledAfter = _param(
    LocalDateTime | None,
    "呼叫时间不早于（ISO 8601；无时区按北京时间）",
    "2026-01-01T00:00:00+08:00",
)
CalledBefore = _param(
    LocalDateTime | None, "呼叫时间早于（ISO 8601；无时区按北京时间）", "2026-12-01T00:00:00+08:00"
)


# --- responses ---------------------------------------------------------------------------------


class CallUnit(Schema):
    model_config = _examples({"code": "440111-cgj", "name": "区城市管理和综合执法局"})

    code: str
    name: str


class CallMatter(Schema):
    model_config = _examples({"code": "ZF-001", "name": "占道经营整治"})

    code: str
    name: str


CALL_EXAMPLE = {
    "id": 1024,
    "number": "HY20260001024",
    "title": "云城西路店外占道经营",
    "status": "responded",
    "status_label": "已响应",
    "domain": "law_enforcement",
    "domain_label": "综合执法",
    "urgency": "normal",
    "urgency_label": "一般",
    "source": "manual",
    "source_label": "镇街呼叫",
    "matter": {"code": "ZF-001", "name": "占道经营整治"},
    "caller_org": {"code": "440111014", "name": "云城街道"},
    "caller_town": {"code": "440111014", "name": "云城街道"},
    "lead_department": {"code": "440111-cgj", "name": "区城市管理和综合执法局"},
    "address": "广州市白云区云城西路 12 号",
    "lat": "23.176012",
    "lon": "113.287731",
    "called_at": "2026-11-16T09:00:00+08:00",
    "response_due_at": "2026-11-16T11:00:00+08:00",
    "responded_at": "2026-11-16T09:20:00+08:00",
    "resolution_due_at": "2026-11-20T00:00:00+08:00",
    "resolved_at": None,
    "closed_at": None,
    "withdrawn_at": None,
    "due_at": "2026-11-20T00:00:00+08:00",
    "seconds_left": 226800,
    "overdue": False,
    "urge_level": 0,
    "redo_count": 0,
    "return_count": 0,
}


class CallOut(Schema):
    model_config = _examples(CALL_EXAMPLE)

    id: int
    number: str = Field(description="呼叫编号")
    title: str
    status: Status
    status_label: str = Field(alias="get_status_display")
    domain: DomainChoice
    domain_label: str = Field(alias="get_domain_display")
    urgency: UrgencyChoice
    urgency_label: str = Field(alias="get_urgency_display")
    source: SourceChoice
    source_label: str = Field(alias="get_source_display")
    matter: CallMatter | None
    caller_org: CallUnit = Field(description="呼叫单位（镇街或重点村）")
    caller_town: CallUnit = Field(description="呼叫单位所属镇街（镇街自己呼叫时即为自身）")
    lead_department: CallUnit | None = Field(description="牵头部门；自由呼叫分派前为空")
    address: str
    lat: Decimal | None
    lon: Decimal | None
    called_at: datetime
    response_due_at: datetime | None = Field(description="响应期限")
    responded_at: datetime | None
    resolution_due_at: datetime | None = Field(description="办结期限（响应后计算）")
    resolved_at: datetime | None
    closed_at: datetime | None
    withdrawn_at: datetime | None
    due_at: datetime | None = Field(
        description="正在计时的期限：待响应时为响应期限，办理中为办结期限"
    )
    seconds_left: int | None = Field(description="距 due_at 的秒数，超期为负；不计时为空")
    overdue: bool = Field(description="正在计时且已超期")
    urge_level: int = Field(description="督办级别（0 未督办）")
    redo_count: int = Field(description="不满意重办次数")
    return_count: int = Field(description="退回次数")

    @staticmethod
    def resolve_caller_town(call: Call) -> Any:
        org = call.caller_org
        return org.parent if org.is_village and org.parent else org

    @staticmethod
    def resolve_due_at(call: Call) -> datetime | None:
        return selectors.current_due_at(call)

    @staticmethod
    def resolve_seconds_left(call: Call) -> int | None:
        return selectors.seconds_left(call, clock.now())

    @staticmethod
    def resolve_overdue(call: Call) -> bool:
        left = selectors.seconds_left(call, clock.now())
        return left is not None and left < 0


class AssignmentOut(Schema):
    model_config = _examples(
        {
            "department": {"code": "440111-cgj", "name": "区城市管理和综合执法局"},
            "role": "lead",
            "role_label": "牵头部门",
            "signed_at": "2026-11-16T09:20:00+08:00",
            "is_active": True,
        }
    )

    department: CallUnit
    role: RoleChoice
    role_label: str = Field(alias="get_role_display")
    signed_at: datetime | None = Field(description="签收时间；未签收为空")
    is_active: bool = Field(description="false：已改派或转办，不再承办")


class EventOut(Schema):
    model_config = _examples(
        {
            "seq": 2,
            "kind": "signed",
            "kind_label": "签收响应",
            "at": "2026-11-16T09:20:00+08:00",
            "actor_name": "城管局响应人",
            "actor_org": "区城市管理和综合执法局",
            "from_status": "called",
            "from_status_label": "待响应",
            "to_status": "responded",
            "to_status_label": "已响应",
            "note": "已安排执法中队今天下午到场",
            "data": {"department_id": 7, "responded_at": "2026-11-16T09:20:00+08:00"},
        }
    )

    seq: int
    kind: KindChoice
    kind_label: str = Field(alias="get_kind_display")
    at: datetime
    actor_name: str = Field(description="操作人（当时的姓名）；系统自动操作为空")
    actor_org: str | None = Field(description="操作人所在单位")
    from_status: Status | None
    from_status_label: str | None
    to_status: Status | None = Field(description="新状态；状态不变的事件为空")
    to_status_label: str | None
    note: str
    data: dict[str, Any] = Field(description="本事件改变的字段")
    attachments: list[AttachmentOut] = Field(description="本步骤所附照片或文件")

    @staticmethod
    def resolve_actor_org(event: CallEvent) -> str | None:
        return event.actor_org.name if event.actor_org_id else None

    @staticmethod
    def resolve_from_status(event: CallEvent) -> str | None:
        return event.from_status or None

    @staticmethod
    def resolve_from_status_label(event: CallEvent) -> str | None:
        return str(CallStatus(event.from_status).label) if event.from_status else None

    @staticmethod
    def resolve_to_status(event: CallEvent) -> str | None:
        return event.to_status or None

    @staticmethod
    def resolve_to_status_label(event: CallEvent) -> str | None:
        return str(CallStatus(event.to_status).label) if event.to_status else None


class RatingOut(Schema):
    model_config = _examples(
        {
            "department": {"code": "440111-cgj", "name": "区城市管理和综合执法局"},
            "rated_at": "2026-11-18T10:00:00+08:00",
            "satisfaction": 5,
            "timeliness": 4,
            "attitude": 5,
            "perfunctory": False,
            "perfunctory_reason": "",
        }
    )

    department: CallUnit = Field(description="被评价的牵头部门")
    rated_at: datetime
    satisfaction: int
    timeliness: int
    attitude: int
    perfunctory: bool
    perfunctory_reason: str


class CallDetailOut(CallOut):
    model_config = _examples(
        CALL_EXAMPLE
        | {
            "description": "云城西路 12—30 号多家店铺长期占道经营，影响通行。",
            "response_limit": "PT2H",
            "response_limit_label": "2小时",
            "resolution_limit": 3,
            "resolution_limit_label": "3 个工作日",
            "assignments": [AssignmentOut.model_config["json_schema_extra"]["examples"][0]],
            "events": [EventOut.model_config["json_schema_extra"]["examples"][0]],
            "rating": None,
        }
    )

    description: str
    response_limit: str | int = Field(description="响应时限：ISO 8601 时长，或工作日天数")
    response_limit_label: str
    resolution_limit: str | int = Field(description="办结时限：ISO 8601 时长，或工作日天数")
    resolution_limit_label: str
    assignments: list[AssignmentOut] = Field(description="承办部门：当前的在前，牵头在前")
    events: list[EventOut] = Field(description="时间线，按序号从早到晚")
    rating: RatingOut | None = Field(description="呼叫单位确认时的评价；未评价为空")

    @staticmethod
    def resolve_rating(call: Call) -> Any:
        try:
            return call.rating
        except ObjectDoesNotExist:
            return None

    @staticmethod
    def resolve_response_limit(call: Call) -> str | int:
        return call.response_limit.to_api()

    @staticmethod
    def resolve_response_limit_label(call: Call) -> str:
        return call.response_limit.describe()

    @staticmethod
    def resolve_resolution_limit(call: Call) -> str | int:
        return call.resolution_limit.to_api()

    @staticmethod
    def resolve_resolution_limit_label(call: Call) -> str:
        return call.resolution_limit.describe()


class CallFieldError(Schema):
    model_config = _examples({"field": "reason", "message": "退回必须说明理由"})

    field: str
    message: str


class CallError(Schema):
    model_config = _examples(
        {
            "detail": "当前状态为「待响应」，不能办结",
            "errors": [{"field": "status", "message": "当前状态为「待响应」，不能办结"}],
        },
        {"detail": "未找到，或不在您的可见范围内", "errors": []},
    )

    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[CallFieldError] = Field(description="出错的字段")


# 403: the role may not; 404: not in the user's scope; 409: the state does not allow it;
# 422: a field is wrong (named in `errors`).
ERRORS = {code: CallError for code in (403, 404, 409, 422)}


# Bodies an action may leave out entirely.
NO_NOTE = NoteIn()
NOT_RATED = ConfirmIn()
NO_REASON = OptionalReasonIn()
DEFAULT_URGE = UrgeIn()
