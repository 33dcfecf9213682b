"""Who is acting and on which request, for the audit log, without threading it everywhere."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""


_NONE = RequestContext()  # frozen, so sharing it as the default is safe
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "huying_request_context", default=None
)


def current() -> RequestContext:
    return _current.get() or _NONE


def bind(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)
