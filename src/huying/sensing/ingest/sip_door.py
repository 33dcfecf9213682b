"""The GB/T 28181 door: SIP MESSAGE requests over UDP carrying MANSCDP alarm notifications.

A camera (or a video platform) sends `MESSAGE sip:… SIP/2.0` with `Content-Type:
Application/MANSCDP+xml` and the `<Notify><CmdType>Alarm</CmdType>…` body. The detection is
recorded (sensing.gb28181, in a worker thread: the ORM must not run on the event loop) before
the answer goes back, so a 200 OK means stored; a camera that hears nothing resends (SIP's own
retransmission over UDP). The answer copies Via, From, To, Call-ID and CSeq, adding a To tag
when there is none (RFC 3261 §8.2.6.2). 400 bad XML or a wrong field, 404 an unknown camera,
415 another content type, 405 another method, 503 when too many are in progress.

Video events do not go through the readings pipeline; `pipeline` is taken for the door
interface (ingest/server.py starts every door the same way).
"""

import asyncio
import logging
import secrets
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection

from huying.core.errors import BusinessError

log = logging.getLogger("huying.sensing.ingest")

MANSCDP = "application/manscdp+xml"
MAX_IN_FLIGHT = 64  # bounded memory: beyond this a sender is told 503 and resends later
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "c": "content-type",
           "l": "content-length"}  # fmt: skip
COPIED = (("via", "Via"), ("from", "From"), ("to", "To"), ("call-id", "Call-ID"),
          ("cseq", "CSeq"))  # fmt: skip
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           415: "Unsupported Media Type", 500: "Server Internal Error",
           503: "Service Unavailable"}  # fmt: skip


@dataclass
class Request:
    method: str
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str:
        return (self.headers.get(name) or [""])[0]


def parse_request(data: bytes) -> Request | None:
    """A SIP request, or None for a response or something that is not SIP (no answer)."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] != "SIP/2.0":
        return None
    request = Request(method=parts[0].upper())
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            continue
        key = name.strip().lower()
        request.headers.setdefault(COMPACT.get(key, key), []).append(value.strip())
    length = request.header("content-length")
    request.body = body[: int(length)] if length.isdigit() else body
    if not all(request.headers.get(name) for name, _ in COPIED):
        return None  # nothing to address an answer to
    return request


def response(request: Request, status: int) -> bytes:
    lines = [f"SIP/2.0 {status} {REASONS[status]}"]
    for key, name in COPIED:
        for value in request.headers[key]:
            if key == "to" and ";tag=" not in value.replace(" ", ""):
                value = f"{value};tag={secrets.token_hex(4)}"
            lines.append(f"{name}: {value}")
    if status == 405:
        lines.append("Allow: MESSAGE")
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def handle(request: Request) -> int:
    """Runs in a worker thread: the status to answer with."""
    from huying.sensing import gb28181  # models: imported once Django is set up

    if request.method != "MESSAGE":
        return 405
    if request.header("content-type").split(";")[0].strip().lower() != MANSCDP:
        return 415
    if not connection.in_atomic_block:  # a test runs the door inside its transaction
        close_old_connections()
    try:
        gb28181.ingest(request.body)
    except BusinessError as exc:
        log.info("gb28181 refused: %s", exc.message)
        return 404 if exc.status == 404 else 400
    except Exception:
        log.exception("gb28181 alarm failed")
        return 500
    finally:
        if not connection.in_atomic_block:  # alarms are rare: no idle worker keeps a connection
            connection.close()
    return 200


class SipProtocol(asyncio.DatagramProtocol):
    def __init__(self, executor: Executor):
        self.executor = executor
        self.tasks: set[asyncio.Task] = set()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        request = parse_request(data)
        if request is None:
            return
        if len(self.tasks) >= MAX_IN_FLIGHT:
            self.transport.sendto(response(request, 503), addr)
            return
        task = asyncio.get_running_loop().create_task(self._answer(request, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, request: Request, addr) -> None:
        loop = asyncio.get_running_loop()
        status = await loop.run_in_executor(self.executor, handle, request)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(response(request, status), addr)


class Closer:
    def __init__(self, transport, protocol: SipProtocol, executor: Executor):
        self.transport, self.protocol, self.executor = transport, protocol, executor
        self.port = transport.get_extra_info("sockname")[1]

    async def close(self) -> None:
        """Stop taking datagrams, let the alarms in progress finish and be answered."""
        if self.protocol.tasks:
            await asyncio.gather(*self.protocol.tasks, return_exceptions=True)
        self.transport.close()
        self.executor.shutdown(wait=True)


async def serve(
    pipeline=None,
    *,
    host: str | None = None,
    port: int | None = None,
    executor: Executor | None = None,
) -> Closer:
    """Listen for SIP on UDP; `executor` runs the recording (two worker threads by default)."""
    executor = executor or ThreadPoolExecutor(max_workers=2, thread_name_prefix="sip-door")
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: SipProtocol(executor),
        local_addr=(host or settings.SENSING_SIP_HOST,
                    settings.SENSING_SIP_PORT if port is None else port),
    )  # fmt: skip
    log.info("GB/T 28181 SIP door on udp %s", transport.get_extra_info("sockname"))
    return Closer(transport, protocol, executor)
