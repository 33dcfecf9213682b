"""One pipeline behind every door: batches of samples are stored together (group commit), the
doors are told after the commit (only then do they acknowledge), then the rules run.

Doors run on the asyncio loop (TCP, HTTP) or in a client thread (MQTT); they `submit` samples
with a callback and get it called from the writer thread: `done(True)` once stored, `done(False)`
if the batch could not be stored (nothing is acknowledged; the device will resend).

Memory is bounded: when more than `max_pending` samples wait, `has_room()` is false and a door
stops reading from its peers until `when_room` calls it back (back-pressure, not growth).
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from huying.sensing import store
from huying.sensing.store import NewSample

log = logging.getLogger("huying.sensing.ingest")

Done = Callable[[bool], None]
AfterStore = Callable[[Sequence[NewSample]], object]


@dataclass
class Stats:
    batches: int = 0
    samples: int = 0
    new_samples: int = 0
    readings: int = 0
    failed_batches: int = 0
    write_seconds: float = 0.0
    rules_seconds: float = 0.0


@dataclass
class Pipeline:
    after_store: Sequence[AfterStore] = ()
    # Samples per transaction, and waiting: above the limit doors stop reading. The limit is
    # max_wait seconds of work at the pace the writer measures (never under one batch nor over
    # max_pending): a longer queue buys no throughput, only arrival-to-alarm latency and memory.
    max_batch: int = 4000
    max_pending: int = 8000
    max_wait: float = 0.4
    stats: Stats = field(default_factory=Stats)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._pending: deque[tuple[Sequence[NewSample], Done]] = deque()
        self._pending_samples = 0
        self._limit = self.max_pending
        self._waiting_for_room: list[Callable[[], None]] = []
        self._stopping = False
        self._thread: threading.Thread | None = None

    # --- the doors' side -----------------------------------------------------------------

    def submit(self, samples: Sequence[NewSample], done: Done) -> None:
        """Queue samples for storing; `done` is called from the writer thread. Thread-safe."""
        with self._lock:
            self._pending.append((samples, done))
            self._pending_samples += len(samples)
            self._lock.notify()

    def pending(self) -> int:
        """Samples waiting to be stored (for the rate log)."""
        return self._pending_samples

    def has_room(self) -> bool:
        return self._pending_samples < self._limit

    def when_room(self, callback: Callable[[], None]) -> None:
        """Call `callback` (from the writer thread) once the queue is below half full."""
        with self._lock:
            if self._pending_samples < self._limit // 2:
                callback()
            else:
                self._waiting_for_room.append(callback)

    # --- the writer ----------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Store what is queued, then stop (a clean shutdown loses nothing)."""
        with self._lock:
            self._stopping = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                # Its connection ends with it: an idle one left open would keep PostgreSQL
                # from dropping the database (tests) and hold a server slot (production).
                connection.close()
                return
            self._store(batch)

    def _take(self) -> list[tuple[Sequence[NewSample], Done]] | None:
        with self._lock:
            while not self._pending and not self._stopping:
                self._lock.wait()
            if not self._pending:
                return None
            batch, count = [], 0
            while self._pending and count < self.max_batch:
                item = self._pending.popleft()
                batch.append(item)
                count += len(item[0])
            self._pending_samples -= count
            if self._pending_samples < self._limit // 2 and self._waiting_for_room:
                waiting, self._waiting_for_room = self._waiting_for_room, []
            else:
                waiting = []
        for callback in waiting:
            callback()
        return batch

    def _store(self, batch: list[tuple[Sequence[NewSample], Done]]) -> None:
        samples = [sample for part, _ in batch for sample in part]
        started = time.perf_counter()
        try:
            new = store.write(samples)
        except Exception:
            log.exception("storing %d samples failed; none acknowledged", len(samples))
            self.stats.failed_batches += 1
            close_old_connections()  # a broken connection is replaced on the next batch
            for _, done in batch:
                done(False)
            return
        stored = time.perf_counter()
        for _, done in batch:
            done(True)
        self._count(samples, new, stored - started)
        for hook in self.after_store:
            try:
                hook(samples)
            except Exception:  # a failing rule must not stop ingest: readings are safe
                log.exception("after-store step %s failed", getattr(hook, "__name__", hook))
        done_at = time.perf_counter()
        self.stats.rules_seconds += done_at - stored
        self._adapt(len(samples), done_at - started)

    def _adapt(self, count: int, seconds: float) -> None:
        if seconds > 0:
            pace = count / seconds
            self._limit = int(min(self.max_pending, max(self.max_batch, pace * self.max_wait)))

    def _count(self, samples: Sequence[NewSample], new: int, seconds: float) -> None:
        self.stats.batches += 1
        self.stats.samples += len(samples)
        self.stats.new_samples += new
        self.stats.readings += sum(s.reading_count for s in samples)
        self.stats.write_seconds += seconds
