"""Water-quality classification through the API (/api/v1/water/classify): any signed-in user
sends values by HJ 212 code and gets the GB 3838-2002 class (rules in sensing/water.py).

Errors: 401 not signed in, 422 a field is wrong (named: "values.w01009", "water_body").
Codes the classifier does not use are not errors: they come back in `not_evaluated`.
"""

import math
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from huying.sensing import water

router = Router(tags=["水质"])
MAX_VALUES = 64


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


def _number(value: Any) -> Any:
    # Numbers only: a string or true would otherwise be read as one by Pydantic's lax mode.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number", "应为数字")
    if not math.isfinite(value):
        raise PydanticCustomError("finite_number", "应为有限的数字")
    return value


def _code(value: str) -> str:
    if not 1 <= len(value) <= 32 or "\x00" in value:
        raise PydanticCustomError("parameter_code", "参数编码应为 1 到 32 个字符")
    return value


def _not_too_many(values: dict) -> dict:
    if len(values) > MAX_VALUES:
        raise PydanticCustomError("too_many", "参数太多（最多 {n} 个）", {"n": MAX_VALUES})
    return values


Value = Annotated[float, BeforeValidator(_number)]
ParameterCode = Annotated[str, AfterValidator(_code)]


class ClassifyIn(Schema):
    model_config = _examples(
        {"values": {"w01001": 7.2, "w01009": 4.2, "w01019": 5.1, "w21003": 1.2, "w21011": 0.18},
         "water_body": "river"},
        {"values": {"w01009": 6.5, "w21011": 0.04, "w21001": 1.3}, "water_body": "lake"},
    )  # fmt: skip

    values: Annotated[dict[ParameterCode, Value], AfterValidator(_not_too_many)] = Field(
        description="参数值，按 HJ 212 编码（mg/L，pH 无量纲）：w01001 pH、w01009 溶解氧、"
        "w01019 高锰酸盐指数、w01018 化学需氧量、w01017 五日生化需氧量、w21003 氨氮、"
        "w21011 总磷、w21001 总氮（仅湖库，单独评价）。其他编码不参与评价，在 not_evaluated 中列出"
    )
    water_body: Literal["river", "lake"] = Field(
        default="river", description="river：河流；lake：湖库（总磷限值不同，总氮单独评价）"
    )


class ParameterOut(Schema):
    code: str = Field(description="HJ 212 编码")
    name: str = Field(description="参数名称")
    value: float
    water_class: str = Field(alias="class", description="该参数的类别：I 至 V，或 劣V")
    class_number: int = Field(description="1 至 6（6 为劣V）")
    counts_for_class: bool = Field(description="是否参与综合类别（湖库总氮单独评价，为 false）")


class ClassifyOut(Schema):
    model_config = _examples(
        {"water_body": "river", "class": "IV", "class_number": 4, "wording": "轻度污染",
         "deciding_parameter": {"code": "w01009", "name": "溶解氧", "value": 4.2, "class": "IV",
                                "class_number": 4, "counts_for_class": True},
         "parameters": [{"code": "w01009", "name": "溶解氧", "value": 4.2, "class": "IV",
                         "class_number": 4, "counts_for_class": True}],
         "total_nitrogen_class": None, "not_evaluated": ["w01010"], "note": ""},
    )  # fmt: skip

    water_body: str
    water_class: str | None = Field(alias="class", description="I 至 V，或 劣V；数据不足时为 null")
    class_number: int | None = Field(description="1 至 6（6 为劣V）")
    wording: str | None = Field(description="优、良好、轻度污染、中度污染、重度污染")
    deciding_parameter: ParameterOut | None = Field(
        description="定类参数：类别最差者，并列时取标准表中靠前者"
    )
    parameters: list[ParameterOut] = Field(description="参与评价的参数，按标准表顺序")
    total_nitrogen_class: str | None = Field(description="湖库总氮的类别（单独评价）")
    not_evaluated: list[str] = Field(description="提交了但未参与评价的编码")
    note: str = Field(description="说明（如数据不足）")


class WaterFieldError(Schema):
    field: str
    message: str


class WaterError(Schema):
    model_config = _examples(
        {"detail": "请求有误：values.w01009：应为数字",
         "errors": [{"field": "values.w01009", "message": "应为数字"}]},
    )  # fmt: skip

    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[WaterFieldError] = Field(description="出错的字段")


@router.post(
    "/classify",
    response={200: ClassifyOut, 401: WaterError, 422: WaterError},
    by_alias=True,
    summary="按 GB 3838-2002 单因子评价水质类别：类别、水质状况与定类参数",
)
def post_classify(request: HttpRequest, payload: ClassifyIn):
    return _render(water.classify(payload.values, payload.water_body))


def _render(found: water.Classification) -> dict:
    tn = found.total_nitrogen_class
    return {
        "water_body": found.water_body,
        "class": found.water_class.roman if found.water_class else None,
        "class_number": found.water_class.value if found.water_class else None,
        "wording": found.wording,
        "deciding_parameter": _parameter(found.deciding) if found.deciding else None,
        "parameters": [_parameter(p) for p in found.parameters],
        "total_nitrogen_class": tn.roman if tn else None,
        "not_evaluated": list(found.not_evaluated),
        "note": "" if found.water_class else _("数据不足：没有可用于评价水质类别的参数"),
    }


def _parameter(p: water.ParameterClass) -> dict:
    return {"code": p.code, "name": p.name, "value": p.value, "class": p.water_class.roman,
            "class_number": p.water_class.value, "counts_for_class": p.counts}  # fmt: skip
