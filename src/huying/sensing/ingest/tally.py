"""What the doors saw, counted in memory and added to IngestTally every few seconds.

Counting on the hot path must cost nothing like a write, so the doors bump in-memory counters
(door, what) and a thread adds them to the day's rows every FLUSH_SECONDS and once more at stop.
Several ingest processes add to the same rows: the upsert adds, it never overwrites.
"""

import logging
import threading
from collections import Counter

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from huying.sensing.models import IngestTally

log = logging.getLogger("huying.sensing.ingest")

FLUSH_SECONDS = 5.0
TABLE = IngestTally._meta.db_table
UPSERT = (
    f"INSERT INTO {TABLE} (day, door, what, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
    f"ON CONFLICT (day, door, what) DO UPDATE SET count = {TABLE}.count + excluded.count"
)


class Tally:
    def __init__(self, every: float = FLUSH_SECONDS):
        self.every = every
        self._counts: Counter[tuple[str, str]] = Counter()
        self._totals: Counter[tuple[str, str]] = Counter()  # since start, for the rate log
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, door: str, what: str, count: int = 1) -> None:
        """Thread-safe: the MQTT door counts from its client thread."""
        with self._lock:
            self._counts[door, what] += count

    def totals(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._totals + self._counts)

    def flush(self) -> int:
        """Add the counts so far to the database; returns how many rows it touched."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._totals.update(counts)
        if not counts:
            return 0
        day = timezone.localdate()
        rows = [(day, door, what, n) for (door, what), n in sorted(counts.items())]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(UPSERT, rows)
        except Exception:  # counts are not worth stopping ingest for; try again next time
            log.exception("flushing the ingest tally failed")
            close_old_connections()
            with self._lock:
                self._counts.update(counts)
                self._totals.subtract(counts)
            return 0
        return len(rows)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ingest-tally", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Flush what is left (from the tally's thread: the caller may run an event loop)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.flush()
        self.flush()
        close_old_connections()


_tally: Tally | None = None
_tally_lock = threading.Lock()


def tally() -> Tally:
    """The process-wide tally every door counts into; `huying ingest` starts and stops it."""
    global _tally
    with _tally_lock:
        if _tally is None:
            _tally = Tally()
        return _tally
