"""Resident lookup at scale (issue 4: by ID number or name, p95 < 50 ms with 1,000,000 residents).

    .venv/bin/python -m bench.lookup --database /tmp/huying-bench-lookup/huying.sqlite3
    .venv/bin/python -m bench.lookup \\
        --database postgresql://postgres@127.0.0.1:5432/huying_bench_lookup

1. Prepares a dedicated database (PostgreSQL: a name containing "bench", created if missing,
   never `test` or `huying_bench`; SQLite: a file under /tmp), runs `huying migrate` and
   `huying demo --no-serve --no-history` (the org tree and the demo accounts), then bulk-inserts
   N residents straight into the registry table (COPY on PostgreSQL, executemany on SQLite),
   with their rental dwellings: synthetic households (`datahub.synthetic_people`: Faker zh_CN
   names, valid ID numbers with real region codes, mobiles), the pinyin `persons.name_pinyin`
   gives, the demo district's towns and villages. The LINKAGE IS NOT RUN: the bench measures
   the lookup path, which reads the same columns and indexes whoever wrote the rows (the
   linkage's own figures: bench/linkage.py). The table's secondary indexes are dropped around
   the insert and re-created from their own definitions, read back from the database, so they
   are exactly the migrations'. PostgreSQL is then VACUUM ANALYZEd (autovacuum would, minutes
   later); SQLite is not analysed, as in production. Skipped when the database already holds
   N bench residents (`--regenerate` rebuilds).
2. In process: `hub_selectors.search` for each kind of query (full ID, masked ID, partial ID
   digits, name, pinyin, phone) as the district operator (whole district) and a town's
   inspector (scoped): `--lookups` of each, half existing values drawn at random, half
   missing, shuffled; p50/p95/p99 and the queries one search makes. `--explain` prints plans.
3. Over HTTP: `huying serve` (gunicorn) on a free loopback port; `POST
   /api/v1/datahub/residents/search` with a bearer token (every answer also writes the lookup
   log), per kind: 1 client, then `--concurrency` clients, closed loop, `--http-seconds` each
   (wrk when installed, else a Python driver); then `--concurrency` users each searching every
   `--paced-period` s, all kinds interleaved (open loop: latency from each scheduled moment).

Prints machine, database, load averages and the figures against the target. Loopback only;
every loop is bounded by a count and a time.
"""

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date

from bench.calls import (
    WRK,
    Figures,
    Server,
    database_version,
    drive,
    drive_paced,
    huying_env,
    loadavg,
    machine,
    migrate,
    migrate_and_load_demo,
    parse_target,
    pct,
    prepare_database,
    report,
    request,
    token,
    verdict,
    wrk_available,
)

SEED = 20261124
TARGET_MS = 50.0
META_TABLE = "bench_lookup_meta"
KINDS = ("full_id", "masked_id", "partial_id", "name", "pinyin", "phone")
USERS = ("command", "inspector")  # the district operator; 云城街's inspector (scoped)
HTTP_USER = "command"
SEARCH_PATH = "/api/v1/datahub/residents/search"
NOT_THESE = {"test", "huying_bench"}  # other people's databases
STAMP = "2026-11-24 02:00:00"


# --- the data ------------------------------------------------------------------------------------


def villages() -> list[tuple[int, int, str]]:
    """(village id, town id, town name) of the demo district's villages and communities."""
    from huying.orgs.models import Org

    rows = Org.objects.filter(kind__in=("village", "community"), is_active=True)
    return [(v.pk, v.parent_id, v.parent.name) for v in rows.select_related("parent")]


def generate(n: int, seed: int):
    """Yield (dwellings, residents) row batches: households of the synthetic generator, 70%
    of them in a rental dwelling of their village, 5% known only by town."""
    from huying.datahub import synthetic_ids as ids
    from huying.datahub.persons import name_pinyin
    from huying.datahub.synthetic_people import Populace

    rng = random.Random(seed)
    people = Populace(rng)
    places = villages()
    lanes = ("东街", "西街", "南巷", "北巷", "新村大街", "中约", "大塘街", "横巷")
    made, dwelling_id = 0, 0
    dwellings, residents = [], []
    while made < n:
        village, town, town_name = places[int(rng.random() * len(places))]
        household = people.household(
            people.household_size(n - made), local=rng.random() < 0.2, hukou=people.regions.place
        )
        address = f"{town_name}{lanes[int(rng.random() * len(lanes))]}{int(rng.random() * 300)}号"
        dwelling = None
        if rng.random() < 0.7:
            dwelling_id += 1
            dwelling = dwelling_id
            dwellings.append((dwelling, f"BL-{dwelling:07d}", address, town, village))
        if rng.random() < 0.05:
            village = None
        for p in household:
            number = p.id_number if rng.random() > 0.01 else ids.wrong_check_digit(rng, p.id_number)
            residents.append((
                p.name, name_pinyin(p.name), number, number == p.id_number,
                "男" if p.male else "女", p.born_s, p.phone, p.hukou, address, dwelling, town,
                village, 1 + int(rng.random() * 3),
            ))  # fmt: skip
        made += len(household)
        if len(residents) >= 50_000 or made >= n:
            yield dwellings, residents
            dwellings, residents = [], []


DWELLING_COLUMNS = ("id", "code", "address", "town_id", "village_id")
RESIDENT_COLUMNS = (
    "name", "name_pinyin", "id_number", "id_number_valid", "gender", "birth_date", "phone",
    "hukou_address", "current_address", "dwelling_id", "town_id", "village_id", "record_count",
)  # fmt: skip
# Columns the bulk rows do not vary: NOT NULL ones get these constants.
DWELLING_CONSTANTS = {"owner_name": "", "owner_id_number": "", "owner_phone": "", "occupants": 0,
                      "load_id": 0, "updated_at": STAMP}  # fmt: skip
RESIDENT_CONSTANTS = {"employer": "", "provenance": "{}", "updated_at": STAMP}


class Bulk:
    """Rows into a table with its secondary indexes dropped meanwhile (COPY or executemany)."""

    def __init__(self, target):
        self.target = target
        if target.vendor == "postgresql":
            import psycopg

            self.conn = psycopg.connect(target.url.replace("postgres://", "postgresql://"))
            # The rows are consistent by construction: skip the per-row FK triggers.
            self.conn.execute("SET session_replication_role = replica")
        else:
            self.conn = sqlite3.connect(target.sqlite_path)
            self.conn.execute("PRAGMA synchronous = OFF")
        self.indexes: list[str] = []

    def drop_indexes(self, table: str) -> None:
        if self.target.vendor == "postgresql":
            rows = self.conn.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND "
                "NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                (table,),
            ).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).fetchall()
        for name, definition in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
            self.indexes.append(definition)

    def write(self, table: str, columns, constants: dict, rows) -> None:
        cols = [*columns, *constants]
        extra = tuple(constants.values())
        names = ", ".join(f'"{c}"' for c in cols)
        if self.target.vendor == "postgresql":
            with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as cp:
                for row in rows:
                    cp.write_row(row + extra)
        else:
            marks = ", ".join("?" * len(cols))
            self.conn.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', (r + extra for r in rows)
            )

    def finish(self) -> None:
        for definition in self.indexes:
            self.conn.execute(definition)
        self.conn.commit()
        if self.target.vendor == "postgresql":
            self.conn.execute(  # the dwellings came with their ids
                "SELECT setval(pg_get_serial_sequence('datahub_dwelling', 'id'), "
                "(SELECT coalesce(max(id), 1) FROM datahub_dwelling))"
            )
            self.conn.commit()
            self.conn.autocommit = True
            self.conn.execute("VACUUM ANALYZE datahub_resident")
            self.conn.execute("VACUUM ANALYZE datahub_dwelling")
        self.conn.close()


def fill(target, n: int, seed: int) -> None:
    started = time.perf_counter()
    bulk = Bulk(target)
    for table in ("datahub_resident", "datahub_dwelling"):
        bulk.drop_indexes(table)
    total = 0
    for dwellings, residents in generate(n, seed):
        bulk.write("datahub_dwelling", DWELLING_COLUMNS, DWELLING_CONSTANTS, dwellings)
        bulk.write("datahub_resident", RESIDENT_COLUMNS, RESIDENT_CONSTANTS, residents)
        total += len(residents)
        print(
            f"\r  {total:,} residents ({time.perf_counter() - started:.0f} s)", end="", flush=True
        )
    inserted = time.perf_counter()
    bulk.finish()
    done = time.perf_counter()
    print(
        f"\ngenerated and inserted {total:,} residents in {inserted - started:.0f} s, "
        f"indexes re-built{' and analysed' if target.vendor == 'postgresql' else ''} in "
        f"{done - inserted:.0f} s: {done - started:.0f} s in all"
    )


def meta(write: dict | None = None) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (value TEXT)")
        if write is not None:
            cursor.execute(f"DELETE FROM {META_TABLE}")
            cursor.execute(f"INSERT INTO {META_TABLE} (value) VALUES (%s)", [json.dumps(write)])
        cursor.execute(f"SELECT value FROM {META_TABLE}")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else {}


def database_info(target) -> str:
    from huying.datahub.models import Dwelling, Resident

    version, size = database_version(target)
    return (
        f"{version}; {target.name}; {size / 2**30:.2f} GiB; residents "
        f"{Resident.objects.count():,}, dwellings {Dwelling.objects.count():,}"
    )


# --- the queries ---------------------------------------------------------------------------------


def queries(kind: str, count: int, rng: random.Random) -> list[str]:
    """`count` queries of `kind`, half of an existing resident's values, half missing."""
    from django.db.models import Max

    from huying.datahub import synthetic_ids as ids
    from huying.datahub.models import Resident

    top = Resident.objects.aggregate(m=Max("pk"))["m"]
    picks = rng.sample(range(1, top + 1), count // 2)
    columns = ("name", "name_pinyin", "id_number", "phone")
    rows = list(Resident.objects.filter(pk__in=picks).values_list(*columns))
    out = []
    for name, pinyin, number, phone in rows:
        out.append({
            "full_id": number, "masked_id": f"{number[:6]}********{number[-4:]}",
            "partial_id": number[:10], "name": name, "pinyin": pinyin, "phone": phone,
        }[kind])  # fmt: skip
    for _ in range(count - len(out)):
        seq = int(rng.random() * 1000)
        if kind == "full_id":  # a well-formed number no one has (a birth date in 2025)
            out.append(ids.id_number("440111", date(2025, 1, 1 + seq % 28), seq))
        elif kind == "masked_id":
            out.append(f"990{seq:03d}********{int(rng.random() * 10_000):04d}")
        elif kind == "partial_id":
            out.append(f"99{int(rng.random() * 1e8):08d}")
        elif kind == "name":  # a surname and two characters drawn from all of CJK
            out.append("王" + "".join(chr(0x4E00 + int(rng.random() * 20_000)) for _ in "ab"))
        elif kind == "pinyin":
            out.append("".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(7)))
        else:
            out.append(f"199{int(rng.random() * 1e8):08d}")
    rng.shuffle(out)
    return out


def measure_in_process(args, figures: Figures) -> dict[str, list[str]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from huying.datahub import hub_selectors
    from huying.orgs.models import User

    rng = random.Random(SEED)
    sets = {kind: queries(kind, args.lookups, rng) for kind in KINDS}
    print(f"\n== in process: hub_selectors.search, {args.lookups} lookups a kind; load {loadavg()}")
    for username in USERS:
        user = User.objects.select_related("org").get(username=username)
        for q in sets["name"][:20]:  # warm the connection and the caches
            hub_selectors.search(user, q)
        for kind in KINDS:
            latencies, found = [], 0
            deadline = time.perf_counter() + args.kind_seconds
            for q in sets[kind]:
                started = time.perf_counter()
                result = hub_selectors.search(user, q)
                latencies.append(time.perf_counter() - started)
                found += bool(result.residents)
                if time.perf_counter() > deadline:
                    break
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                hub_selectors.search(user, sets[kind][0])
            latencies.sort()
            p50, p95, p99 = (pct(latencies, p) * 1000 for p in (50, 95, 99))
            print(
                f"  {username:<10} {kind:<11} n={len(latencies):<5} found={found:<5} "
                f"p50={p50:6.1f}  p95={p95:6.1f}  p99={p99:6.1f} ms  "
                f"queries={len(ctx.captured_queries)}  load {loadavg()}",
                flush=True,
            )
            figures.add(
                f"in process, {username}, {kind}", f"p95 {p95:.1f} ms, p50 {p50:.1f} ms, "
                f"p99 {p99:.1f} ms (n={len(latencies)})", "p95 < 50 ms", verdict(p95 < TARGET_MS),
            )  # fmt: skip
            if args.explain:
                explain(user, sets[kind][0])
    return sets


def explain(user, q: str) -> None:
    from huying.datahub import hub_selectors

    visible = hub_selectors.residents_visible_to(user).select_related("village", "town")
    key, matches = hub_selectors._match(user, q, visible)
    print(f"    plan ({key}, {q!r}):")
    for line in matches[: hub_selectors.LIMIT + 1].explain().splitlines()[:14]:
        print(f"      {line}")


# --- HTTP ----------------------------------------------------------------------------------------

WRK_POST = r"""
local bodies = {%(bodies)s}
local headers = {["Authorization"] = "%(authorization)s", ["Content-Type"] = "application/json"}
local counter = 0
function setup(thread) thread:set("offset", math.random(1, #bodies)) end
function init(args) counter = tonumber(offset) or 0 end
function request()
  counter = counter + 1
  return wrk.format("POST", "%(path)s", headers, bodies[(counter %% #bodies) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "duration_us": %%d, "p50_us": %%d, '
    .. '"p95_us": %%d, "p99_us": %%d, "errors": %%d, "status": %%d}\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(url: str, clients: int, seconds: float, bodies: list[str], auth: str) -> dict:
    lua = WRK_POST % {
        "bodies": ", ".join(json.dumps(b, ensure_ascii=False) for b in bodies),
        "authorization": auth,
        "path": SEARCH_PATH,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="huying-wrk-") as script:
        script.write(lua)
        script.flush()
        done = subprocess.run(
            [WRK, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
             "-s", script.name, url],
            capture_output=True, text=True, timeout=seconds + 90, check=False,
        )  # fmt: skip
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {done.returncode} {done.stderr[-500:]}")
    r = json.loads(line[4:])
    return {
        "n": r["requests"], "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50": r["p50_us"] / 1e3, "p95": r["p95_us"] / 1e3, "p99": r["p99_us"] / 1e3,
        "errors": r["errors"] + r["status"],
    }  # fmt: skip


def run_python(url: str, clients: int, seconds: float, bodies: list[str], auth: str) -> dict:
    headers = {"Authorization": auth, "Content-Type": "application/json"}

    def make(k, i):
        return "POST", SEARCH_PATH, bodies[i % len(bodies)].encode(), headers

    run = drive(url, clients, seconds, make, 100_000)
    report("search", clients, run)
    lat = run.latencies
    return {
        "n": run.n, "rps": run.n / run.elapsed, "p50": pct(lat, 50) * 1000,
        "p95": pct(lat, 95) * 1000, "p99": pct(lat, 99) * 1000, "errors": run.errors,
    }  # fmt: skip


def measure_http(server: Server, args, sets: dict, figures: Figures) -> None:
    auth = f"Bearer {token(server.url, HTTP_USER)}"
    use_wrk = wrk_available() and not args.python_driver
    driver = run_wrk if use_wrk else run_python
    print(
        f"\n== HTTP: POST {SEARCH_PATH} as {HTTP_USER}, closed loop, {args.http_seconds:g} s "
        f"each, {'wrk -t1' if use_wrk else 'Python driver'}; load {loadavg()}"
    )
    for kind in KINDS:
        bodies = [json.dumps({"q": q}, ensure_ascii=False) for q in sets[kind]]
        for body in bodies[:10]:  # warm the workers
            status, answer = request(
                server.url, "POST", SEARCH_PATH, json.loads(body), {"Authorization": auth}
            )
            if status != 200:
                sys.exit(f"{kind}: {status} {answer[:300]!r}")
        for clients in (1, args.concurrency):
            server.drain()
            cpu = server.cpu_seconds()
            r = driver(server.url, clients, args.http_seconds, bodies, auth)
            # What one search costs the server (gunicorn's processes): the ceiling on req/s.
            per_request = (server.cpu_seconds() - cpu) / max(r["n"], 1) * 1000
            print(
                f"  {kind:<11} c={clients:<3} n={r['n']:<6} rps={r['rps']:7.1f}  "
                f"p50={r['p50']:6.1f}  p95={r['p95']:6.1f}  p99={r['p99']:6.1f} ms  "
                f"errors={r['errors']}  server cpu {per_request:.1f} ms/req  load {loadavg()}",
                flush=True,
            )
            ok = r["p95"] < TARGET_MS and not r["errors"]
            figures.add(
                f"HTTP, {kind}, {clients} client{'s' if clients > 1 else ''}",
                f"p95 {r['p95']:.1f} ms, p50 {r['p50']:.1f} ms, {r['rps']:.0f} req/s, "
                f"{r['errors']} err", "p95 < 50 ms", verdict(ok),
            )  # fmt: skip
    if args.paced_seconds > 0:
        measure_paced(server, args, sets, auth, figures)


def measure_paced(server: Server, args, sets: dict, auth: str, figures: Figures) -> None:
    """`--concurrency` users each searching every `--paced-period` s, the kinds interleaved:
    the rate people type at, not the most a closed loop can squeeze through."""
    mixed = [q for group in zip(*(sets[k] for k in KINDS), strict=False) for q in group]
    bodies = [json.dumps({"q": q}, ensure_ascii=False).encode() for q in mixed]
    headers = {"Authorization": auth, "Content-Type": "application/json"}

    def make(k, i):
        return "POST", SEARCH_PATH, bodies[i % len(bodies)], headers

    server.drain()
    run = drive_paced(server.url, args.concurrency, args.paced_seconds, args.paced_period, make)
    report(f"all kinds, every {args.paced_period:g} s", args.concurrency, run)
    p95, p50 = pct(run.latencies, 95) * 1000, pct(run.latencies, 50) * 1000
    figures.add(
        f"HTTP, all kinds, {args.concurrency} users each every {args.paced_period:g} s (open loop)",
        f"p95 {p95:.1f} ms, p50 {p50:.1f} ms, {run.n} req, {run.errors} err", "p95 < 50 ms",
        verdict(p95 < TARGET_MS and not run.errors),
    )  # fmt: skip


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", required=True, help="postgresql://…/huying_bench_lookup or /tmp/….sqlite3"
    )
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the database")
    parser.add_argument("--lookups", type=int, default=500, help="in-process lookups per kind")
    parser.add_argument("--kind-seconds", type=float, default=60,
                        help="at most this long per kind in process")  # fmt: skip
    parser.add_argument("--http-seconds", type=float, default=5, help="per kind and client count")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--paced-seconds", type=float, default=20,
                        help="seconds of the open-loop run (0: skip)")  # fmt: skip
    parser.add_argument("--paced-period", type=float, default=1.0,
                        help="each paced user searches this often (s)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument("--python-driver", action="store_true", help="not wrk")
    parser.add_argument("--only", choices=("process", "http"), default=None)
    parser.add_argument("--explain", action="store_true", help="print each kind's query plan")
    args = parser.parse_args()
    target = parse_target(args.database)
    if target.vendor == "postgresql" and target.name in NOT_THESE:
        sys.exit(f"refusing database {target.name!r}: use huying_bench_lookup")
    print(f"machine: {machine()}; load {loadavg()}")
    prepare_database(target, args.regenerate)
    env = huying_env(target)
    os.environ.update({k: env[k] for k in ("HUYING_DATABASE_URL", "HUYING_DATA_DIR",
                       "HUYING_DEBUG", "HUYING_SECRET_KEY", "DJANGO_SETTINGS_MODULE")})  # fmt: skip
    import django

    django.setup()
    from django.db import connection

    wanted = {"residents": args.residents, "seed": SEED}
    if meta() != wanted:
        if meta():
            sys.exit("the database holds other bench data: run with --regenerate")
        migrate_and_load_demo(env)
        connection.close()
        fill(target, args.residents, SEED)
        meta(wanted)
    else:
        print(f"re-using the {args.residents:,} residents in {target.name}")
        migrate(env)
    print(f"database: {database_info(target)}")
    figures = Figures()
    sets = (
        measure_in_process(args, figures)
        if args.only != "http"
        else {k: queries(k, args.lookups, random.Random(SEED)) for k in KINDS}
    )
    connection.close()
    if args.only != "process":
        server = Server(env, target.data_dir, args.workers, args.threads)
        try:
            print(f"\nserver: huying serve on {server.url} (workers {args.workers or 'default'}, "
                  f"threads {args.threads or 'default'})")  # fmt: skip
            measure_http(server, args, sets, figures)
        finally:
            server.stop()
    figures.print()
    print(f"\nmachine: {machine()}; load at the end {loadavg()}")


if __name__ == "__main__":
    main()
