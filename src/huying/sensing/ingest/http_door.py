"""The HTTP door: `POST /telemetry` with `Authorization: Bearer <device token>` and a JSON body
(sensing/telemetry.py). The answer comes after the pipeline has stored the batch:
200 {"stored": n, "duplicates": m}; 401, 411, 413, 422 with {"detail": "…", "errors": [...]}.

A small HTTP/1.1 server of its own (no framework in the ingest process): requests with a
Content-Length only (chunked bodies are refused with 411), keep-alive, a bounded head and body,
and a connection idle for SENSING_IDLE_SECONDS is closed. Token lookups, parsing and the
duplicate check run in one worker thread: Django refuses queries from the event loop's thread.

"duplicates" counts the samples already stored when the upload arrived (they are not written
again); two identical uploads at the same instant may both count a sample as stored, but it is
stored once.
"""

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.translation import gettext as _

from huying.core import clock
from huying.core.errors import BusinessError
from huying.sensing import telemetry, tokens
from huying.sensing.choices import Door
from huying.sensing.ingest.tally import tally
from huying.sensing.models import Sample

log = logging.getLogger("huying.sensing.ingest")

DOOR = Door.HTTP.value
PATH = "/telemetry"
HEAD_LIMIT = 16 * 1024  # request line and headers


class Refused(Exception):
    def __init__(self, status: int, message: str, field: str | None = None, close=False):
        super().__init__(message)
        self.status, self.message, self.field, self.close = status, message, field, close


class HttpDoor:
    def __init__(self, pipeline, idle_seconds: float):
        self.pipeline = pipeline
        self.idle = idle_seconds
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="ingest-http")
        self.connections: set[asyncio.StreamWriter] = set()
        self.busy = 0  # requests read and not yet answered

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass  # the peer went away or fell idle: nothing is owed to it
        finally:
            self.connections.discard(writer)
            writer.close()

    async def _one_request(self, reader, writer) -> bool:
        """Serve one request; False when the connection is to be closed."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.idle)
        except (asyncio.LimitOverrunError, ValueError):
            await _respond(writer, 431, _error(_("请求头太大")), keep=False)
            return False
        self.busy += 1
        try:
            keep, status, body = await self._request(head, reader, writer)
        except Refused as refused:
            tally().add(DOOR, f"http_{refused.status}")
            keep, status = not refused.close, refused.status
            body = _error(refused.message, refused.field)
        finally:
            self.busy -= 1
        await _respond(writer, status, body, keep)
        return keep

    async def _request(self, head: bytes, reader, writer) -> tuple[bool, int, dict]:
        method, target, version, headers = _parse_head(head)
        keep = _keep_alive(version, headers)
        length = _content_length(headers)
        if target.split("?", 1)[0] != PATH:
            await _discard(reader, length, self.idle)
            raise Refused(404, _("没有这个地址：数据请 POST 到 /telemetry"))
        if method != "POST":
            await _discard(reader, length, self.idle)
            raise Refused(405, _("只接受 POST"))
        if length > telemetry.MAX_BYTES:
            raise Refused(413, telemetry.too_large().message, "body", close=True)
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await asyncio.wait_for(reader.readexactly(length), self.idle)
        token = _bearer(headers.get("authorization", ""))
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self.pool, _prepare, token, body)
        if isinstance(found, Refused):
            found.close = found.close or not keep
            raise found
        fresh, duplicates = found
        if fresh and not await self._store(fresh):
            raise Refused(503, _("暂时无法保存，请稍后重发"))
        tally().add(DOOR, "accepted")
        return keep, 200, {"stored": len(fresh), "duplicates": duplicates}

    async def _store(self, samples) -> bool:
        loop = asyncio.get_running_loop()
        if not self.pipeline.has_room():  # back-pressure: this upload waits, memory does not grow
            room = loop.create_future()
            self.pipeline.when_room(lambda: loop.call_soon_threadsafe(_settle, room, True))
            await room
        stored = loop.create_future()
        self.pipeline.submit(samples, lambda ok: loop.call_soon_threadsafe(_settle, stored, ok))
        return await stored


def _settle(future: asyncio.Future, ok: bool) -> None:
    if not future.done():
        future.set_result(ok)


def _prepare(token: str, body: bytes):
    """In the worker thread: who sent it, what it holds, what is new. A Refused on failure."""
    try:
        device = tokens.device_for_token(token)
        if device is None:
            return Refused(401, _("设备令牌无效：请在 Authorization 头中提供 Bearer 设备令牌"))
        now = clock.now()
        samples = telemetry.parse(
            body, device_id=device.id, device_code=device.code, door=DOOR,
            received_at=now, now=now,
        )  # fmt: skip
        stored = already_stored(device.id, samples)
    except BusinessError as error:
        return Refused(error.status, error.message, error.field)
    except Exception:  # the database is away: the device must resend later
        log.exception("HTTP telemetry could not be checked")
        close_old_connections()
        return Refused(503, _("暂时无法保存，请稍后重发"))
    fresh = [s for s in samples if (s.kind, s.time) not in stored]
    return fresh, len(samples) - len(fresh)


def already_stored(device_id: int, samples) -> set:
    """(kind, time) of the samples the store already holds (a primary-key lookup)."""
    by_kind: dict[int, list] = {}
    for sample in samples:
        by_kind.setdefault(sample.kind, []).append(sample.time)
    found = set()
    for kind, times in by_kind.items():
        for start in range(0, len(times), 500):
            rows = Sample.objects.filter(
                device_id=device_id, kind=kind, time__in=times[start : start + 500]
            ).values_list("time", flat=True)
            found.update((kind, time) for time in rows)
    return found


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    try:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        raise Refused(400, _("请求行无法解析"), close=True) from None
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise Refused(400, _("只支持 HTTP/1.1"), close=True)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        name = name.strip().lower()
        if not sep or not name:
            raise Refused(400, _("请求头无法解析"), close=True)
        if name in headers and name in ("content-length", "authorization"):
            raise Refused(400, _("请求头重复：%(h)s") % {"h": name}, close=True)
        headers[name] = value.strip()
    return method, target, version, headers


def _content_length(headers: dict[str, str]) -> int:
    if "transfer-encoding" in headers:
        raise Refused(411, _("请用 Content-Length 发送数据，不支持分块传输"), close=True)
    text = headers.get("content-length")
    if text is None:
        return 0
    if not text.isdigit() or len(text) > 12:
        raise Refused(400, _("Content-Length 应为非负整数"), close=True)
    return int(text)


def _keep_alive(version: str, headers: dict[str, str]) -> bool:
    connection = headers.get("connection", "").lower()
    if version == "HTTP/1.0":
        return connection == "keep-alive"
    return connection != "close"


def _bearer(value: str) -> str:
    scheme, _sep, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _discard(reader, length: int, idle: float) -> None:
    if length > telemetry.MAX_BYTES:
        raise Refused(413, telemetry.too_large().message, "body", close=True)
    if length:
        await asyncio.wait_for(reader.readexactly(length), idle)


def _error(message: str, field: str | None = None) -> dict:
    errors = [{"field": field, "message": message}] if field else []
    return {"detail": message, "errors": errors}


async def _respond(writer, status: int, body: dict, keep: bool) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(data)}\r\n"
        f"Connection: {'keep-alive' if keep else 'close'}\r\n"
    )
    if status == 503:
        head += "Retry-After: 10\r\n"
    writer.write(head.encode("ascii") + b"\r\n" + data)
    await writer.drain()


class Closer:
    def __init__(self, server: asyncio.Server, door: HttpDoor):
        self.server, self.door = server, door

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    async def close(self, drain_seconds: float = 10.0) -> None:
        """Stop accepting, answer the uploads being stored, then hang up."""
        self.server.close()
        deadline = time.monotonic() + drain_seconds
        while self.door.busy and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        for writer in list(self.door.connections):
            writer.close()
        await self.server.wait_closed()
        self.door.pool.submit(connections.close_all)  # the worker thread's database connection
        await asyncio.to_thread(self.door.pool.shutdown)


async def serve(pipeline, *, host=None, port=None, idle_seconds=None) -> Closer:
    """Listen for telemetry uploads (default SENSING_HTTP_HOST:SENSING_HTTP_PORT)."""
    host = settings.SENSING_HTTP_HOST if host is None else host
    port = settings.SENSING_HTTP_PORT if port is None else port
    door = HttpDoor(
        pipeline, settings.SENSING_IDLE_SECONDS if idle_seconds is None else idle_seconds
    )
    server = await asyncio.start_server(door.handle, host, port, limit=HEAD_LIMIT)
    log.info("HTTP telemetry door listening on %s:%s", host, port)
    return Closer(server, door)
