"""Calls at scale (issue 3's targets): workbench list, call detail, the sweep, the create rate.

    .venv/bin/python -m bench.calls \\
        --database postgresql://postgres@127.0.0.1:5432/huying_bench --calls 1000000
    .venv/bin/python -m bench.calls --database /tmp/huying-bench/huying.sqlite3 --calls 200000

1. Prepares a dedicated database (PostgreSQL: a database whose name contains "bench", created if
   missing; SQLite: a file under /tmp), runs `huying migrate` and `huying demo --no-serve`, then
   bulk-loads N calls of history (COPY on PostgreSQL, executemany on SQLite): a year of calls
   across the towns, key villages and departments by the demo special list, with assignments,
   the event log (seq, event_count), ratings, and `--open` calls still open whose alert ladder
   stands where a sweeper that last ran at T0 left it; T0 is chosen so that `--due` of the open
   calls have a rung due at the sweep moment. Skipped when the database already holds that
   history (`--regenerate` rebuilds it). The sweep's changes are undone from a snapshot
   before each run, so every run sweeps the same due set.
2. Times the calls sweeper in-process at the sweep moment (`calls.sweeps.sweep`), pass by pass
   until a pass finds nothing, and counts the events it added.
3. Times `calls.services.create_call` in-process, then `create_calls` in batches (bounded count).
4. Starts `huying serve` (gunicorn) on a free loopback port against that database and drives
   the department workbench lists and the call detail: one client (the floor), then
   `--concurrency` keep-alive clients with no think time for `--seconds` (closed loop: the
   issue's figure), both from wrk when it is installed (`apt-get install -y wrk`; a C load
   generator, so the clients do not take the server's CPU; `--python-driver` forces the Python
   one), then `--concurrency` users each polling at the pages' htmx period for
   `--paced-seconds` (open loop, Python driver, latency counted from each request's scheduled
   time); then `POST /api/v1/calls` from
   `--create-concurrency` clients and `/api/v1/calls/batch` (`--create-batch` calls each) from
   `--create-batch-concurrency` clients (bounded count; `--only create-http` runs just these).
   The list and detail are served from each process's read cache (calls.read_cache) after the
   first request, as a polling workbench is; `HUYING_CALLS_READ_CACHE=false` in the environment
   measures every request cold.
5. Prints machine, database, load averages around each measurement, and a summary against the
   targets. Loopback only; every loop is bounded by a count and a time.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HUYING = [sys.executable, "-m", "huying.cli"]
SEED = 20261124
DAY = 86400
DEPARTMENT_USER = "chengguan"  # 城管局 responder (demo account)
DEPARTMENT_CODE = "440111-cgj"
API_CALLERS = ("yuncheng", "helong", "renhe", "renhe-village")
DEMO_PASSWORD = "huying-demo"
META_TABLE = "bench_calls_meta"
SNAPSHOT_TABLE = "bench_calls_snapshot"
TARGETS = {"p95_ms": 100.0, "sweep_s": 2.0, "create_per_s": 500.0}
KEPT_OPEN = 200  # calls whose pages stay open in the "kept open" detail scenario
RESERVED_DATABASES = {"postgres", "test", "template0", "template1"}

# Open calls by state, and how long calls in each state have been open (mean, days).
OPEN_MIX = (
    ("called", 0.12, 1.0),
    ("returned", 0.02, 1.5),
    ("responded", 0.16, 3.0),
    ("in_progress", 0.55, 15.0),
    ("resolved", 0.15, 3.0),
)
DOMAIN_WEIGHTS = {"law_enforcement": 0.55, "key_work": 0.27, "emergency": 0.10, None: 0.08}
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 10, 6, 8, 11, 12, 11, 9, 6, 4, 3, 2, 2, 1)
ROADS = (
    *("广园中路", "机场路", "白云大道北", "同泰路", "石井大道", "嘉禾望岗路", "钟太路"),
    *("太和中路", "人和大道", "江高大道", "鹤龙一路", "云城西路", "黄石东路", "三元里大道"),
)
OPENINGS = ("群众反映", "网格员巡查发现", "村（居）委会报告", "12345转来线索", "镇街巡查发现")
ASKS = ("请尽快到场处置", "请派员核查并依法处理", "请协助开展联合执法", "请给予技术指导")
PROGRESS_NOTES = ("已派员到场核查，正在处置", "已约谈当事人，限期整改", "已联合镇街开展整治")
RESULT_NOTES = ("已现场处置完毕，恢复正常", "已立案查处并督促整改到位", "已完成整改，复查合格")


# --- machine, load, figures --------------------------------------------------------------------


def loadavg() -> str:
    try:
        return "/".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        kib = 0
    return f"{model}, {os.cpu_count()} cores, {kib / 1024 / 1024:.1f} GiB RAM"


def pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


@dataclass
class Figures:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, what: str, value: str, target: str = "", verdict: str = "") -> None:
        self.rows.append((what, value, target, verdict))

    def print(self) -> None:
        print("\n== summary ==")
        width = max(len(r[0]) for r in self.rows) if self.rows else 10
        for what, value, target, verdict in self.rows:
            print(f"{what:<{width}}  {value:<44} {target:<12} {verdict}")


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


# --- the database --------------------------------------------------------------------------------


@dataclass
class Target:
    url: str  # HUYING_DATABASE_URL
    vendor: str  # "postgresql" | "sqlite"
    data_dir: Path
    name: str  # database name or file path
    sqlite_path: Path | None = None


def parse_target(value: str) -> Target:
    if value.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(value)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("the bench runs against a loopback PostgreSQL only")
        name = parts.path.lstrip("/")
        if not name or name in RESERVED_DATABASES or "bench" not in name:
            sys.exit(f"refusing database {name!r}: use a dedicated name containing 'bench'")
        return Target(value, "postgresql", Path(f"/tmp/huying-bench-{name}"), name)
    path = Path(value.removeprefix("sqlite:///")).resolve()
    if not str(path).startswith("/tmp/"):
        sys.exit("a SQLite bench database lives under /tmp")
    return Target(f"sqlite:///{path}", "sqlite", path.parent, str(path), path)


def maintenance_url(target: Target) -> str:
    parts = urlsplit(target.url)
    return urlunsplit(parts._replace(path="/postgres"))


def prepare_database(target: Target, regenerate: bool) -> None:
    target.data_dir.mkdir(parents=True, exist_ok=True)
    if target.vendor == "sqlite":
        if regenerate:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target.sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(maintenance_url(target), autocommit=True) as conn:
        if regenerate:
            conn.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.name,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{target.name}"')
            print(f"created database {target.name}")


def huying_env(target: Target) -> dict:
    secret_file = target.data_dir / "bench_secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
    return {
        **os.environ,
        "HUYING_DATABASE_URL": target.url,
        "HUYING_DATA_DIR": str(target.data_dir),
        "HUYING_DEBUG": "0",
        "HUYING_SECRET_KEY": secret_file.read_text().strip(),
        "DJANGO_SETTINGS_MODULE": "huying.settings",
    }


def migrate(env: dict) -> None:
    """Bring a re-used bench database up to the code's migrations (a newer checkout adds some)."""
    subprocess.run([*HUYING, "migrate", "-v", "0"], env=env, check=True, timeout=600)


def migrate_and_load_demo(env: dict) -> None:
    started = time.perf_counter()
    migrate(env)
    demo = [*HUYING, "demo", "--no-serve"]
    help_text = subprocess.run(
        [*HUYING, "demo", "--help"], env=env, capture_output=True, text=True, timeout=60
    ).stdout
    if "--no-history" in help_text:
        demo.append("--no-history")
    subprocess.run(demo, env=env, check=True, capture_output=True, timeout=600)
    print(f"migrate + demo district: {time.perf_counter() - started:.1f} s ({' '.join(demo[2:])})")


# --- the history generator -----------------------------------------------------------------------


class Writer:
    """Bulk rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, vendor: str, conn):
        self.vendor, self.conn = vendor, conn

    def ts(self, epoch: float | None) -> str | None:
        if epoch is None:
            return None
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(epoch)))
        return text + "+00" if self.vendor == "postgresql" else text

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.vendor == "postgresql":
            lines = []
            for row in rows:
                lines.append(
                    "\t".join(
                        "\\N" if v is None else "t" if v is True else "f" if v is False else str(v)
                        for v in row
                    )
                )
            with self.conn.cursor() as cur:
                cols = ", ".join(f'"{c}"' for c in columns)
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    copy.write("\n".join(lines) + "\n")
        else:
            marks = ", ".join("?" * len(columns))
            cols = ", ".join(f'"{c}"' for c in columns)
            self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)


class Table:
    """A model's table: the columns the generator fills, plus constants for any other column
    (a field added later keeps the bench working as long as it has a default or is nullable)."""

    def __init__(self, model, columns: list[str], connection):
        self.name = model._meta.db_table
        fields = {f.column: f for f in model._meta.concrete_fields}
        missing = [c for c in columns if c not in fields]
        if missing:
            raise SystemExit(f"{self.name}: the model has no column(s) {missing}; update the bench")
        self.columns = list(columns)
        self.extra = []
        for column, f in fields.items():
            if column in columns or f.primary_key:
                continue
            if f.has_default() or f.null or getattr(f, "blank", False):
                value = f.get_default() if f.has_default() else (None if f.null else "")
                value = f.get_db_prep_save(value, connection)
                if hasattr(value, "dumps"):  # JSONField's adapter
                    value = json.dumps(value.obj, ensure_ascii=False)
                self.columns.append(column)
                self.extra.append(value)
            else:
                raise SystemExit(f"{self.name}.{column} is NOT NULL without a default")
        self.extra = tuple(self.extra)


def jdump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(int(epoch), UTC).isoformat()


class World:
    """The demo district as the generator needs it: callers, departments, matters, people."""

    def __init__(self, rng: random.Random):
        from django.conf import settings
        from django.contrib.auth.hashers import make_password

        from huying.calls.models import Matter
        from huying.orgs.choices import OrgKind, Role
        from huying.orgs.models import Org, User

        self.rng = rng
        self.zone = __import__("zoneinfo").ZoneInfo(settings.TIME_ZONE)
        self.departments = list(Org.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True))
        towns = list(Org.objects.filter(kind__in=(OrgKind.TOWN, OrgKind.STREET)))
        villages = list(Org.objects.filter(kind__in=(OrgKind.VILLAGE, OrgKind.COMMUNITY)))
        children = {t.pk: [v for v in villages if v.parent_id == t.pk] for t in towns}
        self.callers = []  # (org, town, weight)
        for town in towns:
            self.callers.append((town, town, 4 + len(children[town.pk]) / 4))
            for v in children[town.pk]:
                if v.has_calling_right:
                    self.callers.append((v, town, 0.6))
        self.caller_weights = [w for _, _, w in self.callers]
        self.command = User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
        # Every calling unit has a caller and every department a responder (bench accounts
        # with unusable passwords where the demo has none), so events and ratings have people.
        unusable = make_password(None)
        staff = {}
        for u in User.objects.filter(role__in=(Role.CALLER, Role.RESPONDER)).order_by("pk"):
            staff.setdefault((u.role, u.org_id), u)
        new = []
        for org, _, _ in self.callers:
            if (Role.CALLER, org.pk) not in staff:
                new.append(User(username=f"bench-{org.code}", role=Role.CALLER, org=org))
        for d in self.departments:
            if (Role.RESPONDER, d.pk) not in staff:
                new.append(User(username=f"bench-{d.code}", role=Role.RESPONDER, org=d))
        for u in new:
            u.password, u.full_name = unusable, f"{u.org.short_name or u.org.name}值班员"
        User.objects.bulk_create(new, ignore_conflicts=True)
        for u in User.objects.filter(role__in=(Role.CALLER, Role.RESPONDER)).order_by("pk"):
            staff.setdefault((u.role, u.org_id), u)
        self.caller_of = {org.pk: staff[(Role.CALLER, org.pk)] for org, _, _ in self.callers}
        self.responder_of = {d.pk: staff[(Role.RESPONDER, d.pk)] for d in self.departments}
        matters = list(
            Matter.objects.filter(is_active=True).prefetch_related("co_departments").order_by("pk")
        )
        self.matters_by_domain = {}
        for m in matters:
            co = [d.pk for d in m.co_departments.all() if d.pk != m.lead_department_id]
            self.matters_by_domain.setdefault(m.domain, []).append((m, co))
        dept_weights = {d.pk: 1.0 for d in self.departments}
        for m in matters:
            dept_weights[m.lead_department_id] += 3
        self.free_leads = list(dept_weights)
        self.free_lead_weights = list(dept_weights.values())
        self.domains = [d for d in DOMAIN_WEIGHTS if d is None or d in self.matters_by_domain]
        self.domain_weights = [DOMAIN_WEIGHTS[d] for d in self.domains]

    def local_date(self, epoch: float) -> date:
        return datetime.fromtimestamp(epoch, self.zone).date()

    def due_from(self, start: float, limit) -> float:
        if limit.seconds is not None:
            return start + limit.seconds
        return self._working_due(self.local_date(start), limit.working_days)

    @cache  # noqa: B019  (one World per run)
    def _working_due(self, day: date, days: int) -> float:
        from huying.core import workdays

        noon = datetime(day.year, day.month, day.day, 12, tzinfo=self.zone)
        return workdays.add_working_days(noon, days).timestamp()


@dataclass
class Ev:
    at: float
    kind: str
    actor: object  # a User or None
    from_status: str = ""
    to_status: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)
    rung: bool = False  # written by the sweeper: kept only if at <= T0


@dataclass
class Life:
    """One call's whole life, before it is written."""

    pk: int = 0
    called_at: float = 0
    status: str = "called"
    matter: object = None
    co: list = field(default_factory=list)
    domain: str = ""
    urgency: str = "normal"
    source: str = "manual"
    org: object = None
    town: object = None
    caller: object = None
    lead: int | None = None
    response_limit: object = None
    resolution_limit: object = None
    response_clock_from: float = 0
    response_due_at: float | None = None
    responded_at: float | None = None
    resolution_due_at: float | None = None
    resolved_at: float | None = None
    closed_at: float | None = None
    withdrawn_at: float | None = None
    redo_count: int = 0
    return_count: int = 0
    events: list = field(default_factory=list)
    assignments: list = field(default_factory=list)  # [department_id, role, signed_at, active]
    rating: tuple | None = None
    running_rungs: list = field(default_factory=list)  # the running clock's rung times
    running_clock: str | None = None
    title: str = ""
    description: str = ""
    address: str = ""
    lat: str | None = None
    lon: str | None = None

    @property
    def end(self) -> float:
        return max(e.at for e in self.events)


class Generator:
    def __init__(self, world: World, now: float):
        from huying.calls.services import DEFAULT_RESOLUTION, URGENCY_RESPONSE

        self.w, self.rng, self.now = world, world.rng, now
        self.urgency_response = {str(k): v for k, v in URGENCY_RESPONSE.items()}
        self.default_resolution = DEFAULT_RESOLUTION

    # -- the shape of a call ---------------------------------------------------------------------

    def base(self, called_at: float) -> Life:
        rng, w = self.rng, self.w
        life = Life(called_at=called_at)
        org, town, _ = rng.choices(w.callers, w.caller_weights)[0]
        life.org, life.town, life.caller = org, town, w.caller_of[org.pk]
        domain = rng.choices(w.domains, w.domain_weights)[0]
        if domain is None:  # a free-form call: the command centre routes it
            life.domain = rng.choice(sorted(w.matters_by_domain))
            life.urgency = rng.choices(("emergency", "urgent", "normal"), (1, 3, 6))[0]
            life.response_limit = self.urgency_response[life.urgency]
            life.resolution_limit = self.default_resolution
            name = "其他需部门协助事项"
        else:
            life.matter, life.co = rng.choice(w.matters_by_domain[domain])
            life.domain = domain
            life.urgency = (
                "emergency" if domain == "emergency" else rng.choice(("normal",) * 5 + ("urgent",))
            )
            life.response_limit = life.matter.response_limit
            life.resolution_limit = life.matter.resolution_limit
            life.lead = life.matter.lead_department_id
            name = life.matter.name
        life.source = rng.choices(("manual", "forwarded", "alarm"), (85, 10, 5))[0]
        road = rng.choice(ROADS)
        life.address = f"{town.name}{road}{rng.randint(1, 999)}号"
        life.title = f"{(org.short_name or org.name)[:20]}{name}"[:120]
        life.description = (
            f"{rng.choice(OPENINGS)}：{life.address}附近{name}问题，"
            f"{(life.matter.description if life.matter else '需区直部门协助处置')[:60]}"
            f"{rng.choice(ASKS)}。"
        )
        if town.lat is not None:
            life.lat = f"{float(town.lat) + rng.uniform(-0.02, 0.02):.6f}"
            life.lon = f"{float(town.lon) + rng.uniform(-0.02, 0.02):.6f}"
        return life

    def responder(self, department_id: int):
        return self.w.responder_of[department_id]

    def wall_rungs(self, clock: str, start: float, due: float, until: float, life: Life) -> None:
        """The sweeper's events on a clock that stopped at `until` (approximated on wall time)."""
        label = "响应时限" if clock == "response" else "办结时限"
        span = max(due - start, 1)
        for fraction, pct_ in ((0.5, 50), (0.8, 80)):
            at = start + span * fraction
            if at < until:
                data = {"clock": clock, "automatic": True, "pct": pct_}
                life.events.append(
                    Ev(at, "warned", None, note=f"{label}已过 {pct_}%", data=data, rung=True)
                )
        if due < until:
            data = {"clock": clock, "automatic": True, "level": 1}
            life.events.append(
                Ev(due, "urged", None, note=f"{label}已超期，一级督办", data=data, rung=True)
            )

    def created(self, life: Life) -> None:
        c = life.called_at
        life.response_clock_from = c
        life.response_due_at = self.w.due_from(c, life.response_limit)
        departments = []
        if life.lead is not None:
            life.assignments.append([life.lead, "lead", None, True])
            life.assignments += [[d, "co", None, True] for d in life.co]
            departments = [life.lead, *life.co]
        data = {
            "lead_department_id": life.lead,
            "departments": departments,
            "response_clock_from": iso(c),
            "response_due_at": iso(life.response_due_at),
        }
        life.events.append(Ev(c, "created", life.caller, "", "called", "", data))

    def route(self, life: Life, at: float, kind: str, to_department: int) -> None:
        for a in life.assignments:
            if a[3] and (a[1] == "lead" or a[0] == to_department):
                a[3] = False
        life.assignments.append([to_department, "lead", None, True])
        life.lead = to_department
        life.response_clock_from = at
        life.response_due_at = self.w.due_from(at, life.response_limit)
        data = {
            "lead_department_id": to_department,
            "response_clock_from": iso(at),
            "response_due_at": iso(life.response_due_at),
            "responded_at": None,
            "resolution_due_at": None,
        }
        life.events.append(
            Ev(
                at,
                kind,
                self.w.command,
                "returned" if kind != "transferred" else "called",
                "called",
                "",
                data,
            )
        )

    def lifecycle(self, life: Life, state: str, horizon: float) -> bool:
        """Play the call forward to `state`; False when it would not fit before `horizon`."""
        rng, u = self.rng, self.rng.random
        self.created(life)
        c = life.called_at
        if life.lead is None:
            if state == "called" and u() < 0.15:
                return True  # still waiting for the command centre
            self.route(
                life,
                c + rng.uniform(300, 7200),
                "transferred",
                rng.choices(self.w.free_leads, self.w.free_lead_weights)[0],
            )
        if state == "withdrawn":
            at = c + rng.uniform(600, 4 * 3600)
            life.withdrawn_at = at
            life.events.append(
                Ev(
                    at,
                    "withdrawn",
                    life.caller,
                    "called",
                    "withdrawn",
                    "",
                    {"withdrawn_at": iso(at)},
                )
            )
            life.status = "withdrawn"
            return at < horizon
        if state == "returned" or u() < 0.02:
            start = life.response_clock_from
            at = start + (life.response_due_at - start) * rng.uniform(0.05, 0.4)
            life.return_count = 1
            life.events.append(
                Ev(
                    at,
                    "returned",
                    self.responder(life.lead),
                    "called",
                    "returned",
                    "不属于本部门职责，申请退回",
                    {"department_id": life.lead},
                )
            )
            if state == "returned":
                life.status = "returned"
                self.wall_rungs("response", start, life.response_due_at, at, life)
                return at < horizon
            arbitrated = at + rng.uniform(1800, 2 * DAY)
            if u() < 0.5:
                self.route(life, arbitrated, "upheld", life.lead)
            else:
                other = rng.choices(self.w.free_leads, self.w.free_lead_weights)[0]
                if other == life.lead:
                    self.route(life, arbitrated, "upheld", life.lead)
                else:
                    self.route(life, arbitrated, "rerouted", other)
            life.events[-1].from_status = "returned"
        start, due = life.response_clock_from, life.response_due_at
        if state == "called":
            life.running_clock = "response"
            return life.end < horizon
        # the lead signs: late sometimes
        f = rng.choices(
            (
                rng.uniform(0.02, 0.3),
                rng.uniform(0.3, 0.6),
                rng.uniform(0.6, 1.0),
                rng.uniform(1.0, 1.6),
            ),
            (70, 15, 11, 4),
        )[0]
        r = start + (due - start) * f
        if r >= horizon and state != "closed":
            r = start + (horizon - start) * rng.uniform(0.05, 0.9)
        self.wall_rungs("response", start, due, r, life)
        life.responded_at = r
        life.resolution_due_at = self.w.due_from(r, life.resolution_limit)
        for a in life.assignments:
            if a[3] and a[1] == "lead":
                a[2] = r
        lead_user = self.responder(life.lead)
        life.events.append(
            Ev(
                r,
                "signed",
                lead_user,
                "called",
                "responded",
                rng.choice(("", "已签收，马上安排", "收到，立即处理")),
                {
                    "department_id": life.lead,
                    "responded_at": iso(r),
                    "resolution_due_at": iso(life.resolution_due_at),
                },
            )
        )
        for a in life.assignments:
            if a[3] and a[1] == "co" and u() < 0.15:
                a[2] = r + rng.uniform(60, 4 * 3600)
                life.events.append(
                    Ev(
                        a[2],
                        "signed",
                        self.responder(a[0]),
                        "responded",
                        "",
                        "",
                        {"department_id": a[0]},
                    )
                )
        status = "responded"
        res_due = life.resolution_due_at
        if state == "responded":
            life.status, life.running_clock = status, "resolution"
            return life.end < horizon
        g = rng.choices(
            (
                rng.uniform(0.05, 0.45),
                rng.uniform(0.45, 0.8),
                rng.uniform(0.8, 1.0),
                rng.uniform(1.0, 1.5),
            ),
            (62, 24, 9, 5),
        )[0]
        resolved = r + (res_due - r) * g
        if state != "closed" and resolved >= horizon:
            resolved = r + (horizon - r) * rng.uniform(0.5, 0.95)
        if state == "in_progress" or u() < 0.7:
            p = r + (resolved - r) * rng.uniform(0.2, 0.8)
            life.events.append(
                Ev(p, "progress", lead_user, status, "in_progress", rng.choice(PROGRESS_NOTES))
            )
            status = "in_progress"
        if state == "in_progress":
            life.status, life.running_clock = status, "resolution"
            return life.end < horizon
        self.wall_rungs("resolution", r, res_due, resolved, life)
        life.resolved_at = resolved
        life.events.append(
            Ev(
                resolved,
                "resolved",
                lead_user,
                status,
                "resolved",
                rng.choice(RESULT_NOTES),
                {"resolved_at": iso(resolved)},
            )
        )
        if state == "closed" and u() < 0.03:  # not satisfied: redone once
            rej = resolved + rng.uniform(3600, 2 * DAY)
            life.redo_count = 1
            life.events.append(
                Ev(
                    rej,
                    "rejected",
                    life.caller,
                    "resolved",
                    "in_progress",
                    "问题仍未解决，请重新处理",
                    {"resolved_at": None},
                )
            )
            resolved = rej + rng.uniform(3600, 3 * DAY)
            life.resolved_at = resolved
            life.events.append(
                Ev(
                    resolved,
                    "resolved",
                    lead_user,
                    "in_progress",
                    "resolved",
                    rng.choice(RESULT_NOTES),
                    {"resolved_at": iso(resolved)},
                )
            )
        if state == "resolved":
            life.status = "resolved"
            return life.end < horizon
        closed = resolved + rng.uniform(600, 3 * DAY)
        life.closed_at = closed
        rating = None
        if u() < 0.9:
            perfunctory = u() < 0.02
            scores = [rng.choices((5, 4, 3, 2, 1), (60, 28, 8, 3, 1))[0] for _ in range(3)]
            rating = {
                "satisfaction": scores[0],
                "timeliness": scores[1],
                "attitude": scores[2],
                "perfunctory": perfunctory,
                "perfunctory_reason": "只回复不处理，问题依旧" if perfunctory else "",
            }
            life.rating = (life.lead, life.caller.pk, closed, rating)
        life.events.append(
            Ev(
                closed,
                "confirmed",
                life.caller,
                "resolved",
                "closed",
                rng.choice(("", "", "满意")),
                {"closed_at": iso(closed), "rating": rating},
            )
        )
        life.status = "closed"
        return life.end < horizon

    def make(self, called_at: float, state: str, horizon: float) -> Life:
        for _ in range(6):
            life = self.base(called_at)
            if self.lifecycle(life, state, horizon):
                return life
            called_at -= self.rng.uniform(2, 20) * DAY  # too recent to have got there: earlier
        return life

    def running_rungs(self, life: Life) -> list[float]:
        """The running clock's four rung times, by calls/ladder.py itself."""
        from huying.calls import ladder

        def dt(x):
            return None if x is None else datetime.fromtimestamp(x, UTC)

        call = types.SimpleNamespace(
            status=life.status,
            response_clock_from=dt(life.response_clock_from),
            response_due_at=dt(life.response_due_at),
            responded_at=dt(life.responded_at),
            resolution_due_at=dt(life.resolution_due_at),
            response_limit=life.response_limit,
            resolution_limit=life.resolution_limit,
        )
        if ladder.running_clock(call) is None:
            return []
        return [ladder.stage_time(call, s).timestamp() for s in range(ladder.DONE)]


def pick_called_at(rng: random.Random, start: float, end: float, zone) -> float:
    """A moment in [start, end): weekdays busier than weekends, office hours busier than night."""
    for _ in range(20):
        day = start + rng.random() * (end - start)
        local = datetime.fromtimestamp(day, zone)
        if local.weekday() >= 5 and rng.random() > 0.4:
            continue
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        moment = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        if start <= moment.timestamp() < end:
            return moment.timestamp()
    return start + rng.random() * (end - start)


def generate(target: Target, n_calls: int, n_open: int, due_fraction: float, seed: int) -> dict:
    """Write the history; returns the meta (sweep moment, T0, counts)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from huying.calls import ladder
    from huying.calls.models import AccountabilityCase, Call, CallAssignment, CallEvent, Rating

    started = time.perf_counter()
    rng = random.Random(seed)
    world = World(rng)
    now = float(int(time.time()))  # the sweep moment
    gen = Generator(world, now)
    first_id = (Call.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    # Open calls first (the sweep needs T0 before anything is written).
    states, weights, means = zip(*OPEN_MIX, strict=True)
    open_lives = []
    for _ in range(n_open):
        i = rng.choices(range(len(states)), weights)[0]
        age = min(rng.expovariate(1 / means[i]), 200) * DAY
        life = gen.make(now - age, states[i], now)
        if life.status in ("called", "responded", "in_progress"):
            life.running_rungs = gen.running_rungs(life)
        open_lives.append(life)
    latest = sorted(
        (max((r for r in life.running_rungs if r <= now), default=0) for life in open_lives),
        reverse=True,
    )
    want = round(n_open * due_fraction)
    t0 = latest[want] if want < len(latest) else now - DAY
    t0 = max(t0, now - 7 * DAY)
    # History: closed (and a few withdrawn) calls over the year before the sweep moment.
    year_start = now - 365 * DAY
    plan = [(life.called_at, life) for life in open_lives]
    plan += [
        (pick_called_at(rng, year_start, now - DAY, world.zone), None)
        for _ in range(n_calls - n_open)
    ]
    plan.sort(key=lambda x: x[0])
    print(f"planned {n_calls} calls ({n_open} open) in {time.perf_counter() - started:.1f} s")

    tables = {
        "call": Table(Call, CALL_COLUMNS, connection),
        "assignment": Table(
            CallAssignment,
            ["call_id", "department_id", "role", "signed_at", "is_active"],
            connection,
        ),
        "event": Table(
            CallEvent,
            [
                "call_id",
                "seq",
                "kind",
                "at",
                "actor_id",
                "actor_name",
                "actor_org_id",
                "from_status",
                "to_status",
                "note",
                "data",
            ],
            connection,
        ),
        "rating": Table(
            Rating,
            [
                "call_id",
                "department_id",
                "rated_by_id",
                "rated_at",
                "satisfaction",
                "timeliness",
                "attitude",
                "perfunctory",
                "perfunctory_reason",
                "perfunctory_confirmed_at",
            ],
            connection,
        ),
        "case": Table(
            AccountabilityCase,
            [
                "call_id",
                "department_id",
                "reason",
                "status",
                "opened_at",
                "opened_by_id",
                "evidence",
                "outcome",
                "people",
                "closed_at",
            ],
            connection,
        ),
    }
    if target.vendor == "postgresql":
        import psycopg

        raw = psycopg.connect(target.url)
    else:
        raw = sqlite3.connect(target.sqlite_path, isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("PRAGMA cache_size=-200000")
        raw.execute("BEGIN")
    writer = Writer(target.vendor, raw)
    ts = writer.ts
    counts = {"calls": 0, "events": 0, "assignments": 0, "ratings": 0, "cases": 0, "due": 0}
    snapshot = []
    chunk: dict[str, list] = {k: [] for k in tables}

    def flush() -> None:
        for key, table in tables.items():
            writer.write(table.name, table.columns, chunk[key])
            chunk[key].clear()
        if target.vendor == "postgresql":
            raw.commit()

    for offset, (called_at, life) in enumerate(plan):
        pk = first_id + offset
        if life is None:
            state = "withdrawn" if rng.random() < 0.025 else "closed"
            life = gen.make(called_at, state, now - 3600)
        life.pk = pk
        events = sorted((e for e in life.events if not e.rung or e.at <= t0), key=lambda e: e.at)
        stage, next_alert, urge_level, case = 0, None, 0, None
        for e in events:
            if e.kind == "urged":
                urge_level = max(urge_level, e.data["level"])
        if life.running_rungs:
            clock = ladder.running_clock(
                types.SimpleNamespace(status=life.status, response_due_at=1, resolution_due_at=1)
            )
            label = "响应时限" if clock == "response" else "办结时限"
            for s, at in enumerate(life.running_rungs):
                if at > t0:
                    stage, next_alert = s, at
                    break
                data = {"clock": clock, "automatic": True}
                if s < ladder.URGE_1:
                    p = 50 if s == ladder.WARN_50 else 80
                    events.append(
                        Ev(at, "warned", None, note=f"{label}已过 {p}%", data=data | {"pct": p})
                    )
                else:
                    level = 1 if s == ladder.URGE_1 else 2
                    urge_level = max(urge_level, level)
                    events.append(
                        Ev(
                            at,
                            "urged",
                            None,
                            note=f"{label}已超期，{'一' if level == 1 else '二'}级督办",
                            data=data | {"level": level},
                        )
                    )
                    if level == 2 and clock == "response" and life.lead is not None:
                        events.append(
                            Ev(
                                at,
                                "case_opened",
                                None,
                                note="超期未响应，移送区纪委监委",
                                data={"reason": "no_response"},
                            )
                        )
                        case = at
            else:
                stage, next_alert = ladder.DONE, None
        events.sort(key=lambda e: e.at)
        if next_alert is not None and next_alert <= now:
            counts["due"] += 1
            snapshot.append((pk, stage, next_alert, urge_level, len(events)))
        number = f"HY{world.local_date(life.called_at).year}{pk:07d}"
        rl, sl = life.response_limit, life.resolution_limit
        chunk["call"].append((
            pk, number, life.title, life.description,
            life.matter.pk if life.matter else None, life.domain, life.urgency, life.source,
            life.org.pk, life.caller.pk, life.lead, life.address, life.lat, life.lon,
            life.status, ts(life.called_at), ts(life.response_clock_from),
            ts(life.response_due_at), ts(life.responded_at), ts(life.resolution_due_at),
            ts(life.resolved_at), ts(life.closed_at), ts(life.withdrawn_at),
            life.redo_count, life.return_count, urge_level, len(events),
            stage if life.running_rungs else 0, ts(next_alert), ts(events[-1].at),
            rl.seconds, rl.working_days, sl.seconds, sl.working_days, *tables["call"].extra,
        ))  # fmt: skip
        for department, role, signed, active in life.assignments:
            chunk["assignment"].append(
                (pk, department, role, ts(signed), active, *tables["assignment"].extra)
            )
        trail = []
        for seq, e in enumerate(events, start=1):
            actor = e.actor
            chunk["event"].append((
                pk, seq, e.kind, ts(e.at), actor.pk if actor else None,
                (actor.full_name or actor.username) if actor else "",
                actor.org_id if actor else None, e.from_status, e.to_status, e.note, jdump(e.data),
                *tables["event"].extra,
            ))  # fmt: skip
            if case is not None:
                trail.append(
                    {
                        "seq": seq,
                        "kind": e.kind,
                        "at": iso(e.at),
                        "actor": (actor.full_name or actor.username) if actor else "",
                        "from": e.from_status,
                        "to": e.to_status,
                        "note": e.note,
                    }
                )
        if case is not None:
            chunk["case"].append(
                (
                    pk,
                    life.lead,
                    "no_response",
                    "open",
                    ts(case),
                    None,
                    jdump(trail),
                    "",
                    "[]",
                    None,
                    *tables["case"].extra,
                )
            )
            counts["cases"] += 1
        if life.rating:
            dept, rater, at, r = life.rating
            chunk["rating"].append(
                (
                    pk,
                    dept,
                    rater,
                    ts(at),
                    r["satisfaction"],
                    r["timeliness"],
                    r["attitude"],
                    r["perfunctory"],
                    r["perfunctory_reason"],
                    None,
                    *tables["rating"].extra,
                )
            )
            counts["ratings"] += 1
        counts["calls"] += 1
        counts["events"] += len(events)
        counts["assignments"] += len(life.assignments)
        if len(chunk["call"]) >= 20000:
            flush()
            if counts["calls"] % 100000 == 0:
                rate = counts["calls"] / (time.perf_counter() - started)
                print(f"  {counts['calls']:>9} calls written ({rate:,.0f} calls/s)", flush=True)
    flush()
    if target.vendor == "sqlite":
        raw.execute("COMMIT")
        raw.execute("PRAGMA synchronous=NORMAL")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Call, CallAssignment, CallEvent, Rating, AccountabilityCase]
        ):
            cursor.execute(sql)
    meta = {
        "calls": n_calls, "open": n_open, "due_fraction": due_fraction, "seed": seed,
        "now": now, "t0": t0, "generated_at": time.time(), "first_id": first_id,
        **{f"n_{k}": v for k, v in counts.items()},
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SNAPSHOT_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {META_TABLE}")
        cursor.execute(f"CREATE TABLE {META_TABLE} (k varchar(50) PRIMARY KEY, v text NOT NULL)")
        cursor.execute(
            f"CREATE TABLE {SNAPSHOT_TABLE} (call_id bigint PRIMARY KEY, alert_stage integer, "
            "next_alert_at double precision, urge_level integer, event_count integer)"
        )
        cursor.executemany(
            f"INSERT INTO {META_TABLE} VALUES (%s, %s)",
            [(k, json.dumps(v)) for k, v in meta.items()],
        )
        cursor.executemany(f"INSERT INTO {SNAPSHOT_TABLE} VALUES (%s, %s, %s, %s, %s)", snapshot)
    written = time.perf_counter() - started
    analyze(target, raw)
    raw.close()
    elapsed = time.perf_counter() - started
    print(
        f"generated {counts['calls']:,} calls, {counts['events']:,} events, "
        f"{counts['assignments']:,} assignments, {counts['ratings']:,} ratings, "
        f"{counts['cases']:,} cases in {written:.0f} s (+ analyze: {elapsed:.0f} s total); "
        f"sweeper last ran {(now - t0) / 60:.0f} min before the sweep moment, "
        f"{counts['due']:,} open calls due ({counts['due'] / max(n_open, 1):.1%})"
    )
    return meta


CALL_COLUMNS = [
    "id", "number", "title", "description", "matter_id", "domain", "urgency", "source",
    "caller_org_id", "caller_id", "lead_department_id", "address", "lat", "lon", "status",
    "called_at", "response_clock_from", "response_due_at", "responded_at", "resolution_due_at",
    "resolved_at", "closed_at", "withdrawn_at", "redo_count", "return_count", "urge_level",
    "event_count", "alert_stage", "next_alert_at", "updated_at", "response_seconds",
    "response_working_days", "resolution_seconds", "resolution_working_days",
]  # fmt: skip


def analyze(target: Target, raw) -> None:
    if target.vendor == "postgresql":
        raw.autocommit = True
        for table in ("calls_call", "calls_callassignment", "calls_callevent", "calls_rating"):
            raw.execute(f"VACUUM (ANALYZE) {table}")
        raw.execute("ANALYZE")
    else:
        raw.execute("ANALYZE")


def read_meta() -> dict | None:
    from django.db import connection

    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT k, v FROM {META_TABLE}")
        return {k: json.loads(v) for k, v in cursor.fetchall()}


def restore_snapshot(meta: dict) -> int:
    """Undo an earlier run's sweep: the due calls get their ladder and events back."""
    from django.db import connection, transaction

    from huying.calls.models import AccountabilityCase, Call, CallEvent

    restored = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT call_id, alert_stage, next_alert_at, urge_level, event_count "
            f"FROM {SNAPSHOT_TABLE}"
        )
        rows = cursor.fetchall()
    moment = datetime.fromtimestamp(meta["now"], UTC)
    with transaction.atomic():
        for pk, stage, next_alert, urge_level, event_count in rows:
            extra = CallEvent.objects.filter(call_id=pk, seq__gt=event_count)
            if not extra.exists():
                continue
            extra.delete()
            AccountabilityCase.objects.filter(call_id=pk, opened_at__gte=moment).delete()
            Call.objects.filter(pk=pk).update(
                alert_stage=stage,
                next_alert_at=datetime.fromtimestamp(next_alert, UTC),
                urge_level=urge_level,
                event_count=event_count,
            )
            restored += 1
    return restored


def remove_bench_calls(meta: dict) -> None:
    """Calls made by an earlier run's create phases go, so each run reads the same history."""
    from huying.calls.models import Call

    made = Call.objects.filter(pk__gte=meta["first_id"] + meta["calls"])
    started = time.perf_counter()
    count = made.count()
    if count:
        made.delete()
        print(
            f"removed {count:,} calls made by an earlier run "
            f"({time.perf_counter() - started:.0f} s)"
        )


# --- measurements in process ---------------------------------------------------------------------


def measure_sweep(meta: dict, figures: Figures, profile: bool = False) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huying.calls import sweeps
    from huying.calls.choices import OPEN_STATUSES
    from huying.calls.models import AccountabilityCase, Call, CallEvent
    from huying.core import clock

    moment = datetime.fromtimestamp(meta["now"], UTC)
    restored = restore_snapshot(meta)
    open_calls = Call.objects.filter(status__in=OPEN_STATUSES).count()
    due = Call.objects.filter(next_alert_at__lte=moment).count()
    events_before = CallEvent.objects.count()
    cases_before = AccountabilityCase.objects.count()
    print(
        f"\n== sweep (calls.sweeps.sweep at the sweep moment; {open_calls:,} open calls, "
        f"{due:,} due; {restored} restored from the last run) load {loadavg()}"
    )
    # Steady state first: the worker sweeps every CALLS_SWEEP_SECONDS, so one pass there sees
    # only what came due since the last one (T0 .. T0 + interval).
    interval = settings.CALLS_SWEEP_SECONDS
    steady_moment = datetime.fromtimestamp(meta["t0"] + interval, UTC)
    with clock.frozen_at(steady_moment):
        started = time.perf_counter()
        report = sweeps.sweep(now=steady_moment)
        steady = (time.perf_counter() - started, len(report.calls))
    print(
        f"  steady-state pass ({interval} s after the last): {steady[0]:.3f} s, "
        f"acted on {steady[1]}; then the backlog at the sweep moment:"
    )
    figures.add(
        f"sweep: steady-state pass (every {interval} s)",
        f"{steady[0]:.3f} s, acted on {steady[1]}",
        "< 2 s",
        verdict(steady[0] < TARGETS["sweep_s"]),
    )
    passes, total_time, acted = [], 0.0, 0
    for i in range(due // sweeps.BATCH + 4):  # bounded: each pass takes up to BATCH calls
        with clock.frozen_at(moment):
            started = time.perf_counter()
            report = sweeps.sweep(now=moment)
            elapsed = time.perf_counter() - started
        n = len(report.calls)
        passes.append((elapsed, n, str(report)))
        total_time += elapsed
        acted += n
        print(f"  pass {i + 1}: {elapsed:7.3f} s  acted on {n:>5}  ({report})")
        if n == 0 and report.skipped == 0:
            break
    added = CallEvent.objects.count() - events_before
    cases = AccountabilityCase.objects.count() - cases_before
    per_call = total_time / max(acted, 1) * 1000
    print(
        f"  all passes: {total_time:.2f} s for {acted:,} calls ({per_call:.1f} ms per call), "
        f"{added:,} events and {cases} cases added; batch {sweeps.BATCH} per pass; "
        f"load {loadavg()}"
    )
    # Once more, instrumented (not in the figures): the queries a pass makes, by kind.
    restore_snapshot(meta)
    with clock.frozen_at(moment), CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        report = sweeps.sweep(now=moment)
        elapsed = time.perf_counter() - started
    n = max(len(report.calls), 1)
    kinds: dict[str, list[float]] = {}
    for q in ctx.captured_queries:
        sql = q["sql"]
        key = (
            " ".join(sql.split()[:4])[:70]
            if not sql.startswith("SELECT")
            else ("SELECT … FROM " + sql.split(" FROM ", 1)[-1].split()[0])
        )
        kinds.setdefault(key, []).append(float(q["time"]))
    print(
        f"  instrumented pass: {len(ctx.captured_queries):,} queries for {n:,} calls "
        f"({len(ctx.captured_queries) / n:.2f} per call), {elapsed / n * 1000:.2f} ms per call; "
        f"chunks of {getattr(sweeps, 'CHUNK', 1)}; by kind (queries in the pass, per call; "
        "SQL ms per call):"
    )
    for key, times in sorted(kinds.items(), key=lambda kv: -sum(kv[1]))[:14]:
        print(
            f"    {len(times):6,} ({len(times) / n:6.3f}) × {sum(times) / n * 1000:6.3f} ms  {key}"
        )
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) / n * 1000
    print(f"    SQL (client-side wall) {sql_ms:.1f} ms per call; the rest is Python")
    if profile:
        import cProfile
        import pstats

        restore_snapshot(meta)
        profiler = cProfile.Profile()
        with clock.frozen_at(moment):
            profiler.runcall(sweeps.sweep, now=moment)
        print("  profile of one pass (cumulative, top 25):")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(r"huying|django/db/models/(base|query)", 25)
    first = passes[0]
    figures.add(
        "sweep: backlog, first pass",
        f"{first[0]:.2f} s, acted on {first[1]:,}",
        "< 2 s",
        verdict(first[0] < TARGETS["sweep_s"]),
    )
    figures.add(
        "sweep: backlog until drained",
        f"{total_time:.2f} s, {acted:,} calls in {len(passes)} passes ({per_call:.1f} ms/call)",
        "< 2 s", verdict(total_time < TARGETS["sweep_s"]),
    )  # fmt: skip
    figures.add("sweep: idle pass (nothing due)", f"{passes[-1][0] * 1000:.1f} ms", "", "")
    figures.add("sweep: open / due / events added", f"{open_calls:,} / {due:,} / {added:,}", "", "")


def measure_service_create(count: int, seconds: float, figures: Figures, batch: int = 100) -> None:
    """`create_call` one call at a time, then `create_calls` in batches of `batch`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huying.calls import services
    from huying.calls.models import Matter
    from huying.orgs.choices import Role
    from huying.orgs.models import User

    rng = random.Random(SEED + 1)
    callers = list(
        User.objects.filter(role=Role.CALLER, org__has_calling_right=True, is_active=True)
        .select_related("org")
        .order_by("pk")
    )
    matters = list(Matter.objects.filter(is_active=True).select_related("lead_department"))

    def new_call() -> "services.NewCall":
        matter = rng.choice(matters)
        return services.NewCall(
            title=f"压测呼叫 {matter.name}"[:120],
            description=f"性能测试生成的呼叫：{matter.description[:80]}",
            matter=matter,
        )

    with CaptureQueriesContext(connection) as ctx:
        services.create_call(actor=callers[0], new=new_call())
    queries = len(ctx.captured_queries)
    print(f"\n== create_call in process ({count} calls, at most {seconds:.0f} s) load {loadavg()}")
    print(f"  {queries} statements per call, as Django logs them (PostgreSQL: BEGIN/COMMIT too)")
    started = time.perf_counter()
    deadline = started + seconds
    made = 0
    while made < count and time.perf_counter() < deadline:
        services.create_call(actor=callers[made % len(callers)], new=new_call())
        made += 1
    elapsed = time.perf_counter() - started
    rate = made / elapsed
    print(f"  {made} calls in {elapsed:.1f} s: {rate:.0f} calls/s; load {loadavg()}")
    figures.add(
        "create: services.create_call (1 thread)",
        f"{rate:.0f} calls/s ({made} calls, {queries} statements each)",
        ">= 500/s",
        verdict(rate >= TARGETS["create_per_s"]),
    )

    print(
        f"\n== create_calls in process, batches of {batch} ({count} calls, "
        f"at most {seconds:.0f} s) load {loadavg()}"
    )
    with CaptureQueriesContext(connection) as ctx:
        services.create_calls(actor=callers[0], items=[new_call() for _ in range(batch)])
    queries = len(ctx.captured_queries)
    print(f"  {queries} statements per batch of {batch}")
    started = time.perf_counter()
    deadline = started + seconds
    made = batches = 0
    while made < count and time.perf_counter() < deadline:
        actor = callers[batches % len(callers)]
        services.create_calls(actor=actor, items=[new_call() for _ in range(batch)])
        made += batch
        batches += 1
    elapsed = time.perf_counter() - started
    rate = made / elapsed
    print(
        f"  {made} calls ({batches} batches) in {elapsed:.1f} s: {rate:.0f} calls/s, "
        f"{elapsed / batches * 1000:.0f} ms per batch; load {loadavg()}"
    )
    figures.add(
        f"create: services.create_calls (1 thread, {batch} per batch)",
        f"{rate:.0f} calls/s ({made} calls, {queries} statements per batch)",
        ">= 500/s",
        verdict(rate >= TARGETS["create_per_s"]),
    )


def diagnose(user_name: str, detail_ids: list[int], explain: bool) -> None:
    """Queries per request and in-process time for each read; EXPLAIN ANALYZE on PostgreSQL."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from huying.calls import api_render, selectors
    from huying.calls.models import Call
    from huying.orgs.authentication import issue_token
    from huying.orgs.models import User

    user = User.objects.get(username=user_name)
    raw, _ = issue_token(user)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")
    print("\n== in-process diagnosis (Django test client, no HTTP) ==")
    for name, path in scenario_paths(detail_ids):
        times, n_queries, slowest = [], 0, ("", 0.0)
        for i in range(15):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(path(i))
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (
                path(i),
                response.status_code,
                response.content[:300],
            )
            n_queries = len(ctx.captured_queries)
            for q in ctx.captured_queries:
                if float(q["time"]) > slowest[1]:
                    slowest = (q["sql"], float(q["time"]))
        print(
            f"  {name:<28} {statistics.median(times) * 1000:7.1f} ms median, {n_queries} queries, "
            f"slowest query {slowest[1] * 1000:.1f} ms: {slowest[0][:160]}"
        )
    if not explain or connection.vendor != "postgresql":
        return
    filters = {
        "to respond": selectors.CallFilter(statuses=("called",), department=DEPARTMENT_CODE),
        "overdue": selectors.CallFilter(overdue=True, department=DEPARTMENT_CODE),
    }
    for name, f in filters.items():
        qs = selectors.call_list(user, f)
        # The two queries the API runs (calls/api_render.call_page, core/pagination).
        page = Call.objects.filter(pk__in=qs[:50].values("pk")).order_by(*qs.query.order_by)
        capped = selectors.counted(qs, f).values("pk")[:1001]
        for label, sql_qs in (("page", page.values(*api_render.LIST_COLUMNS)), ("count", capped)):
            with connection.cursor() as cursor:
                sql, params = sql_qs.query.sql_with_params()
                if label == "count":
                    sql = f"SELECT count(*) FROM ({sql}) sub"
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = [r[0] for r in cursor.fetchall()]
            print(f"\n  EXPLAIN ANALYZE {name} ({label}):")
            for line in plan[:40]:
                print("    " + line)


# --- HTTP ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, data_dir: Path, workers: int | None, threads: int | None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [*HUYING, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if workers:
            command += ["--workers", str(workers)]
        if threads:
            command += ["--threads", str(threads)]
        self.log = open(data_dir / "bench-serve.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"huying serve exited with {self.process.returncode}")
            try:
                status, _ = request(self.url, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("huying serve did not become healthy in 60 s")

    def drain(self, timeout: float = 180) -> None:
        """Wait until requests left queued by a previous scenario are done: three rounds in a
        row of 16 concurrent /healthz requests (more than the server's threads) all quick."""

        def quick(_) -> bool:
            started = time.perf_counter()
            try:
                request(self.url, "GET", "/healthz")
            except OSError:
                return False
            return time.perf_counter() - started < 0.5

        deadline, streak = time.monotonic() + timeout, 0
        with ThreadPoolExecutor(16) as pool:
            while streak < 3 and time.monotonic() < deadline:
                streak = streak + 1 if all(pool.map(quick, range(16))) else 0
                time.sleep(0.5)

    def cpu_seconds(self) -> float:
        """CPU (user + system) used so far by the server's processes (its session)."""
        tick, total = os.sysconf("SC_CLK_TCK"), 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            if int(fields[3]) == self.process.pid:  # the session id (start_new_session)
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def request(url: str, method: str, path: str, body: dict | None = None, headers=None):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(
            method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def token(url: str, username: str) -> str:
    status, body = request(
        url, "POST", "/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD}
    )
    if status != 200:
        raise RuntimeError(f"token for {username}: {status} {body[:200]!r}")
    return json.loads(body)["token"]


def scenario_paths(detail_ids: list[int]):
    base = f"/api/v1/calls?department={DEPARTMENT_CODE}"
    return [
        ("workbench: to respond", lambda i: f"{base}&status=called"),
        ("workbench: in progress", lambda i: f"{base}&status=responded&status=in_progress"),
        ("workbench: overdue", lambda i: f"{base}&overdue=true"),
        ("call detail", lambda i: f"/api/v1/calls/{detail_ids[i % len(detail_ids)]}"),
        # The calls people keep open, their pages polling the timeline: the same few hundred
        # asked again and again, where the read cache answers (the line above opens a new one
        # each time and measures the cold path).
        ("call detail: kept open", lambda i: f"/api/v1/calls/{detail_ids[i % KEPT_OPEN]}"),
    ]


@dataclass
class Run:
    latencies: list[float]
    errors: int
    elapsed: float
    first_error: str
    client_cpu: float

    @property
    def n(self) -> int:
        return len(self.latencies)


def drive(url: str, clients: int, seconds: float, make_request, max_per_client: int) -> Run:
    """`clients` threads, each with one keep-alive connection, until the time or count is up."""
    parts = urlsplit(url)
    deadline = time.perf_counter() + seconds
    results = [([], [0], [""]) for _ in range(clients)]
    start_gate = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        latencies, errors, first = results[k]
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        counter = k * 7919
        start_gate.wait()
        for _ in range(max_per_client):
            if time.perf_counter() >= deadline:
                break
            method, path, body, headers = make_request(k, counter)
            counter += 1
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                errors[0] += 1
                first[0] = first[0] or repr(exc)
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            if status not in (200, 201):
                errors[0] += 1
                first[0] = first[0] or f"{status} {payload[:200]!r}"
                continue
            latencies.append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    cpu = time.process_time()
    start_gate.wait()
    started = time.perf_counter()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r[0])
    errors = sum(r[1][0] for r in results)
    first = next((r[2][0] for r in results if r[2][0]), "")
    return Run(latencies, errors, elapsed, first, time.process_time() - cpu)


# --- wrk: the closed-loop load from a C load generator ------------------------------------------
# The Python driver's threads (http.client) cost about as much CPU per request as a cheap
# handler, on the same two cores as the server: wrk (C, epoll) takes a few percent of a core.
# wrk2 (constant rate) is not packaged; the paced scenario stays in Python (`drive_paced`).

WRK = "/usr/bin/wrk"
WRK_LUA = r"""
local paths = {%(paths)s}
local headers = {["Authorization"] = "%(authorization)s"}
local threads, offset, counter = {}, 0, 0

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  counter = tonumber(offset) or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
    .. '"max_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "status": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def wrk_available() -> bool:
    return Path(WRK).exists()


@dataclass
class WrkRun:
    requests: int
    elapsed: float
    p50: float  # seconds
    p95: float
    p99: float
    errors: int  # connect, read, write, timeout
    non_2xx: int
    client_cpu: float  # wrk's own CPU seconds (user + system)


def drive_wrk(
    url: str, connections: int, threads: int, seconds: float, paths: list[str], headers: dict
) -> WrkRun:
    """`connections` keep-alive connections from `threads` wrk threads for `seconds`, each
    request the next of `paths` (each thread starting elsewhere in the cycle)."""
    import resource
    import tempfile

    lua = WRK_LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "authorization": headers["Authorization"],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="huying-wrk-") as script:
        script.write(lua)
        script.flush()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [
                *(WRK, f"-t{min(threads, connections)}", f"-c{connections}"),
                *(f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", script.name, url),
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 90,
            check=False,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {done.returncode} {done.stderr[-500:]}")
    r = json.loads(line[4:])
    return WrkRun(
        requests=r["requests"],
        elapsed=r["duration_us"] / 1e6,
        p50=r["p50_us"] / 1e6,
        p95=r["p95_us"] / 1e6,
        p99=r["p99_us"] / 1e6,
        errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
        non_2xx=r["status"],
        client_cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    )


def report_wrk(name: str, connections: int, threads: int, run: WrkRun) -> str:
    line = (
        f"  {name:<26} c={connections:<3} n={run.requests:<6} "
        f"rps={run.requests / run.elapsed:7.1f}  "
        f"p50={run.p50 * 1000:7.1f}  p95={run.p95 * 1000:7.1f}  p99={run.p99 * 1000:7.1f} ms  "
        f"errors={run.errors} non-2xx={run.non_2xx}  [wrk -t{threads}, closed loop] "
        f"client cpu {run.client_cpu / run.elapsed:.0%}  load {loadavg()}"
    )
    print(line, flush=True)
    return line


# --- paced (open-loop) clients ----------------------------------------------------------------


def drive_paced(url: str, clients: int, seconds: float, period: float, make_request) -> Run:
    """`clients` users each sending one request every `period` seconds (their first slots
    spread evenly over one period), for `seconds`. Latency counts from the scheduled slot, not
    from when the request left: a slow answer that delays the next request shows in the next
    one's latency too (no coordinated omission)."""
    parts = urlsplit(url)
    results = [([], [0], [""]) for _ in range(clients)]
    start = time.perf_counter() + 0.5
    deadline = start + seconds

    def client(k: int) -> None:
        latencies, errors, first = results[k]
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        slot, counter = start + period * k / clients, k * 7919
        while slot < deadline:
            pause = slot - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            method, path, body, headers = make_request(k, counter)
            counter += 1
            try:
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                except ConnectionError:  # RemoteDisconnected, BrokenPipe, reset
                    # The server closed the idle keep-alive connection between polls (gunicorn
                    # keeps one open 2 s): reconnect and send again, as a browser does.
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                payload = response.read()
                if response.status not in (200, 201):
                    errors[0] += 1
                    first[0] = first[0] or f"{response.status} {payload[:200]!r}"
                else:
                    latencies.append(time.perf_counter() - slot)
            except (OSError, http.client.HTTPException) as exc:
                errors[0] += 1
                first[0] = first[0] or repr(exc)
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            slot += period
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    cpu = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + period + 60)
    elapsed = max(time.perf_counter() - start, 1e-9)
    latencies = sorted(x for r in results for x in r[0])
    errors = sum(r[1][0] for r in results)
    first = next((r[2][0] for r in results if r[2][0]), "")
    return Run(latencies, errors, elapsed, first, time.process_time() - cpu)


def report(name: str, clients: int, run: Run) -> str:
    lat = run.latencies
    line = (
        f"  {name:<26} c={clients:<3} n={run.n:<6} rps={run.n / run.elapsed:7.1f}  "
        f"p50={pct(lat, 50) * 1000:7.1f}  p95={pct(lat, 95) * 1000:7.1f}  "
        f"p99={pct(lat, 99) * 1000:7.1f} ms  errors={run.errors}  "
        f"client cpu {run.client_cpu / run.elapsed:.0%}  load {loadavg()}"
    )
    print(line + (f"\n    first error: {run.first_error}" if run.first_error else ""), flush=True)
    return line


# How often the pages poll (hx-trigger): the department workbench's lists
# (calls/department/_lists.html, _pile_page.html) and the call page's timeline
# (calls/detail/_timeline.html). The paced scenario sends each user's request at that period.
WORKBENCH_POLL_S = 15.0
TIMELINE_POLL_S = 20.0


def measure_http(server: Server, args, detail_ids: list[int], figures: Figures) -> None:
    dept = {"Authorization": f"Bearer {token(server.url, DEPARTMENT_USER)}"}
    use_wrk = wrk_available() and not args.python_driver
    closed = f"wrk -t{args.wrk_threads}" if use_wrk else "Python driver (threads, http.client)"
    print(
        f"\n== HTTP reads as {DEPARTMENT_USER} ({DEPARTMENT_CODE}); closed loop (no think time): "
        f"{closed}; paced: Python driver; load {loadavg()}"
    )
    for name, path in scenario_paths(detail_ids):
        server.drain()
        for i in range(10):  # warm the workers and the database cache
            try:
                request(server.url, "GET", path(i), headers=dept)
            except OSError as exc:
                print(f"  warm-up request failed: {exc!r}")

        def make(k, i, path=path):
            return "GET", path(i), None, dept

        paths = list(dict.fromkeys(path(i) for i in range(len(detail_ids) or 1)))
        floor = ""
        if args.floor_seconds > 0:
            if use_wrk:
                one = drive_wrk(server.url, 1, 1, args.floor_seconds, paths, dept)
                report_wrk(name, 1, 1, one)
                floor = f"1 client p95 {one.p95 * 1000:.0f} ms, p50 {one.p50 * 1000:.0f} ms"
            else:
                one = drive(server.url, 1, args.floor_seconds, make, 100_000)
                report(name, 1, one)
                floor = f"1 client p95 {pct(one.latencies, 95) * 1000:.0f} ms"
        server.drain()
        cpu = server.cpu_seconds()
        if use_wrk:
            run = drive_wrk(
                server.url, args.concurrency, args.wrk_threads, args.seconds, paths, dept
            )
            report_wrk(name, args.concurrency, args.wrk_threads, run)
            p95, p50, rate = run.p95 * 1000, run.p50 * 1000, run.requests / run.elapsed
            errors = run.errors + run.non_2xx
            elapsed = run.elapsed
        else:
            run = drive(server.url, args.concurrency, args.seconds, make, 100_000)
            report(name, args.concurrency, run)
            p95, p50 = pct(run.latencies, 95) * 1000, pct(run.latencies, 50) * 1000
            rate, errors, elapsed = run.n / run.elapsed, run.errors, run.elapsed
        server_cpu = (server.cpu_seconds() - cpu) / elapsed
        print(f"    server (gunicorn) cpu {server_cpu:.0%} of one core during the closed loop")
        if floor:
            figures.add(f"{name} (1 client)", floor)
        figures.add(
            f"{name} (c={args.concurrency}, closed loop, {'wrk' if use_wrk else 'python'})",
            f"p95 {p95:.0f} ms, p50 {p50:.0f} ms, {rate:.0f} req/s, {errors} err",
            "p95 < 100 ms", verdict(p95 < TARGETS["p95_ms"] and errors == 0),
        )  # fmt: skip
        if args.paced_seconds > 0:
            period = TIMELINE_POLL_S if name.startswith("call detail") else WORKBENCH_POLL_S
            server.drain()
            paced = drive_paced(server.url, args.concurrency, args.paced_seconds, period, make)
            report(f"{name} (paced {period:g} s)", args.concurrency, paced)
            figures.add(
                f"{name} ({args.concurrency} users every {period:g} s, open loop)",
                f"p95 {pct(paced.latencies, 95) * 1000:.0f} ms, "
                f"p50 {pct(paced.latencies, 50) * 1000:.0f} ms, {paced.n} req, {paced.errors} err",
            )


def measure_http_create(server: Server, args, figures: Figures) -> None:
    from huying.calls.models import Matter

    codes = list(Matter.objects.filter(is_active=True).values_list("code", flat=True))
    tokens = [
        {"Authorization": f"Bearer {token(server.url, u)}", "Content-Type": "application/json"}
        for u in API_CALLERS
    ]
    per_client = max(1, args.create_count // args.create_concurrency)
    print(
        f"\n== POST /api/v1/calls ({args.create_concurrency} clients × {per_client}); "
        f"load {loadavg()}"
    )

    def make(k, i):
        code = codes[(k * 31 + i) % len(codes)]
        body = {
            "title": f"压测呼叫 {code}",
            "description": "性能测试：接口发起的呼叫",
            "matter": code,
        }
        return "POST", "/api/v1/calls", json.dumps(body).encode(), tokens[k % len(tokens)]

    server.drain()
    run = drive(server.url, args.create_concurrency, args.create_seconds, make, per_client)
    report("POST /api/v1/calls", args.create_concurrency, run)
    rate = run.n / run.elapsed
    figures.add(
        f"create: POST /api/v1/calls (c={args.create_concurrency})",
        f"{rate:.0f} calls/s ({run.n} calls, "
        f"p95 {pct(run.latencies, 95) * 1000:.0f} ms, {run.errors} err)",
        ">= 500/s", verdict(rate >= TARGETS["create_per_s"] and run.errors == 0),
    )  # fmt: skip

    # Integrations (alarm dispatch, hotline imports) send many calls per request.
    size, clients = args.create_batch, args.create_batch_concurrency
    per_client = max(1, args.create_count // (size * clients))
    print(
        f"\n== POST /api/v1/calls/batch ({clients} clients × {per_client} requests × {size} "
        f"calls); load {loadavg()}"
    )

    def make_batch(k, i):
        items = [
            {
                "title": f"压测批量呼叫 {codes[(k * 31 + i * size + j) % len(codes)]}",
                "description": "性能测试：接口批量发起的呼叫",
                "matter": codes[(k * 31 + i * size + j) % len(codes)],
            }
            for j in range(size)
        ]
        body = json.dumps({"items": items}).encode()
        return "POST", "/api/v1/calls/batch", body, tokens[k % len(tokens)]

    server.drain()
    run = drive(server.url, clients, args.create_seconds, make_batch, per_client)
    report("POST /api/v1/calls/batch", clients, run)
    rate = run.n * size / run.elapsed
    figures.add(
        f"create: POST /api/v1/calls/batch ({size} per request, c={clients})",
        f"{rate:.0f} calls/s ({run.n * size} calls, "
        f"p95 {pct(run.latencies, 95) * 1000:.0f} ms per request, {run.errors} err)",
        ">= 500/s", verdict(rate >= TARGETS["create_per_s"] and run.errors == 0),
    )  # fmt: skip


def detail_sample(n: int, seed: int) -> list[int]:
    from huying.calls.models import CallAssignment
    from huying.orgs.models import Org

    department = Org.objects.get(code=DEPARTMENT_CODE)
    ids = list(
        CallAssignment.objects.filter(department=department).values_list("call_id", flat=True)
    )
    rng = random.Random(seed)
    return rng.sample(ids, min(n, len(ids)))


def database_version(target: Target) -> tuple[str, int]:
    """The server's version (with shared_buffers on PostgreSQL) and the database's size."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version(), pg_database_size(current_database())")
            version, size = cursor.fetchone()
            cursor.execute("SHOW shared_buffers")
            return f"{version.split(' on ')[0]}, shared_buffers {cursor.fetchone()[0]}", size
    return f"SQLite {sqlite3.sqlite_version} (WAL)", target.sqlite_path.stat().st_size


def database_info(target: Target) -> str:
    from huying.calls.models import Call, CallAssignment, CallEvent, Rating

    version, size = database_version(target)
    counts = ", ".join(
        f"{m._meta.model_name} {m.objects.count():,}"
        for m in (Call, CallEvent, CallAssignment, Rating)
    )
    return f"{version}; {target.name}; {size / 2**30:.2f} GiB; {counts}"


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", required=True, help="postgresql://…/huying_bench or a /tmp/….sqlite3 path"
    )
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls of history")
    parser.add_argument(
        "--open",
        type=int,
        default=None,
        help="open calls among them (default 10%%, at most 100,000)",
    )
    parser.add_argument(
        "--due", type=float, default=0.015, help="fraction of open calls due at the sweep"
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the database and its history"
    )
    parser.add_argument("--seconds", type=float, default=20, help="seconds per HTTP read scenario")
    parser.add_argument(
        "--floor-seconds", type=float, default=5, help="seconds with one client (0: skip)"
    )
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="wrk threads for the closed-loop reads"
    )
    parser.add_argument(
        "--python-driver",
        action="store_true",
        help="closed-loop reads from the Python driver even when wrk is installed",
    )
    parser.add_argument(
        "--paced-seconds",
        type=float,
        default=60,
        help="seconds of the paced (open-loop) reads, each user at the pages' period (0: skip)",
    )
    parser.add_argument("--create-count", type=int, default=5000)
    parser.add_argument("--create-seconds", type=float, default=60)
    parser.add_argument("--create-concurrency", type=int, default=16)
    parser.add_argument("--create-batch", type=int, default=100, help="calls per batch")
    parser.add_argument(
        "--create-batch-concurrency", type=int, default=4, help="clients posting batches"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: huying serve's)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="threads per worker (default: huying serve's)"
    )
    parser.add_argument(
        "--only",
        nargs="*",
        choices=("sweep", "create", "http", "create-http", "diagnose"),
        default=None,
        help="create-http: only the HTTP create figures (single and batch POSTs)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the workbench queries"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one sweep pass")
    args = parser.parse_args()
    n_open = args.open if args.open is not None else min(100_000, args.calls // 10)
    phases = set(args.only or ("sweep", "create", "http", "diagnose"))
    target = parse_target(args.database)
    print(f"machine: {machine()}; load {loadavg()}")
    prepare_database(target, args.regenerate)
    env = huying_env(target)
    os.environ.update(
        {
            k: env[k]
            for k in (
                "HUYING_DATABASE_URL",
                "HUYING_DATA_DIR",
                "HUYING_DEBUG",
                "HUYING_SECRET_KEY",
                "DJANGO_SETTINGS_MODULE",
            )
        }
    )
    import django

    django.setup()
    meta = read_meta()
    if args.regenerate or not meta or meta.get("calls") != args.calls or meta.get("open") != n_open:
        migrate_and_load_demo(env)
        if meta:
            sys.exit("the database holds a different history: run with --regenerate")
        meta = generate(target, args.calls, n_open, args.due, SEED)
    else:
        print(
            f"re-using the history in {target.name} "
            f"({meta['calls']:,} calls, {meta['open']:,} open)"
        )
        migrate(env)
    remove_bench_calls(meta)
    print(f"database: {database_info(target)}")
    figures = Figures()
    if "sweep" in phases:
        measure_sweep(meta, figures, args.profile)
    if "create" in phases:
        measure_service_create(args.create_count, args.create_seconds, figures, args.create_batch)
    detail_ids = detail_sample(5000, SEED)
    if "diagnose" in phases:
        diagnose(DEPARTMENT_USER, detail_ids, args.explain)
    from django.db import connection

    connection.close()
    if phases & {"http", "create-http"}:
        server = Server(env, target.data_dir, args.workers, args.threads)
        try:
            print(
                f"\nserver: huying serve on {server.url} "
                f"(workers {args.workers or 'default'}, threads {args.threads or 'default'}; "
                f"read cache {os.environ.get('HUYING_CALLS_READ_CACHE', 'true')})"
            )
            if "http" in phases:
                measure_http(server, args, detail_ids, figures)
            measure_http_create(server, args, figures)
        finally:
            server.stop()
    figures.print()
    print(f"\nmachine: {machine()}; load at the end {loadavg()}")
    print(f"database: {database_info(target)} (left in place for the next run)")


if __name__ == "__main__":
    main()
