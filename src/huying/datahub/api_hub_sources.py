"""数据源概况 through the API (/api/v1/datahub/sources/{source}/…): a source's counts and
column profile, and a search over its current records.

For the hub roles that see the whole district (profiles.SOURCE_ROLES); any other role, and a
source the hub does not know, get 404. The search is a POST with the query in the body:
it may be a full ID number, which must never be written into a URL or an access log.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from huying.datahub import profiles
from huying.datahub import profiles_search as search
from huying.datahub.api_hub import ERRORS, _examples
from huying.datahub.models import AccessVia

router = Router(tags=["数据汇聚"])


class SourceLoadOut(Schema):
    load_id: int
    loaded_at: str = Field(description="导入时间（北京时间）")
    rows: int = Field(description="这批写入的记录版本数")
    new: int = Field(description="其中首次出现的记录")
    changed: int = Field(description="其中已有记录的新版本")


class SourceFindingOut(Schema):
    field: str
    field_label: str
    code: str
    label: str
    count: int = Field(description="现有记录中有此发现的条数")


class SourceCountsOut(Schema):
    current: int = Field(description="现有记录（每条记录的最新版本）")
    ever: int = Field(description="历次写入的记录版本（全部分区的行数）")
    loads: int = Field(description="写入过记录的批次")
    with_findings: int = Field(description="有校验发现的现有记录")
    per_load: list[SourceLoadOut]
    findings: list[SourceFindingOut]


class SourceTopValueOut(Schema):
    value: str
    count: int


class SourceColumnOut(Schema):
    name: str
    label: str
    kind: str = Field(description="text、date、datetime、integer、decimal、latitude、longitude")
    sensitive: bool = Field(description="敏感项：只给计数，不给任何取值")
    non_null: int
    null_share: float = Field(description="空值占现有记录的比例（0–1）")
    distinct: int = Field(description="不同取值的个数（近似）")
    min: str | None = Field(description="日期和数值的最小值；敏感项为 null")
    max: str | None
    top: list[SourceTopValueOut] = Field(description="最常见的 5 个取值；敏感项和唯一编码为空")

    @staticmethod
    def resolve_top(col: profiles.ColumnProfile) -> list[dict]:
        return [{"value": v, "count": n} for v, n in col.top]


class SourceProfileOut(Schema):
    model_config = _examples(
        {"source": "migrant_registrations", "label": "来穗人员登记",
         "counts": {"current": 1533, "ever": 1560, "loads": 2, "with_findings": 30,
                    "per_load": [{"load_id": 4, "loaded_at": "2026-11-25 09:00", "rows": 27,
                                  "new": 0, "changed": 27}],
                    "findings": [{"field": "id_number", "field_label": "身份证号",
                                  "code": "checksum", "label": "校验位错误", "count": 17}]},
         "columns": [
             {"name": "name", "label": "姓名", "kind": "text", "sensitive": True,
              "non_null": 1533, "null_share": 0.0, "distinct": 1393, "min": None, "max": None,
              "top": []},
             {"name": "status", "label": "登记状态", "kind": "text", "sensitive": False,
              "non_null": 1533, "null_share": 0.0, "distinct": 3, "min": None, "max": None,
              "top": [{"value": "有效", "count": 1401}, {"value": "已过期", "count": 75}]}]}
    )  # fmt: skip

    source: str
    label: str
    counts: SourceCountsOut
    columns: list[SourceColumnOut]


class SourceSearchIn(Schema):
    model_config = _examples({"q": "李丽"}, {"q": "P000123"})

    q: str = Field(max_length=search.MAX_QUERY,
                   description="源记录编号、完整身份证号（可查看完整信息的角色）或姓名（精确，"
                   "无结果时按开头）")  # fmt: skip


class SourceRecordOut(Schema):
    source: str
    source_key: str = Field(description="记录在来源系统中的编号")
    load_id: int = Field(description="这条记录（当前版本）由哪一批写入")
    loaded_at: str
    values: dict[str, str | None] = Field(description="各字段取值；身份证号和电话已遮蔽")
    findings: list[str] = Field(description="身份证号和电话的校验发现（中文）")


class SourceSearchOut(Schema):
    model_config = _examples(
        {"key": "name", "more": False,
         "results": [{"source": "public_security_persons", "source_key": "P1",
                      "load_id": 3, "loaded_at": "2026-11-24 09:31",
                      "values": {"person_key": "P1", "name": "李丽",
                                 "id_number": "440111********4563", "phone": "137****0099"},
                      "findings": []}]}
    )  # fmt: skip

    key: Literal["id_number", "source_key", "name", "name_prefix"] = Field(
        description="查询内容被识别为哪种条件"
    )
    more: bool = Field(description="达到 50 条上限，可能还有更多，请缩小范围")
    results: list[SourceRecordOut]


@router.get(
    "/{source}/profile",
    response={200: SourceProfileOut, **ERRORS},
    summary="数据源概况：记录数、各批次写入、校验发现、字段概况（敏感项只给计数）",
    description="source：dwellings、door_access_cards、door_access_events、"
    "public_security_persons、migrant_registrations。",
)
def source_profile(request: HttpRequest, source: Path[str]):
    return profiles.profile(profiles.source_for(request.auth, source))


@router.post(
    "/{source}/search",
    response={200: SourceSearchOut, **ERRORS},
    summary="查询一个数据源的现有记录：源记录编号、完整身份证号或姓名（最多 50 条）",
    description="完整身份证号只限可查看完整信息的角色，其余 403。查询内容放在请求体中，"
    "不进网址和访问日志。查到人员记录的查询记入查询记录。",
)
def source_search(request: HttpRequest, source: Path[str], payload: SourceSearchIn):
    fmt = profiles.source_for(request.auth, source)
    found = search.search(request.auth, fmt, payload.q)
    search.log_search(request.auth, fmt, found, via=AccessVia.API)
    return {"key": found.key, "more": found.more, "results": found.records}
