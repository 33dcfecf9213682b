"""A reading that was acknowledged is never lost: `huying ingest` is killed (SIGKILL, no chance
to clean up) in the middle of a flood, and every packet it had answered with 9014 is found in
the database, on a SQLite file and on PostgreSQL."""

import os
import signal
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from bench import ingest as bench

from huying.sensing.hj212.encode import data_packet
from huying.sensing.hj212.errors import FrameError
from huying.sensing.hj212.packet import parse_line
from huying.sensing.store import decode_values

CONNECTIONS = 6
WINDOW = 32
AT = datetime(2026, 4, 1, tzinfo=UTC)
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


def values_for(device: int, i: int) -> dict:
    return {"w01018": (float(i), "N"), "w21003": (device + i / 1000, "N")}


def qn(device: int, i: int) -> str:
    return f"{device:03d}{i:014d}"


class Flooder(threading.Thread):
    """One connection: windows of Flag=5 packets, noting each QN the server acknowledged."""

    def __init__(self, port: int, device: int):
        super().__init__(daemon=True)
        self.port, self.device = port, device
        self.acked: set[str] = set()
        self.bad_replies: list[bytes] = []
        self.sent = 0

    def run(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
                while True:
                    batch = [self.packet(self.sent + n) for n in range(WINDOW)]
                    sock.sendall(b"".join(batch))
                    self.sent += WINDOW
                    self.read(sock, WINDOW)
        except OSError:
            return  # the server was killed: what was acknowledged so far is what counts

    def packet(self, i: int) -> bytes:
        when = AT + timedelta(seconds=i)
        return data_packet(
            bench.mn(self.device), "2011", when, values_for(self.device, i), qn=qn(self.device, i)
        )

    def read(self, sock, count: int) -> None:
        buffer, seen = b"", 0
        while seen < count:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionResetError
            *lines, buffer = (buffer + chunk).split(b"\r\n")
            for line in lines:
                try:
                    self.acked.add(parse_line(line).qn)
                except FrameError:
                    self.bad_replies.append(line)
            seen += len(lines)


def database_url(kind: str) -> str | None:
    if kind == "sqlite":
        return None
    given = os.environ.get("HUYING_DATABASE_URL", "")
    base = given.rsplit("/", 1)[0] if given.startswith("postgres") else PG_DEFAULT.rsplit("/", 1)[0]
    try:
        with psycopg.connect(f"{base}/postgres", connect_timeout=3):
            pass
    except psycopg.Error:
        pytest.skip("PostgreSQL is not reachable")
    return f"{base}/huying_durability_{os.getpid()}"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_acknowledged_reading_survives_a_kill(kind, tmp_path):
    env = bench.fresh_database(database_url(kind), tmp_path)
    try:
        bench.register(env, CONNECTIONS)
        port = bench.free_port()
        process = bench.start_ingest(env, port)
        flooders = [Flooder(port, device) for device in range(CONNECTIONS)]
        for flooder in flooders:
            flooder.start()
        deadline = time.monotonic() + 60
        while sum(len(f.acked) for f in flooders) < 3000 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # mid-flood: the senders still have windows out
        process.wait(30)
        for flooder in flooders:
            flooder.join(30)
        rows = bench.query(
            env,
            "SELECT d.mn, s.time, s.readings FROM sensing_sample s "
            "JOIN sensing_device d ON d.id = s.device_id",
        )
    finally:
        bench.drop_database(env)
    stored = {(mn, bench._aware(at)): decode_values(text) for mn, at, text in rows}
    acked = 0
    for flooder in flooders:
        for i in range(flooder.sent):
            if qn(flooder.device, i) in flooder.acked:
                key = (bench.mn(flooder.device), AT + timedelta(seconds=i))
                assert stored.get(key) == values_for(flooder.device, i), key
                acked += 1
    assert acked >= 3000
    assert not [line for flooder in flooders for line in flooder.bad_replies]
    # Stored but not acknowledged (the reply was lost with the process) is fine: it is resent
    # and the primary key stores it once. The count shows the kill did land mid-flood.
    print(f"{kind}: {acked} acknowledged, all stored; {len(stored) - acked} stored unacknowledged")
