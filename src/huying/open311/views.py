"""GeoReport v2 read side, public: parse the spec's parameters, read, render. No writes.

Always in Chinese (the state labels are translatable, but the feed is the district's own
record whatever the client's Accept-Language), and errors in the spec's error format.
"""

from datetime import datetime, time
from functools import wraps

from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from huying.core import clock
from huying.open311 import renderers, selectors, serializers


class BadParameter(Exception):
    pass


def georeport(view):
    """GET only, in Chinese, with `jurisdiction_id` checked (404 when it is not ours)."""

    @require_GET
    @wraps(view)
    def wrapped(request, *args, fmt: str, **kwargs):
        with translation.override("zh-hans"):
            jurisdiction = request.GET.get("jurisdiction_id")
            if jurisdiction and not selectors.is_jurisdiction(jurisdiction):
                return renderers.error(fmt, 404, f"没有编号为 {jurisdiction} 的辖区")
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except BadParameter as exc:
                return renderers.error(fmt, 400, str(exc))

    return wrapped


def _date(request, name: str) -> datetime | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    raw = raw.replace(" ", "+")  # an unescaped '+' offset arrives as a space
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime.combine(day, time.min)  # a W3C date alone: its midnight
        if value is not None and not timezone.is_aware(value):
            value = timezone.make_aware(value)
        if value is not None:
            value.astimezone(timezone.get_default_timezone())  # out of range raises here
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise BadParameter(f"参数 {name} 应为 W3C 日期时间，例如 2026-11-01T00:00:00+08:00")
    return value


def _int(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadParameter(f"参数 {name} 应为 {low} 到 {high} 之间的整数")
    return int(raw)


def _list(request, name: str) -> tuple[str, ...]:
    """Comma-separated, or the parameter repeated: both are seen in 311 clients."""
    values = ",".join(request.GET.getlist(name))
    return tuple(v.strip() for v in values.split(",") if v.strip())


def _query(request) -> selectors.RequestQuery:
    statuses = _list(request, "status")
    if set(statuses) - {"open", "closed"}:
        raise BadParameter("参数 status 只能是 open 或 closed")
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start and end and start > end:
        raise BadParameter("参数 start_date 不能晚于 end_date")
    return selectors.RequestQuery(
        start=start,
        end=end,
        statuses=statuses,
        service_codes=_list(request, "service_code"),
        page=_int(request, "page", 1, 1, 1_000_000),
        page_size=_int(request, "page_size", selectors.PAGE_SIZE, 1, selectors.MAX_PAGE_SIZE),
    )


@georeport
def service_list(request, fmt: str):
    body = [serializers.service(m) for m in selectors.services()]
    return renderers.render(fmt, "services", [*body, serializers.FREE_FORM_SERVICE])


@georeport
def service_definition(request, code: str, fmt: str):
    if code != selectors.FREE_FORM_CODE and selectors.service(code) is None:
        return renderers.error(fmt, 404, f"没有编号为 {code} 的服务")
    return renderers.render(fmt, "service_definition", serializers.service_definition(code))


@georeport
def request_list(request, fmt: str):
    calls = selectors.requests(_query(request), clock.now())
    return renderers.render(
        fmt, "service_requests", [serializers.service_request(c) for c in calls]
    )


@georeport
def request_detail(request, number: str, fmt: str):
    call = selectors.request(number)
    if call is None:
        return renderers.error(fmt, 404, f"没有编号为 {number} 的服务请求")
    return renderers.render(fmt, "service_requests", [serializers.service_request(call)])
