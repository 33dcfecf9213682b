"""The `huying worker` loop: heartbeats, periodic sweeps, and queued background tasks.

Sweeps are registered by the apps (in their AppConfig.ready) with `register_sweep`.
A sweep's last run lives in memory only on purpose: sweeps are idempotent and their
deadlines live in the database, so a restarted worker simply runs each sweep once at start.
"""

import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F

from huying.core import clock
from huying.core.models import WorkerHeartbeat

log = logging.getLogger("huying.worker")


@dataclass
class Sweep:
    name: str
    every_seconds: int
    run: Callable[[], object]
    last_run: float = field(default=float("-inf"))


SWEEPS: dict[str, Sweep] = {}


def register_sweep(name: str, every_seconds: int, run: Callable[[], object]) -> None:
    SWEEPS[name] = Sweep(name, every_seconds, run)


def beat(name: str, kind: str, started_at) -> None:
    now = clock.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(
        beat_at=now, pid=os.getpid(), beats=F("beats") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "pid": os.getpid(),
                "started_at": started_at,
                "beat_at": now,
                "beats": 1,
            },
        )


def run_due_sweeps(monotonic_now: float) -> list[str]:
    ran = []
    for sweep in SWEEPS.values():
        if monotonic_now - sweep.last_run < sweep.every_seconds:
            continue
        sweep.last_run = monotonic_now
        try:
            result = sweep.run()
            log.info("sweep %s: %s", sweep.name, result)
            ran.append(sweep.name)
        except Exception:  # one failing sweep must not stop the others or the loop
            log.exception("sweep %s failed", sweep.name)
    return ran


def run_queued_tasks(max_tasks: int = 50) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=_name(),
        excluded_queue_names=[],
    ).run()


def _name() -> str:
    return f"worker@{socket.gethostname()}:{os.getpid()}"


class _Stop:
    requested = False


def run(*, once: bool = False, interval: float | None = None) -> None:
    interval = settings.WORKER_INTERVAL_SECONDS if interval is None else interval
    name, started_at = _name(), clock.now()
    stop = _Stop()

    def request_stop(signum, frame):
        log.info("worker %s stopping (signal %s)", name, signum)
        stop.requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("worker %s started; sweeps: %s", name, ", ".join(SWEEPS) or "none")
    while not stop.requested:
        close_old_connections()
        beat(name, "worker", started_at)
        run_due_sweeps(time.monotonic())
        run_queued_tasks()
        if once:
            break
        _sleep(interval, stop)
    close_old_connections()


def _sleep(seconds: float, stop: _Stop) -> None:
    deadline = time.monotonic() + seconds
    while not stop.requested and time.monotonic() < deadline:
        time.sleep(min(0.2, deadline - time.monotonic()))
