"""Nothing a peer sends breaks the HJ 212 door: random bytes, cut and mixed with real packets,
go through a connection's read path; it never raises, and the real packets still get through."""

import asyncio
import threading
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huying.sensing.hj212.encode import data_packet, split_packet
from huying.sensing.ingest import tcp_door
from huying.sensing.ingest.directory import DeviceRef, Directory
from huying.sensing.ingest.tally import Tally

AT = datetime(2026, 3, 1, tzinfo=UTC)
GOOD = data_packet("FUZZ01", "2011", AT, {"w01018": (20.5, "N")}, qn="20260301000000001")
PARTS = split_packet(
    "FUZZ01", "2061", AT, {f"w{n:05d}": (n, "N") for n in range(30)}, qn="2", max_cp=200
)
DEVICE = DeviceRef(1, "fuzz", "water", "123456", True)


def run_in_own_loop(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread, where asyncio.run refuses to start another."""
    found = {}

    def target():
        found["result"] = asyncio.run(coroutine)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    return found["result"]


class Transport:
    def __init__(self):
        self.written, self.closed, self.paused = [], False, False

    def write(self, data):
        self.written.append(data)

    def close(self):
        self.closed = True

    def is_closing(self):
        return self.closed

    def pause_reading(self):
        self.paused = True

    def resume_reading(self):
        self.paused = False

    def get_extra_info(self, name):
        return ("127.0.0.1", 9)


class Pipeline:
    """Stores at once: every submit is acknowledged on the spot."""

    def __init__(self):
        self.samples = []

    def submit(self, samples, done):
        self.samples.extend(samples)
        done(True)

    def has_room(self):
        return True


async def _connection():
    door = tcp_door.TcpDoor(Pipeline(), idle_seconds=60)
    door.directory = Directory(load=lambda: {"FUZZ01": DEVICE})
    door.tally = Tally()
    door.later = lambda callback, *args: callback(*args)
    connection = door.protocol()
    connection.connection_made(Transport())
    return door, connection


chunks = st.lists(
    st.one_of(st.binary(max_size=300), st.sampled_from([GOOD, *PARTS, b"##", b"\r\n"])),
    max_size=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=chunks, cut=st.integers(min_value=1, max_value=50))
def test_any_bytes_never_raise(chunks, cut):
    async def run():
        door, connection = await _connection()
        stream = b"".join(chunks)
        for at in range(0, len(stream), cut):
            connection.received(stream[at : at + cut])  # raises on a bug: not data_received
        connection.received(GOOD)  # after whatever came before, a good packet still counts
        return door, connection

    door, connection = run_in_own_loop(run())
    assert door.tally.totals().get(("hj212", "internal_error"), 0) == 0
    assert any(s.values == {"w01018": (20.5, "N")} for s in door.pipeline.samples) or (
        connection.transport.closed  # the stream went over the framer's bound: cut off
    )


def test_a_good_packet_after_garbage_is_stored_and_answered():
    async def run():
        door, connection = await _connection()
        connection.received(b"\x00\xff garbage ##99" + GOOD[:40])
        connection.received(GOOD[40:] + GOOD)
        return door, connection

    door, connection = run_in_own_loop(run())
    assert len(door.pipeline.samples) >= 1
    assert b"CN=9014" in b"".join(connection.transport.written)
