"""How many readings a second `huying ingest` stores durably from HJ 212 over TCP (issue 6
target: at least 100,000 on PostgreSQL and on SQLite, on 2 cores).

    .venv/bin/python -m bench.ingest --seconds 20 --connections 200 --readings-per-packet 10
    .venv/bin/python -m bench.ingest --database postgresql://postgres@127.0.0.1:5432/huying_bench_ingest

It makes a fresh database (a SQLite file under /tmp, or the PostgreSQL database named in the
URL, dropped and created), registers one device per connection and a threshold rule that ~1%
of packets breach (alternately, so alarms raise and clear), starts `huying ingest`, and runs
sender processes that keep up to --window unacknowledged packets per connection: the rate is
"stored and acknowledged". The truth is the row count in the database, read while it runs.
A second phase offers more than the server takes (no window) to show memory stays flat.
"""

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from bench.calls import free_port

HUYING = [sys.executable, "-m", "huying.cli"]
CODES = ("w01001", "w01009", "w01010", "w01014", "w01018", "w01019", "w21001", "w21003")
CODES += ("w21011", "w00000", "w01017", "w01003")
RULE_CODE = "w01018"  # COD: the threshold rule watches it
RULE_THRESHOLD = 100.0
START = datetime(2026, 1, 1, tzinfo=UTC)
BREACH_EVERY = 50  # every 100th packet breaches, every 100th (50 later) clears: ~1% each


def machine() -> str:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load}"


# --- the database ----------------------------------------------------------------------------


def fresh_database(url: str | None, folder: Path) -> dict[str, str]:
    """An environment for `huying` pointing at a new, migrated database."""
    folder.mkdir(parents=True, exist_ok=True)
    if not url or url.startswith("sqlite"):
        path = folder / "ingest.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "HUYING_DATABASE_URL": url,
        "HUYING_DATA_DIR": str(folder),
        "HUYING_DEBUG": "0",
        "HUYING_SECRET_KEY": "bench-ingest-" + uuid.uuid4().hex * 2,
        "DJANGO_SETTINGS_MODULE": "huying.settings",
    }
    subprocess.run([*HUYING, "migrate", "-v", "0"], env=env, check=True)
    return env


def drop_database(env: dict[str, str]) -> None:
    url = env["HUYING_DATABASE_URL"]
    if url.startswith("postgres"):
        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(env: dict[str, str], sql: str) -> list[tuple]:
    url = env["HUYING_DATABASE_URL"]
    if url.startswith("postgres"):
        with psycopg.connect(url) as conn:
            return conn.execute(sql).fetchall()
    with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
        return conn.execute(sql).fetchall()


def register(env: dict[str, str], devices: int, rule: bool = False, extra=()) -> None:
    """`devices` water analysers with MN BENCH00000000…, password 123456, and `extra` ones
    as (mn, password) (in a subprocess: Django is set up there against that database)."""
    command = [sys.executable, "-m", "bench.ingest", "--register", str(devices)]
    command += [f"--mn={mn}:{pw}" for mn, pw in extra]
    subprocess.run([*command, "--rule"] if rule else command, env=env, check=True)


def _register(devices: int, rule: bool, extra: list[str]) -> None:
    import django

    django.setup()
    from huying.orgs.models import Org
    from huying.orgs.services import create_org
    from huying.sensing.models import Device, Rule

    def org(code, name, kind, parent=None):
        found = Org.objects.filter(code=code).first()
        return found or create_org(actor=None, code=code, name=name, kind=kind, parent=parent)

    district = org("B440000", "基准区", "district")
    department = org("B440000D", "基准区生态环境分局", "department", district)
    town = org("B440000T", "基准街道", "street", district)
    known = set(Device.objects.values_list("mn", flat=True))
    wanted = [(mn(n), "123456") for n in range(devices)]
    wanted += [tuple(item.split(":", 1)) for item in extra]
    Device.objects.bulk_create(
        Device(
            code=f"bench-{code}",
            name=f"基准水质监测仪 {code}",
            kind="water",
            mn=code,
            hj212_password=password,
            town=town,
            department=department,
        )
        for code, password in wanted
        if code not in known
    )
    if rule:
        Rule.objects.get_or_create(
            name="基准 COD 阈值",
            defaults={
                "kind": "threshold",
                "device_kind": "water",
                "parameter": RULE_CODE,
                "threshold": RULE_THRESHOLD,
                "clear_value": RULE_THRESHOLD * 0.8,
            },
        )


def mn(n: int) -> str:
    return f"BENCH{n:08d}"


# --- the server ------------------------------------------------------------------------------


def start_ingest(env, port: int, *extra: str, log: Path | None = None) -> subprocess.Popen:
    """`huying ingest` on 127.0.0.1:port, once it says it is ready; its log goes to `log`."""
    log = log or Path(env["HUYING_DATA_DIR"]) / "ingest.log"
    one_process = [] if "--processes" in extra else ["--processes", "1"]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [*HUYING, "ingest", "--doors", "hj212", "--port", str(port), *one_process, *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
        )
    line = process.stdout.readline()
    if not line.startswith("ingest ready"):
        process.kill()
        raise RuntimeError(f"huying ingest did not start: {log.read_text()[-3000:]}")
    return process


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


# --- the senders -----------------------------------------------------------------------------


def packets_for(device: int, first: int, count: int, readings: int) -> list[bytes]:
    """Real-time packets one second apart; one in BREACH_EVERY breaches the rule and the next
    such one does not, so the alarm raises and clears (~1% of packets matter to the rule)."""
    from huying.sensing.hj212.encode import data_packet

    out = []
    for i in range(first, first + count):
        values = {code: (10 + (i % 7) + n * 0.5, "N") for n, code in enumerate(CODES[:readings])}
        if RULE_CODE in values:
            breach = (i + device) % (2 * BREACH_EVERY) == 0
            values[RULE_CODE] = (RULE_THRESHOLD * 2 if breach else 20.0, "N")
        when = START + timedelta(seconds=i)
        out.append(data_packet(mn(device), "2011", when, values, qn=f"{device:08d}{i:09d}"))
    return out


class Sender(asyncio.Protocol):
    def __init__(self, packets, window, latencies):
        self.packets, self.window, self.latencies = packets, window, latencies
        self.next = self.acked = 0
        self.sent_at: list[float] = []
        self.done = asyncio.get_running_loop().create_future()
        self.stopping = False

    def connection_made(self, transport):
        self.transport = transport
        self.pump()

    def pump(self):
        limit = len(self.packets) if self.window is None else self.acked + self.window
        limit = min(limit, len(self.packets))
        if self.stopping or self.next >= limit:
            return
        now = time.perf_counter()
        self.sent_at.extend([now] * (limit - self.next))
        self.transport.write(b"".join(self.packets[self.next : limit]))
        self.next = limit

    def data_received(self, data):
        replies = data.count(b"\n")
        now = time.perf_counter()
        if self.acked % 50 == 0 and self.acked < len(self.sent_at):
            self.latencies.append(now - self.sent_at[self.acked])
        self.acked += replies
        if self.acked >= self.next and (self.stopping or self.next >= len(self.packets)):
            self.finish()
        else:
            self.pump()

    def finish(self):
        if not self.done.done():
            self.done.set_result(self.acked)

    def connection_lost(self, exc):
        self.finish()


async def _send(port, packets, window, seconds, queue) -> None:
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    senders = []
    for mine in packets:
        _, sender = await loop.create_connection(
            lambda mine=mine: Sender(mine, window, latencies), "127.0.0.1", port
        )
        senders.append(sender)
    await asyncio.sleep(seconds)
    for sender in senders:
        sender.stopping = True
        if sender.acked >= sender.next:
            sender.finish()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(s.done for s in senders)), 60)
    for sender in senders:
        sender.transport.close()
    queue.put(("done", sum(s.acked for s in senders), sum(s.next for s in senders), latencies))


def sender_process(go, queue, port, devices, first, count, readings, window, seconds) -> None:
    packets = [packets_for(d, first, count, readings) for d in devices]
    queue.put(("ready",))
    go.wait()
    asyncio.run(_send(port, packets, window, seconds, queue))


# --- the run ---------------------------------------------------------------------------------


def rows(env) -> int:
    return query(env, "SELECT COUNT(*) FROM sensing_sample")[0][0]


def phase(env, server, port, args, first, count, window, seconds, label) -> dict:
    """Senders in --senders processes; rows counted after a warm-up and at the end."""
    ctx = multiprocessing.get_context("fork")
    go, queue = ctx.Event(), ctx.Queue()
    shares = [list(range(args.connections))[i :: args.senders] for i in range(args.senders)]
    procs = [
        ctx.Process(
            target=sender_process,
            args=(go, queue, port, share, first, count, args.readings_per_packet, window, seconds),
        )
        for share in shares
    ]
    for p in procs:
        p.start()
    for _ in procs:
        queue.get(timeout=600)
    go.set()
    warm = min(2.0, seconds / 4)
    time.sleep(warm)
    before, t0 = rows(env), time.perf_counter()
    rss = []
    while time.perf_counter() - t0 < seconds - warm - 0.2:
        rss.append(server_rss(server))
        time.sleep(0.5)
    after, t1 = rows(env), time.perf_counter()
    results = [queue.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(30)
    latencies = sorted(x for r in results for x in r[3])
    out = {
        "label": label,
        "rate": (after - before) * args.readings_per_packet / (t1 - t0),
        "acked": sum(r[1] for r in results),
        "sent": sum(r[2] for r in results),
        "rss_min": min(rss) if rss else 0,
        "rss_max": max(rss) if rss else 0,
        "latencies": latencies,
    }
    print(
        f"{label}: {out['rate']:,.0f} readings/s stored (rows counted in the database), "
        f"{out['acked']:,} packets acknowledged of {out['sent']:,} sent; ingest RSS "
        f"{out['rss_min'] / 1024:.0f}–{out['rss_max'] / 1024:.0f} MiB during the phase"
    )
    if window is not None and out["sent"] >= count * args.connections:
        print("  (the senders ran out of packets: the rate above is a lower bound)")
    if latencies:
        print(
            f"  send → 9014 (stored, then acknowledged): p50 {_pct(latencies, 50) * 1000:.0f} ms, "
            f"p99 {_pct(latencies, 99) * 1000:.0f} ms"
        )
    return out


def server_rss(server) -> int:
    """RSS of the ingest process and its --processes helpers (KiB)."""
    total = rss_kib(server.pid)
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        for pid in children.read_text().split():
            with contextlib.suppress(OSError, ValueError):
                total += rss_kib(int(pid))
    return total


def _pct(sorted_values, p) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def alarm_latency(env) -> str:
    found = query(env, "SELECT raised_at, received_at FROM sensing_alarm")
    gaps = []
    for raised, received in found:
        if raised is None or received is None:
            continue
        raised, received = _aware(raised), _aware(received)
        gaps.append((raised - received).total_seconds())
    if not gaps:
        return "arrival → alarm: no alarm rows (the rules engine wrote none)"
    gaps.sort()
    return (
        f"arrival → alarm row ({len(gaps)} alarms): p50 {_pct(gaps, 50) * 1000:.0f} ms, "
        f"p99 {_pct(gaps, 99) * 1000:.0f} ms"
    )


def _aware(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_rate() -> str:
    try:
        from bench.hj212_parse import parse_rate as rate
    except ImportError:
        return "parse rate alone: bench/hj212_parse.py has no parse_rate() yet"
    found = rate()
    return (
        f"parse rate alone (corpus, one core): {found['packets_per_s']:,} packets/s, "
        f"{found['readings_per_s']:,} readings/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL URL (default: a SQLite file under /tmp)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--overload-seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--readings-per-packet", type=int, default=10)
    parser.add_argument("--window", type=int, default=64, help="unacknowledged packets each")
    parser.add_argument("--senders", type=int, default=2, help="sender processes")
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="huying ingest --processes (default: its own, 2 on PostgreSQL, 1 on SQLite)",
    )
    parser.add_argument("--register", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rule", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mn", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.register is not None:
        _register(args.register, args.rule, args.mn)
        return 0
    print(f"machine: {machine()}")
    print(parse_rate())
    folder = Path("/tmp/huying-bench-ingest")
    env = fresh_database(args.database, folder)
    register(env, args.connections, rule=True)
    port = free_port()
    (folder / "ingest.log").unlink(missing_ok=True)
    database = "PostgreSQL" if env["HUYING_DATABASE_URL"].startswith("postgres") else "SQLite"
    processes = args.processes or (2 if database == "PostgreSQL" else 1)
    server = start_ingest(env, port, "--processes", str(processes))
    print(
        f"{database}, {args.connections} connections, {args.readings_per_packet} readings a "
        f"packet, huying ingest --processes {processes}"
    )
    try:
        # Over three times the target's packets per connection: the senders never run dry.
        count = int(args.seconds * 350_000 / args.readings_per_packet / args.connections) + 64
        steady = phase(env, server, port, args, 0, count, args.window, args.seconds, "steady")
        print(f"  {alarm_latency(env)}")
        over = int(args.overload_seconds * 400_000 / args.readings_per_packet / args.connections)
        phase(env, server, port, args, count, over, None, args.overload_seconds, "overload")
        peak = rss_kib(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(120)
    total = rows(env)
    print(
        f"rows stored: {total:,} ({total * args.readings_per_packet:,} readings); "
        f"acknowledged in the steady phase: {steady['acked']:,}"
    )
    print(f"ingest peak RSS (VmHWM of the main process): {peak / 1024:.0f} MiB")
    print(f"both phases: {alarm_latency(env)}")
    print(f"machine after: {machine()}")
    drop_database(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
