"""The answers to the two reads workbenches poll, the call list and a call's detail: built by
`api_render` from rows, kept by `read_cache` until the next write of calls, and sent with
their countdowns worked out at the moment of sending."""

from django.http import HttpRequest, HttpResponse

from huying.calls import api_render, read_cache, selectors
from huying.core import clock
from huying.core.pagination import CappedCountLimitOffset

KEEP_AT_MOST = 100  # calls on a kept list page


def call_list(
    request: HttpRequest, filters: selectors.CallFilter, page: CappedCountLimitOffset.Input
) -> HttpResponse:
    user = request.auth

    def build(now):
        listed = selectors.listed(user, filters)
        calls = selectors.with_overdue(listed, filters.overdue, now)
        counted = selectors.counted(calls, filters)
        timed = api_render.timed_page(request, calls, page, counted=counted)
        # Workbenches poll pages of 50; a page of up to 1,000 (an export, a script) is not kept:
        # 2,048 of those would hold gigabytes in each web process.
        if len(timed.dues) > KEEP_AT_MOST:
            return read_cache.Built(timed, keep=False)
        # An overdue filter picks other calls once a deadline passes, with no write.
        until = None if filters.overdue is None else selectors.next_crossing(listed, now)
        return read_cache.Built(timed, until)

    return _send(request, build)


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    def build(now):
        return read_cache.Built(api_render.timed_detail(request.auth, pk, now=now))

    return _send(request, build)


def _send(request: HttpRequest, build) -> HttpResponse:
    now = clock.now()  # one moment for the query (on a miss) and the countdowns
    return api_render.json_response(read_cache.cached(request, build, now).at(now))
