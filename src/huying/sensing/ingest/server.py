"""`huying ingest`: every door in one process, in front of one pipeline.

The doors run on an asyncio loop in the main thread; the pipeline's writer, the tally and the
heartbeat each have a thread, because Django may not query from a thread that runs a loop.
SIGTERM or SIGINT: stop accepting, send the replies still owed, store what is queued, exit.
Nothing acknowledged is lost even on SIGKILL: a reply is only sent after its commit.

With --processes N, N processes share the HJ 212 port (SO_REUSEPORT: the kernel spreads the
connections); the first runs every door, the others only HJ 212.
"""

import asyncio
import importlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from huying.core import clock
from huying.core.worker import beat
from huying.sensing import rules_engine
from huying.sensing.ingest.directory import directory
from huying.sensing.ingest.pipeline import Pipeline
from huying.sensing.ingest.tally import tally

log = logging.getLogger("huying.sensing.ingest")

# Door modules, each with `async def serve(pipeline, *, host=None, port=None) -> Closer`.
DOORS = (
    "huying.sensing.ingest.tcp_door",
    "huying.sensing.ingest.mqtt_door",
    "huying.sensing.ingest.http_door",
    "huying.sensing.ingest.sip_door",
)
TCP_DOOR = "huying.sensing.ingest.tcp_door"


def door_name(path: str) -> str:
    """What `--doors` calls a door module: hj212, mqtt, http, sip."""
    module = path.rsplit(".", 1)[1].removesuffix("_door")
    return "hj212" if module == "tcp" else module


DOOR_NAMES = tuple(door_name(path) for path in DOORS)
BEAT_SECONDS = 5.0
SUMMARY_SECONDS = 10.0


def run(
    *, host=None, port=None, processes=1, idle_seconds=None, doors=None, reuse_port=False
) -> int:
    """Run until SIGTERM/SIGINT; Django is set up by the caller (the CLI). `doors`: names
    from DOOR_NAMES (default all)."""
    name = f"ingest@{socket.gethostname()}:{os.getpid()}"
    children = [_spawn_helper(host, port, idle_seconds) for _ in range(processes - 1)]
    directory().refresh()
    pipeline = Pipeline(after_store=[rules_engine.after_store])
    pipeline.start()
    counts = tally()
    counts.start()
    beats = Beats(name, pipeline)
    beats.start()
    doors = [path for path in DOORS if doors is None or door_name(path) in doors]
    try:
        asyncio.run(
            _serve(
                pipeline, doors, host, port, idle_seconds, reuse_port=reuse_port or processes > 1
            )
        )
    finally:
        for child in children:
            child.terminate()
        pipeline.stop()
        counts.stop()
        beats.stop()
        for child in children:
            child.wait(60)
    log.info("%s stopped: %d readings stored", name, pipeline.stats.readings)
    return 0


async def _serve(pipeline, doors, host, port, idle_seconds, reuse_port) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    closers = []
    for path in doors:
        module = importlib.import_module(path)
        if path == TCP_DOOR:
            closer = await module.serve(
                pipeline, host=host, port=port, idle_seconds=idle_seconds, reuse_port=reuse_port
            )
        else:
            closer = await module.serve(pipeline)
        closers.append(closer)
    print(f"ingest ready: {', '.join(map(door_name, doors))}", flush=True)
    await stop.wait()
    log.info("ingest stopping: draining the doors")
    for closer in closers:
        await closer.close()


def _spawn_helper(host, port, idle_seconds) -> subprocess.Popen:
    command = [
        *[sys.executable, "-m", "huying.cli", "ingest", "--doors", "hj212", "--reuse-port"],
        *["--processes", "1"],  # a helper never spawns helpers of its own
    ]
    if host is not None:
        command += ["--host", host]
    if port is not None:
        command += ["--port", str(port)]
    if idle_seconds is not None:
        command += ["--idle-seconds", str(idle_seconds)]
    # Our own interpreter and arguments; preexec_fn is safe here: no threads run yet.
    return subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: S603


def _die_with_parent() -> None:
    """A helper must not outlive its parent (killed with SIGKILL it cannot stop them): Linux
    sends the helper SIGTERM when the parent dies, and the helper then drains and exits."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: the helpers stop when the parent stops them
        pass


class Beats:
    """Heartbeat (like the worker's) and a one-line rate summary, from a thread of their own."""

    def __init__(self, name: str, pipeline: Pipeline):
        self.name = name
        self.pipeline = pipeline
        self.started_at = clock.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingest-beat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        last_beat = last_summary = float("-inf")
        seen = (0, 0, time.monotonic())
        while not self._stop.wait(1.0):
            now = time.monotonic()
            if now - last_beat >= BEAT_SECONDS:
                last_beat = now
                self._beat()
            if now - last_summary >= SUMMARY_SECONDS:
                last_summary = now
                seen = self._summary(seen)

    def _beat(self) -> None:
        try:
            beat(self.name, "ingest", self.started_at)
        except Exception:  # the heartbeat's absence is the alarm; ingest goes on
            log.exception("ingest heartbeat failed")

    def _summary(self, seen: tuple[int, int, float]) -> tuple[int, int, float]:
        stats = self.pipeline.stats
        readings, samples, since = seen
        now = time.monotonic()
        seconds = max(now - since, 1e-9)
        rejected = sum(
            n for (_, what), n in tally().totals().items() if what not in _NOT_REJECTIONS
        )
        log.info(
            "ingest: %.0f readings/s, %.0f samples/s, %d readings in all, %d batches, "
            "%d waiting, %d failed batches, %d packets rejected or not stored",
            (stats.readings - readings) / seconds,
            (stats.samples - samples) / seconds,
            stats.readings,
            stats.batches,
            self.pipeline.pending(),
            stats.failed_batches,
            rejected,
        )
        return stats.readings, stats.samples, now


_NOT_REJECTIONS = frozenset({"accepted", "readings", "part", "joined", "idle_closed"})
