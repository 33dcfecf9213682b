"""The HJ 212 door: monitoring stations and gateways connect over TCP and send packets.

Per connection: the framer cuts the stream, each frame is parsed, split messages (PNUM/PNO) are
joined, the sender is checked by MN and password, and each data packet becomes one NewSample.
The samples of one read go to the pipeline together; their replies (9014 when the Flag asks)
are written only after the pipeline has committed them, and in the order the packets came.

An asyncio Protocol rather than streams: no coroutine per connection and no copy per read,
which matters at tens of thousands of packets a second. A bad packet is counted and logged,
never raised: nothing a peer sends may stop the door.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from datetime import UTC, datetime

from django.conf import settings

from huying.sensing.choices import Door, SampleKind
from huying.sensing.hj212.codes import CN_NAMES, KINDS
from huying.sensing.hj212.encode import reply_for
from huying.sensing.hj212.errors import FrameError
from huying.sensing.hj212.frames import Frame, Framer
from huying.sensing.hj212.packet import parse_segment, readings
from huying.sensing.hj212.reassembly import Reassembler
from huying.sensing.ingest.directory import directory
from huying.sensing.ingest.tally import tally
from huying.sensing.store import NewSample

log = logging.getLogger("huying.sensing.ingest")

DOOR = Door.HJ212.value
SAMPLE_KIND = {
    "rtd": SampleKind.RTD.value,
    "minute": SampleKind.MINUTE.value,
    "hour": SampleKind.HOUR.value,
    "day": SampleKind.DAY.value,
}
LOG_EVERY = 60.0  # seconds between two log lines about the same MN or peer


class Group:
    """The replies owed for one read; sent once its samples are stored (or at once if none)."""

    __slots__ = ("ready", "replies")

    def __init__(self):
        self.replies: list[bytes] = []
        self.ready = False


class TcpDoor:
    """The listening side: every connection, back-pressure, the idle sweep."""

    def __init__(self, pipeline, idle_seconds: float):
        self.pipeline = pipeline
        self.idle_seconds = idle_seconds
        self.directory = directory()
        self.tally = tally()
        self.connections: set[Connection] = set()
        self.paused = False
        self.reads = 0
        self.loop = asyncio.get_running_loop()
        self._logged: dict[str, float] = {}

    def later(self, callback, *args) -> None:
        """Run callback on the loop (called from the pipeline's writer thread)."""
        # RuntimeError: the loop has closed, the process is stopping: nobody left to tell
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(callback, *args)

    def protocol(self) -> "Connection":
        return Connection(self)

    def warn_once(self, key: str, message: str, *args) -> None:
        """Log at most once a minute per key (an MN, a peer): a broken device repeats itself."""
        now = time.monotonic()
        if now - self._logged.get(key, float("-inf")) < LOG_EVERY:
            return
        if len(self._logged) > 10_000:
            self._logged.clear()
        self._logged[key] = now
        log.warning(message, *args)

    # --- back-pressure ---------------------------------------------------------------------

    def check_room(self) -> None:
        if self.paused or self.pipeline.has_room():
            return
        self.paused = True
        for connection in self.connections:
            connection.transport.pause_reading()
        self.pipeline.when_room(lambda: self.later(self.resume))

    def resume(self) -> None:
        """Resume the connections read least recently first: the kernel reports them ready in
        this order and the pipeline may fill again before the last, which must not starve."""
        self.paused = False
        for connection in sorted(self.connections, key=_last_read):
            if not connection.transport.is_closing():
                connection.transport.resume_reading()

    # --- housekeeping ----------------------------------------------------------------------

    async def sweep(self) -> None:
        every = max(0.2, min(self.idle_seconds / 4, 10.0))
        while True:
            await asyncio.sleep(every)
            now = time.monotonic()
            for connection in list(self.connections):
                connection.housekeep(now)

    def busy(self) -> bool:
        return any(connection.owed for connection in self.connections)


class Connection(asyncio.Protocol):
    def __init__(self, door: TcpDoor):
        self.door = door
        self.framer = Framer()
        self.reassembler = Reassembler()
        self.held: dict[tuple, list[bytes]] = {}  # replies of parts whose message is unfinished
        self.owed: deque[Group] = deque()
        self.transport = None
        self.peer = "?"
        self.last_frame = time.monotonic()
        self.last_read = 0  # door.reads when this connection was last read (for fairness)

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        self.door.connections.add(self)
        if self.door.paused:
            transport.pause_reading()

    def connection_lost(self, exc) -> None:
        self.door.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.received(data)
        except Exception:  # a bug must cost one read, never the door
            log.exception("HJ 212 door: unexpected error on data from %s", self.peer)
            self.door.tally.add(DOOR, "internal_error")

    def received(self, data: bytes) -> None:
        arrived = datetime.now(UTC)
        self.door.reads += 1
        self.last_read = self.door.reads
        group, samples, counts = Group(), [], {}
        for item in self.framer.feed(data):
            if type(item) is Frame:
                self.last_frame = time.monotonic()
                self.frame(item, arrived, group, samples, counts)
            else:
                self.bad(item, counts)
        if counts:
            for what, n in counts.items():
                self.door.tally.add(DOOR, what, n)
        if samples:
            self.owed.append(group)
            self.door.pipeline.submit(samples, lambda ok: self.door.later(self.stored, group, ok))
            self.door.check_room()
        elif group.replies:
            group.ready = True
            self.owed.append(group)
            self.send()
        if counts.get("too_long"):
            self.transport.close()  # a peer that never completes a frame is cut off

    def frame(self, frame: Frame, arrived, group: Group, samples: list, counts: dict) -> None:
        try:
            packet = parse_segment(frame.segment)
        except FrameError as error:
            self.bad(error, counts)
            return
        device = self.door.directory.by_mn(packet.mn)
        if device is None or not device.is_active:
            what = "unknown_mn" if device is None else "inactive_mn"
            _count(counts, what)
            self.door.warn_once(packet.mn, "HJ 212: %s MN=%r from %s", what, packet.mn, self.peer)
            return
        if device.hj212_password and packet.pw != device.hj212_password:
            _count(counts, "wrong_pw")
            self.door.warn_once(
                packet.mn, "HJ 212: wrong PW for MN=%r from %s", packet.mn, self.peer
            )
            return
        if packet.pnum and packet.pnum > 1:
            packet = self.part(packet, group, counts)
            if packet is None:
                return
        reply = reply_for(packet)
        kind = KINDS.get(packet.cn)
        if kind is None:
            _count(
                counts, f"cn:{packet.cn}" if packet.cn in CN_NAMES else f"unknown_cn:{packet.cn}"
            )
        else:
            self.sample(packet, device.id, kind, arrived, samples, counts)
        if reply is not None:
            group.replies.append(reply)

    def part(self, packet, group: Group, counts: dict):
        """The joined message when this part completes it; its reply waits for the store."""
        key = (packet.mn, packet.qn, packet.pnum)
        whole = self.reassembler.add(packet)
        reply = reply_for(packet)
        held = self.held.pop(key, []) if whole is not None else self.held.setdefault(key, [])
        if reply is not None:
            held.append(reply)
        if whole is None:
            _count(counts, "part")
            return None
        _count(counts, "joined")
        group.replies.extend(held[:-1])  # the last part's reply is the joined packet's
        return whole

    def sample(self, packet, device_id: int, kind: str, arrived, samples, counts) -> None:
        dropped: dict[str, int] = {}
        found = readings(packet, dropped)
        for reason, n in dropped.items():
            _count(counts, f"dropped_{reason}", n)
        if not found:
            _count(counts, "empty")
            return
        values = {code: (value, flag) for _, code, _, _, value, flag in found}
        samples.append(
            NewSample(device_id, SAMPLE_KIND[kind], packet.data_time, values, DOOR, arrived)
        )
        _count(counts, "accepted")
        _count(counts, "readings", len(values))

    def bad(self, error: FrameError, counts: dict) -> None:
        _count(counts, error.reason)
        if error.reason == "crc":
            self.door.warn_once(
                f"crc:{self.peer}",
                "HJ 212: bad CRC from %s (%s): %r",
                self.peer,
                error.detail,
                error.raw[:80],
            )
        else:
            log.debug("HJ 212: %s from %s: %s", error.reason, self.peer, error.detail)

    # --- replies, in arrival order ---------------------------------------------------------

    def stored(self, group: Group, ok: bool) -> None:
        if not ok:
            group.replies = []  # not stored: say nothing, the device resends
            self.door.tally.add(DOOR, "store_failed")
        group.ready = True
        self.send()

    def send(self) -> None:
        out = []
        owed = self.owed
        while owed and owed[0].ready:
            out.extend(owed.popleft().replies)
        if out and not self.transport.is_closing():
            self.transport.write(b"".join(out))

    def housekeep(self, now: float) -> None:
        if now - self.last_frame > self.door.idle_seconds and not self.transport.is_closing():
            self.door.tally.add(DOOR, "idle_closed")
            self.transport.close()
            return
        self.reassembler.expire(now)
        if len(self.held) > len(self.reassembler.pending):
            self.held = {key: r for key, r in self.held.items() if key in self.reassembler.pending}


def _last_read(connection: Connection) -> int:
    return connection.last_read


def _count(counts: dict, what: str, n: int = 1) -> None:
    counts[what] = counts.get(what, 0) + n


class Closer:
    def __init__(self, server: asyncio.Server, door: TcpDoor, sweeper: asyncio.Task):
        self.server = server
        self.door = door
        self.sweeper = sweeper

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    async def close(self, drain_seconds: float = 10.0) -> None:
        """Stop accepting and reading, send the replies still owed, then hang up."""
        self.server.close()
        for connection in list(self.door.connections):
            connection.transport.pause_reading()
        deadline = time.monotonic() + drain_seconds
        while self.door.busy() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        self.sweeper.cancel()
        for connection in list(self.door.connections):
            connection.transport.close()
        await self.server.wait_closed()


async def serve(pipeline, *, host=None, port=None, idle_seconds=None, reuse_port=False) -> Closer:
    """Listen for HJ 212 connections (default SENSING_HJ212_HOST:SENSING_HJ212_PORT)."""
    host = settings.SENSING_HJ212_HOST if host is None else host
    port = settings.SENSING_HJ212_PORT if port is None else port
    idle = settings.SENSING_IDLE_SECONDS if idle_seconds is None else idle_seconds
    door = TcpDoor(pipeline, idle)
    server = await door.loop.create_server(
        door.protocol, host, port, backlog=1024, reuse_port=reuse_port or None
    )
    sweeper = asyncio.get_running_loop().create_task(door.sweep())
    log.info("HJ 212 door listening on %s:%s", host, port)
    return Closer(server, door, sweeper)
