"""The hub's loads, residents, dwellings and discrepancies through the API (/api/v1/datahub).

ID numbers and phones are masked in every answer; `POST residents/{id}/reveal` gives one
field in full to a role that may (datahub/privacy.py), with a reason, audited. Every answer
that carries a person writes the lookup log (PersonAccess, via "api").
Errors: 403 not this role's, 404 not found or out of view, 409 the item's state does not
allow it, 422 a field is wrong (named).
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from huying.core.errors import Invalid
from huying.datahub import discrepancies, exports, hub_selectors, loading, privacy
from huying.datahub.choices import LoadOrigin
from huying.datahub.models import AccessKind, AccessVia, Discrepancy, Dwelling, Load, Resident
from huying.datahub.views_hub_discrepancies import evidence_rows, filtered
from huying.datahub.views_hub_discrepancies import state_label as label_of_state
from huying.datahub.views_hub_loads import UPLOAD_SOURCES, UPLOADABLE, save_upload
from huying.datahub.views_hub_residents import LIST_FIELDS, SHOWN_FIELDS, villages_for
from huying.orgs.models import Org

router = Router(tags=["数据汇聚"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 12})]


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class HubFieldError(Schema):
    field: str
    message: str


class HubError(Schema):
    model_config = _examples(
        {"detail": "请说明查看完整信息的理由",
         "errors": [{"field": "reason", "message": "请说明查看完整信息的理由"}]},
        {"detail": "该差异当前为“已排除”，不能确认",
         "errors": [{"field": "state", "message": "该差异当前为“已排除”，不能确认"}]},
        {"detail": "未找到，或不在您的可见范围内", "errors": []},
    )  # fmt: skip

    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[HubFieldError] = Field(description="出错的字段")


ERRORS = {code: HubError for code in (403, 404, 409, 422)}


class HubPlaceOut(Schema):
    code: str
    name: str


def _place(org: Org | None) -> dict | None:
    return {"code": org.code, "name": org.name} if org else None


# --- loads -------------------------------------------------------------------------------------


class HubLoadFileOut(Schema):
    source: str
    filename: str
    rows: int
    new: int
    changed: int
    unchanged: int
    findings: dict[str, int] = Field(description='校验发现按代码计数，如 {"checksum": 12}')


class HubLoadOut(Schema):
    model_config = _examples(
        {"id": 3, "status": "succeeded", "status_label": "已导入", "origin": "api",
         "label": "11 月全量", "progress": 100, "stage": "完成", "records": 52310,
         "changed": 812, "problems": [], "created_at": "2026-11-24T09:30:00+08:00",
         "finished_at": "2026-11-24T09:31:10+08:00",
         "files": [{"source": "dwellings", "filename": "dwellings.csv", "rows": 2100, "new": 3,
                    "changed": 12, "unchanged": 2085, "findings": {"checksum": 4}}]}
    )  # fmt: skip

    id: int
    status: str
    status_label: str = Field(alias="get_status_display")
    origin: str
    label: str
    progress: int = Field(description="进度（%）")
    stage: str
    records: int
    changed: int
    problems: list[dict] = Field(description="被拒绝时的前几个问题：文件、行、列、说明")
    created_at: datetime
    finished_at: datetime | None
    files: list[HubLoadFileOut]

    @staticmethod
    def resolve_files(load: Load) -> list:
        return list(load.files.all())


@router.get(
    "/loads", response={200: list[HubLoadOut], 403: HubError}, summary="数据导入批次（最近 100 批）"
)
def list_loads(request: HttpRequest):
    if request.auth.role not in privacy.LOAD_ROLES:
        from huying.core.errors import Forbidden

        raise Forbidden("只有指挥中心和系统管理员可以管理数据导入")
    return list(hub_selectors.loads()[:100])


@router.get(
    "/loads/{load_id}", response={200: HubLoadOut, **ERRORS}, summary="一批导入的状态、进度和问题"
)
def get_load(request: HttpRequest, load_id: Path[Id]):
    return hub_selectors.load_for(request.auth, load_id)


@router.post(
    "/loads",
    response={202: HubLoadOut, **ERRORS},
    summary="上传一批数据（multipart，每个数据源一个文件），后台导入",
    description="文件字段名即数据源：dwellings、door_access_cards、door_access_events、"
    "public_security_persons、migrant_registrations；CSV 或 Parquet。返回 202 和排队中的批次，"
    "轮询 GET /loads/{id} 看进度。",
)
def upload_load(
    request: HttpRequest,
    label: Form[str] = "",
    dwellings: File[UploadedFile] = None,
    door_access_cards: File[UploadedFile] = None,
    door_access_events: File[UploadedFile] = None,
    public_security_persons: File[UploadedFile] = None,
    migrant_registrations: File[UploadedFile] = None,
):
    if request.auth.role not in privacy.LOAD_ROLES:
        from huying.core.errors import Forbidden

        raise Forbidden("只有指挥中心和系统管理员可以管理数据导入")
    given = locals()
    files = {s.value: given[s.value] for s in UPLOAD_SOURCES if given.get(s.value)}
    if not files:
        raise Invalid("请至少上传一个文件", field="dwellings")
    for name, upload in files.items():
        if not upload.name.lower().endswith(UPLOADABLE):
            raise Invalid("只接受 CSV 或 Parquet 文件", field=name)
    load = loading.submit_load(
        folder=save_upload(files), actor=request.auth, origin=LoadOrigin.API, label=label[:200]
    )
    return Status(202, hub_selectors.load_for(request.auth, load.pk))


# --- residents ---------------------------------------------------------------------------------


class ResidentOut(Schema):
    model_config = _examples(
        {"id": 1042, "name": "李丽", "name_pinyin": "lili", "gender": "女",
         "birth_date": "1985-11-20", "id_number": "110105********4563", "id_number_valid": True,
         "phone": "138****5678", "town": {"code": "440111014", "name": "云城街道"},
         "village": {"code": "440111014003", "name": "萧岗社区"}, "dwelling_id": 77}
    )  # fmt: skip

    id: int
    name: str
    name_pinyin: str
    gender: str
    birth_date: date | None
    id_number: str = Field(description="遮蔽：地区码和末四位，出生日期隐藏")
    id_number_valid: bool
    phone: str = Field(description="遮蔽：前三位和末四位")
    town: HubPlaceOut | None
    village: HubPlaceOut | None
    dwelling_id: int | None

    @staticmethod
    def resolve_id_number(r: Resident) -> str:
        return privacy.masked(r, "id_number")

    @staticmethod
    def resolve_phone(r: Resident) -> str:
        return privacy.masked(r, "phone")

    @staticmethod
    def resolve_town(r: Resident):
        return _place(r.town)

    @staticmethod
    def resolve_village(r: Resident):
        return _place(r.village)


class ResidentSearchOut(Schema):
    key: Literal["id_number", "masked_id", "phone", "dwelling", "pinyin", "name"] = Field(
        description="查询内容被识别为哪种条件"
    )
    more: bool = Field(description="结果达到 50 人上限，可能还有更多，请缩小范围")
    results: list[ResidentOut]


class ResidentProvenanceOut(Schema):
    source: str | None = None
    load: int | None = None
    key: str | None = None
    as_of: str | None = None


class ResidentRecordOut(Schema):
    source: str
    source_key: str
    name: str
    id_number: str = Field(description="遮蔽")
    phone: str = Field(description="遮蔽")
    place: str
    as_of: str
    findings: list[str] = Field(description="身份证号和电话的校验发现（中文）")
    match_probability: float | None


class ResidentDetailOut(ResidentOut):
    hukou_address: str
    current_address: str
    employer: str
    provenance: dict[str, ResidentProvenanceOut] = Field(
        description="每项取自哪个数据源、批次、记录和日期"
    )
    source_records: list[ResidentRecordOut] = Field(description="链接到该人员的各源记录")
    explanation: dict | None = Field(description="链接说明：每条记录逐项比较的级别和权重")


class ResidentSearchIn(Schema):
    model_config = _examples({"q": "李丽"}, {"q": "440111********1234"})

    q: str = Field(
        description="姓名、拼音、身份证号（完整或遮蔽形式）、电话或出租屋编码，至多 64 字"
    )


# POST with the query in the body, not GET with it in the URL: a full ID number must never
# reach access logs, proxies or browser history (issue 4).
@router.post(
    "/residents/search",
    response={200: ResidentSearchOut, **ERRORS},
    summary="查询实有人口：姓名、拼音、身份证号（完整或遮蔽形式）、电话、出租屋编码",
    description="查询内容放在请求体中（POST），不放在网址里：完整身份证号不应出现在访问日志和"
    "浏览器历史中。完整身份证号只限可查看完整信息的角色（巡查员、值班员、监督员、管理员），"
    "其余 403；遮蔽形式如 440111********1234。最多 50 人。每次查询记入查询记录。",
)
def search_residents(request: HttpRequest, payload: ResidentSearchIn):
    found = hub_selectors.search(request.auth, payload.q)
    privacy.log_access(
        request.auth, [r.pk for r in found.residents], kind=AccessKind.SEARCH,
        purpose=_("查询：%(key)s") % {"key": hub_selectors.key_labels()[found.key]},
        fields=LIST_FIELDS, via=AccessVia.API,
    )  # fmt: skip
    return {"key": found.key, "more": found.more, "results": found.residents}


@router.get("/residents/{resident_id}", response={200: ResidentDetailOut, **ERRORS},
            summary="人员详情：各项取值及来源、来源记录（遮蔽）、链接说明")  # fmt: skip
def get_resident(request: HttpRequest, resident_id: Path[Id], purpose: str = ""):
    from huying.datahub.views_hub_residents import _explain

    resident = hub_selectors.resident_for(request.auth, resident_id)
    privacy.log_access(request.auth, [resident.pk], kind=AccessKind.VIEW,
                       purpose=purpose[:300] or _("查看人员详情"), fields=SHOWN_FIELDS,
                       via=AccessVia.API)  # fmt: skip
    records = hub_selectors.records_of(resident)
    for rec in records:
        rec["id_number"] = privacy.SENSITIVE[Resident]["id_number"](rec["id_number"])
        rec["phone"] = privacy.SENSITIVE[Resident]["phone"](rec["phone"])
    resident.source_records = records
    resident.explanation = _explain(resident)
    return resident


class ResidentRevealIn(Schema):
    model_config = _examples({"field": "id_number", "reason": "上门核查登记信息"})

    field: Literal["id_number", "phone"]
    reason: str = Field("", max_length=300, description="必填：查看完整信息的理由")


class ResidentRevealOut(Schema):
    model_config = _examples({"field": "id_number", "value": "110105198511204563"})

    field: str
    value: str


@router.post("/residents/{resident_id}/reveal", response={200: ResidentRevealOut, **ERRORS},
             summary="查看一项完整信息（须说明理由，记入审计和查询记录）")  # fmt: skip
def reveal_resident(request: HttpRequest, resident_id: Path[Id], payload: ResidentRevealIn):
    resident = hub_selectors.resident_for(request.auth, resident_id)
    value = privacy.reveal(request.auth, resident, payload.field, payload.reason,
                           via=AccessVia.API)  # fmt: skip
    return {"field": payload.field, "value": value}


class ResidentAccessOut(Schema):
    model_config = _examples(
        {"at": "2026-11-24T15:00:00+08:00", "kind": "search", "kind_label": "搜索",
         "via": "page", "via_label": "页面", "user_name": "云城街出租屋巡查员",
         "org": {"code": "440111014", "name": "云城街道"}, "purpose": "查询：姓名",
         "fields": ["name", "id_number"], "field_labels": ["姓名", "身份证号"],
         "unmasked": False}
    )  # fmt: skip

    at: datetime
    kind: Literal["view", "reveal", "search", "export"]
    kind_label: str = Field(alias="get_kind_display", description="查看、显示完整号码、搜索、导出")
    via: str
    via_label: str = Field(alias="get_via_display")
    user_name: str = Field(description="查询人（当时的姓名）")
    org: HubPlaceOut | None = Field(description="查询人所属单位")
    purpose: str = Field(description="用途或理由（不含查询内容）")
    fields: list[str]
    field_labels: list[str] = Field(description="返回的数据项（中文名）")
    unmasked: bool = Field(description="含完整身份证号或电话")

    @staticmethod
    def resolve_org(a) -> dict | None:
        return _place(a.org)


@router.get("/residents/{resident_id}/accesses", response={200: list[ResidentAccessOut], **ERRORS},
            summary="谁查看过该人员：查看、显示完整号码、搜索、导出（最近 50 次）")  # fmt: skip
def resident_accesses(request: HttpRequest, resident_id: Path[Id]):
    resident = hub_selectors.resident_for(request.auth, resident_id)
    return privacy.access_log(resident)


class ResidentExportIn(Schema):
    model_config = _examples({"village": "440111014003", "unmasked": False, "reason": ""})

    village: str = Field(max_length=32, description="村社编码")
    unmasked: bool = Field(False, description="含完整身份证号和电话（须有权限和理由）")
    reason: str = Field("", max_length=300)


@router.post(
    "/exports/residents",
    response={200: None, **ERRORS},
    summary="导出一个村社的实有人口（Excel，默认遮蔽）",
    openapi_extra={"responses": {"200": {"description": "xlsx 文件", "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}},
)  # fmt: skip
def export_residents(request: HttpRequest, payload: ResidentExportIn):
    village = villages_for(request.auth).filter(code=payload.village).first()
    if village is None:
        from django.http import Http404

        raise Http404
    content, _n = exports.village_workbook(request.auth, village, unmasked=payload.unmasked,
                                           reason=payload.reason)  # fmt: skip
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="residents-{village.code}.xlsx"'
    return response


# --- dwellings ---------------------------------------------------------------------------------


class DwellingOccupantOut(Schema):
    resident_id: int
    name: str
    basis: str
    source_key: str
    valid_until: datetime | None


class DwellingOut(Schema):
    model_config = _examples(
        {"id": 77, "code": "YC-000123", "address": "云城街萧岗大街 12 号", "town": None,
         "village": None, "owner_name": "陈建国", "owner_id_number": "440111********2316",
         "owner_phone": "139****0021", "rooms": 6, "max_occupants": 8, "occupants": 11,
         "over_occupancy": True, "occupancies": []}
    )  # fmt: skip

    id: int
    code: str
    address: str
    town: HubPlaceOut | None
    village: HubPlaceOut | None
    owner_name: str
    owner_id_number: str = Field(description="遮蔽")
    owner_phone: str = Field(description="遮蔽")
    rooms: int | None
    max_occupants: int | None
    occupants: int
    over_occupancy: bool
    occupancies: list[DwellingOccupantOut]


@router.get("/dwellings/{dwelling_id}", response={200: DwellingOut, **ERRORS},
            summary="出租屋：房东（遮蔽）、当前住户及依据、是否超员")  # fmt: skip
def get_dwelling(request: HttpRequest, dwelling_id: Path[Id]):
    d: Dwelling = hub_selectors.dwelling_for(request.auth, dwelling_id)
    occ = hub_selectors.occupants(d)
    privacy.log_access(
        request.auth, sorted({o.resident_id for o in occ}), kind=AccessKind.VIEW,
        purpose=_("查看出租屋住户"), fields=["name", "basis"], via=AccessVia.API,
    )  # fmt: skip
    return {
        "id": d.pk, "code": d.code, "address": d.address, "town": _place(d.town),
        "village": _place(d.village), "owner_name": d.owner_name,
        "owner_id_number": privacy.masked(d, "owner_id_number"),
        "owner_phone": privacy.masked(d, "owner_phone"), "rooms": d.rooms,
        "max_occupants": d.max_occupants, "occupants": d.occupants,
        "over_occupancy": bool(d.max_occupants and d.occupants > d.max_occupants),
        "occupancies": [
            {"resident_id": o.resident_id, "name": o.resident.name, "basis": o.basis,
             "source_key": o.source_key, "valid_until": o.valid_until}
            for o in occ
        ],
    }  # fmt: skip


# --- discrepancies -----------------------------------------------------------------------------


class DiscrepancyOut(Schema):
    model_config = _examples(
        {"id": 5, "kind": "over_occupancy", "kind_label": "超员居住（群租风险）",
         "state": "open", "state_label": "待核实", "summary": "核定 4 人，现住 9 人",
         "town": {"code": "440111014", "name": "云城街道"}, "village": None,
         "resident_id": None, "dwelling_id": 77, "opened_at": "2026-11-24T10:00:00+08:00",
         "updated_at": "2026-11-24T10:00:00+08:00", "closed_at": None}
    )  # fmt: skip

    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    state: str
    state_label: str = Field(alias="get_state_display")
    summary: str
    town: HubPlaceOut | None
    village: HubPlaceOut | None
    resident_id: int | None
    dwelling_id: int | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_town(d: Discrepancy):
        return _place(d.town)

    @staticmethod
    def resolve_village(d: Discrepancy):
        return _place(d.village)


class DiscrepancyEventOut(Schema):
    model_config = _examples(
        {"at": "2026-11-24T15:00:00+08:00", "actor": "云城街出租屋巡查员", "from_state": "open",
         "from_state_label": "待核实", "to_state": "confirmed", "to_state_label": "已确认",
         "note": "上门核实，确有多人居住"}
    )  # fmt: skip

    at: datetime
    actor: str | None
    from_state: str
    from_state_label: str = Field(description="原状态的中文名（首条为空）")
    to_state: str
    to_state_label: str = Field(description="新状态的中文名")
    note: str

    @staticmethod
    def resolve_actor(e) -> str | None:
        return e.actor.display_name if e.actor_id else None

    @staticmethod
    def resolve_from_state_label(e) -> str:
        return label_of_state(e.from_state)

    @staticmethod
    def resolve_to_state_label(e) -> str:
        return label_of_state(e.to_state)


class DiscrepancyDetailOut(DiscrepancyOut):
    evidence: dict[str, str] = Field(description="依据（人员信息已遮蔽）")
    events: list[DiscrepancyEventOut]

    @staticmethod
    def resolve_evidence(d: Discrepancy) -> dict:
        return dict(evidence_rows(d.evidence))

    @staticmethod
    def resolve_events(d: Discrepancy) -> list:
        return list(d.events.select_related("actor"))


class DiscrepancyFilter(Schema):
    town: str = Field("", description="镇街编码")
    village: str = Field("", description="村社编码")
    kind: str = Field("", description="类型")
    state: str = Field("active", description="状态；active = 待核实和已确认；空 = 全部")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class DiscrepancyPage(Schema):
    count: int
    items: list[DiscrepancyOut]


@router.get("/discrepancies", response={200: DiscrepancyPage, **ERRORS},
            summary="数据差异工作清单（按镇街、村社、类型、状态筛选）")  # fmt: skip
def list_discrepancies(request: HttpRequest, filters: Query[DiscrepancyFilter]):
    if request.auth.role not in privacy.HUB_ROLES:
        return {"count": 0, "items": []}
    items, _f = filtered(request.auth, filters.dict())
    return {"count": items.count(),
            "items": list(items[filters.offset : filters.offset + filters.limit])}  # fmt: skip


@router.get("/discrepancies/{item_id}", response={200: DiscrepancyDetailOut, **ERRORS},
            summary="数据差异详情：依据和处理记录")  # fmt: skip
def get_discrepancy(request: HttpRequest, item_id: Path[Id]):
    return discrepancies.discrepancy_for(request.auth, item_id)


class DiscrepancyNoteIn(Schema):
    model_config = _examples({"note": "上门核实，确有多人居住"})

    note: str = Field("", max_length=1000, description="说明；排除时必填（理由）")


@router.post("/discrepancies/{item_id}/{action}", response={200: DiscrepancyDetailOut, **ERRORS},
             summary="处理数据差异：confirm 确认、correct 已更正、dismiss 排除（须理由）、"
             "reopen 重新打开")  # fmt: skip
def act_on_discrepancy(
    request: HttpRequest,
    item_id: Path[Id],
    action: Path[Literal["confirm", "correct", "dismiss", "reopen"]],
    payload: DiscrepancyNoteIn | None = None,
):
    if request.auth.role not in privacy.DISCREPANCY_ACTORS:
        from huying.core.errors import Forbidden

        raise Forbidden("您的角色不能处理数据差异")
    item = discrepancies.discrepancy_for(request.auth, item_id)
    getattr(discrepancies, action)(item, request.auth, payload.note if payload else "")
    return discrepancies.discrepancy_for(request.auth, item_id)
