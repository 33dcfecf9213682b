"""How the JSON API reports errors: always JSON, always Chinese, always naming the field.

Shape: {"detail": "<message>", "errors": [{"field": "<name>", "message": "<message>"}]}.
"""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from huying.core import audit
from huying.core.errors import BusinessError

# Pydantic error types, in words a cadre understands.
PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "json_invalid": "不是合法的 JSON",
    "model_attributes_type": "格式不正确",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "enum": "不是可选的值",
    "literal_error": "不是可选的值",
    "greater_than_equal": "数值太小",
    "greater_than": "数值太小",
    "less_than_equal": "数值太大",
    "less_than": "数值太大",
}
# Ninja's own words for a body it cannot parse (plus the reason when DEBUG), and ours.
NINJA_UNPARSABLE_BODY = "Cannot parse request body"
UNPARSABLE_BODY = "请求体无法解析：应为 UTF-8 编码的 JSON"
# Where a value sits in the request, not a field name.
LOCATION_PARTS = {"body", "query", "path", "header", "cookie", "form", "payload", "data"}


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if str(p) not in LOCATION_PARTS]
    return ".".join(parts) or "body"


def _validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI):
    errors = []
    for err in exc.errors:
        message = PYDANTIC_MESSAGES.get(err.get("type", ""), err.get("msg", "格式不正确"))
        errors.append({"field": _field_of(err.get("loc", ())), "message": message})
    summary = "；".join(f"{e['field']}：{e['message']}" for e in errors)
    return api.create_response(
        request, {"detail": f"请求有误：{summary}", "errors": errors}, status=422
    )


def _business_error(request: HttpRequest, exc: BusinessError, api: NinjaAPI):
    if exc.status == 403:  # a service refused this role: every denial is audited, here once
        audit.record(
            "core.permission_denied",
            actor=getattr(request, "auth", None),
            object_repr=request.path[:200],
            reason=exc.message,
        )
    body = {"detail": exc.message, "errors": []}
    if exc.field:
        body["errors"].append({"field": exc.field, "message": exc.message})
    return api.create_response(request, body, status=exc.status)


def _authentication_error(request: HttpRequest, exc: AuthenticationError, api: NinjaAPI):
    return api.create_response(
        request,
        {"detail": "请先登录，或在 Authorization 头中提供有效的 Bearer 令牌", "errors": []},
        status=401,
    )


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return api.create_response(
        request, {"detail": "未找到，或不在您的可见范围内", "errors": []}, status=404
    )


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI):
    if exc.status_code == 403:
        user = getattr(request, "auth", None)
        audit.record(
            "core.permission_denied", actor=user, object_repr=request.path, reason=str(exc)
        )
    if str(exc).startswith(NINJA_UNPARSABLE_BODY):
        body = {
            "detail": UNPARSABLE_BODY,
            "errors": [{"field": "body", "message": UNPARSABLE_BODY}],
        }
        return api.create_response(request, body, status=exc.status_code)
    return api.create_response(request, {"detail": str(exc), "errors": []}, status=exc.status_code)


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, lambda r, e: _validation_error(r, e, api))
    api.add_exception_handler(BusinessError, lambda r, e: _business_error(r, e, api))
    api.add_exception_handler(AuthenticationError, lambda r, e: _authentication_error(r, e, api))
    api.add_exception_handler(Http404, lambda r, e: _not_found(r, e, api))
    api.add_exception_handler(HttpError, lambda r, e: _http_error(r, e, api))
