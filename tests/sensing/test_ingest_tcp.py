"""The HJ 212 door end to end: a real `huying ingest` on 127.0.0.1, real packets over TCP, the
rows read back from its database (a SQLite file, or a PostgreSQL database of its own on the
PostgreSQL pass), so what a device is told matches what was stored."""

import gzip
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from bench import ingest as bench

from huying.sensing.hj212.codes import KINDS
from huying.sensing.hj212.encode import data_packet, encode, split_packet
from huying.sensing.hj212.errors import FrameError
from huying.sensing.hj212.packet import parse_line, readings
from huying.sensing.store import decode_values
from tests.sensing.hj212_files import SHARED_DATA

CORPUS = SHARED_DATA / "hj212-corpus"
KIND_NUMBER = {"rtd": 1, "minute": 2, "hour": 3, "day": 4}
IDLE_SECONDS = 2
DEVICES = 260


def corpus_packets(limit: int = 400) -> list[bytes]:
    """Data packets of the shared corpus, one per (MN, CN, DataTime)."""
    seen, out = set(), []
    with gzip.open(sorted(CORPUS.glob("*.h212.gz"))[0], "rb") as fh:
        for line in fh:
            try:
                packet = parse_line(line)
            except FrameError:
                continue
            key = (packet.mn, packet.cn, packet.data_time)
            if packet.cn in KINDS and readings(packet) and key not in seen:
                seen.add(key)
                out.append(line.rstrip(b"\r\n") + b"\r\n")
            if len(out) >= limit:
                break
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    import os

    folder = tmp_path_factory.mktemp("ingest-tcp")
    url = os.environ.get("HUYING_DATABASE_URL", "")
    if url.startswith("postgres"):
        url = url.rsplit("/", 1)[0] + f"/huying_ingest_tcp_{os.getpid()}"
    env = bench.fresh_database(url or None, folder)
    corpus = corpus_packets()
    devices = {(p.mn, p.pw) for p in map(parse_line, corpus)}
    bench.register(env, DEVICES, extra=sorted(devices))
    port = bench.free_port()
    process = bench.start_ingest(env, port, "--idle-seconds", str(IDLE_SECONDS))
    yield {"env": env, "port": port, "corpus": corpus}
    process.terminate()
    process.wait(60)
    bench.drop_database(env)


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server["port"]), timeout=20)
    sock.settimeout(20)
    return sock


def read_replies(sock: socket.socket, count: int) -> list[bytes]:
    data = b""
    while data.count(b"\r\n") < count:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return [line + b"\r\n" for line in data.split(b"\r\n") if line]


def stored(server, mn: str) -> dict[tuple[int, datetime], dict]:
    rows = bench.query(
        server["env"],
        "SELECT s.kind, s.time, s.readings FROM sensing_sample s "
        f"JOIN sensing_device d ON d.id = s.device_id WHERE d.mn = '{mn}'",
    )
    return {(kind, bench._aware(at)): decode_values(text) for kind, at, text in rows}


def tally(server, what: str) -> int:
    rows = bench.query(
        server["env"],
        f"SELECT COALESCE(SUM(count), 0) FROM sensing_ingesttally WHERE what = '{what}'",
    )
    return rows[0][0]


def wait_for_tally(server, what: str, at_least: int) -> int:
    deadline = time.monotonic() + 30  # the tally is flushed every 5 s
    while time.monotonic() < deadline:
        found = tally(server, what)
        if found >= at_least:
            return found
        time.sleep(0.3)
    return tally(server, what)


AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
VALUES = {"w01018": (231.5, "N"), "w21003": (1.803, "D"), "w01001": (7.25, "N")}


def test_stored_readings_equal_what_was_sent(server):
    packets = [
        data_packet(bench.mn(0), cn, AT + timedelta(minutes=i), VALUES, qn=f"2026030108{i:09d}")
        for i, cn in enumerate(("2011", "2051", "2061", "2031"))
    ]
    with connect(server) as sock:
        sock.sendall(b"".join(packets))
        replies = read_replies(sock, 4)
    assert [parse_line(r).cn for r in replies] == ["9014"] * 4
    assert [parse_line(r).qn for r in replies] == [parse_line(p).qn for p in packets]
    rows = stored(server, bench.mn(0))
    for i, kind in enumerate((1, 2, 3, 4)):
        assert rows[kind, AT + timedelta(minutes=i)] == VALUES


def test_corpus_packets_are_stored_as_parsed(server):
    corpus = server["corpus"]
    sentinel = data_packet(bench.mn(1), "2011", AT, VALUES, qn="99990000000000001")
    with connect(server) as sock:
        sock.sendall(b"".join(corpus) + sentinel)
        # 2005 packets ask for no reply; the sentinel's comes after every earlier one is stored
        assert parse_line(read_replies(sock, 1)[-1]).qn == "99990000000000001"
    checked = 0
    by_mn: dict[str, dict] = {}
    for line in corpus:
        packet = parse_line(line)
        rows = by_mn.setdefault(packet.mn, stored(server, packet.mn))
        expected = {code: (value, flag) for _, code, _, _, value, flag in readings(packet)}
        assert rows[KIND_NUMBER[KINDS[packet.cn]], packet.data_time] == expected
        checked += 1
    assert checked == len(corpus) > 100


def test_reply_comes_only_after_the_row_is_stored(server):
    with connect(server) as sock:
        for i in range(20):
            when = AT + timedelta(hours=1, seconds=i)
            sock.sendall(data_packet(bench.mn(2), "2011", when, VALUES))
            [reply] = read_replies(sock, 1)
            assert parse_line(reply).cn == "9014"
            assert (1, when) in stored(server, bench.mn(2))


def test_a_resent_packet_is_acknowledged_and_stored_once(server):
    packet = data_packet(bench.mn(3), "2011", AT, VALUES, qn="20260301080000001")
    with connect(server) as sock:
        sock.sendall(packet)
        read_replies(sock, 1)
        sock.sendall(packet)
        assert len(read_replies(sock, 1)) == 1
    rows = bench.query(
        server["env"],
        "SELECT COUNT(*) FROM sensing_sample s JOIN sensing_device d ON d.id = s.device_id "
        f"WHERE d.mn = '{bench.mn(3)}'",
    )
    assert rows[0][0] == 1


def test_a_split_message_is_joined_before_it_is_stored(server):
    values = {f"w{n:05d}": (n + 0.5, "N") for n in range(60)}
    parts = split_packet(bench.mn(4), "2011", AT, values, qn="20260301080000002", max_cp=300)
    assert len(parts) > 2
    with connect(server) as sock:
        sock.sendall(b"".join(parts))
        replies = read_replies(sock, len(parts))
    assert len(replies) == len(parts)
    assert stored(server, bench.mn(4)) == {(1, AT): values}


def test_unknown_cn_is_answered_and_counted(server):
    before = tally(server, "unknown_cn:3020")
    segment = f"QN=20260301080000003;ST=32;CN=3020;PW=123456;MN={bench.mn(5)};Flag=5;CP=&&X=1&&"
    with connect(server) as sock:
        sock.sendall(encode(segment))
        [reply] = read_replies(sock, 1)
    assert parse_line(reply).cn == "9011"
    assert wait_for_tally(server, "unknown_cn:3020", before + 1) == before + 1


def test_bad_crc_is_counted_and_not_answered(server):
    before = tally(server, "crc")
    good = data_packet(bench.mn(6), "2011", AT, VALUES, qn="20260301080000004")
    bad = data_packet(bench.mn(6), "2011", AT + timedelta(seconds=1), VALUES)
    bad = bad[:-6] + (b"0000" if bad[-6:-2] != b"0000" else b"1111") + b"\r\n"
    with connect(server) as sock:
        sock.sendall(bad + good)
        replies = read_replies(sock, 1)
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(100)
    assert [parse_line(r).qn for r in replies] == ["20260301080000004"]
    assert list(stored(server, bench.mn(6))) == [(1, AT)]
    assert wait_for_tally(server, "crc", before + 1) == before + 1


def test_unknown_mn_and_wrong_password_are_refused(server):
    stranger = data_packet("NOSUCHDEVICE01", "2011", AT, VALUES, qn="20260301080000005")
    wrong = data_packet(bench.mn(7), "2011", AT, VALUES, qn="20260301080000006", pw="999999")
    good = data_packet(bench.mn(7), "2011", AT, VALUES, qn="20260301080000007")
    with connect(server) as sock:
        sock.sendall(stranger + wrong + good)
        replies = read_replies(sock, 1)
    assert [parse_line(r).qn for r in replies] == ["20260301080000007"]
    assert wait_for_tally(server, "unknown_mn", 1) >= 1
    assert wait_for_tally(server, "wrong_pw", 1) >= 1


def test_an_idle_connection_is_closed(server):
    with connect(server) as sock:
        sock.sendall(b"##00")  # half a header, then silence
        assert sock.recv(100) == b""  # closed by the server (20 s socket timeout otherwise)


def test_many_connections_at_once(server):
    count = 200
    socks = [connect(server) for _ in range(count)]
    try:
        for n, sock in enumerate(socks):
            sock.sendall(data_packet(bench.mn(50 + n), "2011", AT, VALUES, qn=f"{n:017d}"))
        replies = [read_replies(sock, 1) for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    assert [parse_line(r[0]).qn for r in replies] == [f"{n:017d}" for n in range(count)]
    in_db = bench.query(
        server["env"],
        "SELECT COUNT(*) FROM sensing_sample s JOIN sensing_device d ON d.id = s.device_id "
        f"WHERE d.mn >= '{bench.mn(50)}' AND d.mn < '{bench.mn(50 + count)}'",
    )
    assert in_db[0][0] == count
