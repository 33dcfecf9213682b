"""Per-request context (request id, client address) for the audit log, and metrics."""

import time
import uuid

from django.http import HttpResponseBadRequest, JsonResponse

from huying.core import context, metrics


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        request.request_id = request_id
        token = context.bind(
            context.RequestContext(request_id=request_id, ip=request.META.get("REMOTE_ADDR", ""))
        )
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            context.unbind(token)
            match = getattr(request, "resolver_match", None)
            route = (match.route or "/") if match else "unmatched"
            metrics.observe_request(request.method, route, status, time.perf_counter() - started)


NUL_MESSAGE = "请求中含有不允许的空字符（NUL）"


class RejectNulMiddleware:
    """A NUL in the path or query is refused here, once for every app.

    Nothing Huying stores can contain one, and PostgreSQL refuses it in any query, so letting
    it through would turn a typo or a probe into a 500 deep inside some selector.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query_values = (v for values in request.GET.lists() for v in values[1])
        if "\x00" in request.path or any("\x00" in v for v in query_values):
            if request.path.startswith("/api/"):
                body = {
                    "detail": NUL_MESSAGE,
                    "errors": [{"field": "query", "message": NUL_MESSAGE}],
                }
                return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
