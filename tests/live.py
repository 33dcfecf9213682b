"""A real Huying, run as a user runs it: `huying demo --no-serve`, then `huying serve` and
`huying worker` side by side.

Used by the real-HTTP and browser tests. It gets its own data directory and, on the
PostgreSQL pass, its own throw-away database, so it never touches the test database.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg

HUYING = [sys.executable, "-m", "huying.cli"]
# The running server's environment (data dir, database): a browser test that needs rows the
# demo does not make writes them with it (tests/browser/test_household_offline.py).
LIVE_ENV: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _database(base_url: str):
    """SQLite: a file in the data dir. PostgreSQL: a fresh database, dropped afterwards."""
    if not base_url.startswith("postgres"):
        yield None
        return
    name = f"huying_live_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_huying(data_dir: Path):
    env = {
        **os.environ,
        "HUYING_DATA_DIR": str(data_dir),
        "HUYING_DEBUG": "0",
        "HUYING_SECRET_KEY": "live-test-secret-" + uuid.uuid4().hex,
        "DJANGO_SETTINGS_MODULE": "huying.settings",
    }
    env.pop("HUYING_DATABASE_URL", None)
    base_url = os.environ.get("HUYING_DATABASE_URL", "")
    with _database(base_url) as pg_url:
        if pg_url:
            env["HUYING_DATABASE_URL"] = pg_url
        LIVE_ENV.clear()
        LIVE_ENV.update(env)
        subprocess.run(
            # The year of call history is tested in-process (tests/demo/test_call_history.py);
            # here it would only slow every live session down.
            [*HUYING, "demo", "--no-serve", "--no-history"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        port = free_port()
        log = open(data_dir / "serve.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [*HUYING, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [*HUYING, "worker", "--interval", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server)
            yield url
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                process.wait(timeout=20)
            log.close()


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"huying serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("huying serve did not become healthy in time")
