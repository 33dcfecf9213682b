"""Per-request context (request id, client address) for the audit log, and metrics."""

import time
import uuid

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
