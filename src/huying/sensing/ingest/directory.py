"""Who a packet is from: the devices by HJ 212 MN, cached in the ingest process.

A door checks every packet against it, so a lookup must not touch the database. The cache is
reloaded at most every REFRESH_SECONDS (in the background: lookups keep using the old copy)
and on a miss, because a device registered a minute ago must be accepted without a restart;
misses reload at most every MISS_SECONDS so a flood from unknown MNs cannot hammer the database.

The database is read in a thread of its own: Django refuses queries from a thread that runs an
asyncio loop, and the TCP door calls `by_mn` from one.
"""

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

from django.db import close_old_connections

log = logging.getLogger("huying.sensing.ingest")

REFRESH_SECONDS = 30.0
MISS_SECONDS = 5.0


class DeviceRef(NamedTuple):
    id: int
    code: str
    kind: str
    hj212_password: str
    is_active: bool


def load_devices() -> dict[str, DeviceRef]:
    from huying.sensing.models import Device

    close_old_connections()
    rows = Device.objects.exclude(mn=None).values_list(
        "mn", "id", "code", "kind", "hj212_password", "is_active"
    )
    return {mn: DeviceRef(*rest) for mn, *rest in rows}


class Directory:
    def __init__(self, load=load_devices, clock=time.monotonic):
        self._load = load
        self._clock = clock
        self._by_mn: dict[str, DeviceRef] = {}
        self._loaded_at = float("-inf")
        self._missed_at = float("-inf")
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ingest-directory")
        self._background: Future | None = None

    def by_mn(self, mn: str) -> DeviceRef | None:
        found = self._by_mn.get(mn)
        now = self._clock()
        if found is not None:
            if now - self._loaded_at > REFRESH_SECONDS:
                self._refresh_in_background()
            return found
        if now - self._missed_at < MISS_SECONDS:
            return None
        self._missed_at = now
        self.refresh()
        return self._by_mn.get(mn)

    def refresh(self) -> None:
        """Reload now (waits for the database thread)."""
        self._pool.submit(self._reload).result()

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._background is None or self._background.done():
                self._loaded_at = self._clock()  # one reload at a time, not one per lookup
                self._background = self._pool.submit(self._reload)

    def _reload(self) -> None:
        try:
            devices = self._load()
        except Exception:  # keep serving the known devices; the next refresh tries again
            log.exception("reloading the device directory failed")
            return
        self._by_mn = devices
        self._loaded_at = self._clock()

    def __len__(self) -> int:
        return len(self._by_mn)


_directory: Directory | None = None
_directory_lock = threading.Lock()


def directory() -> Directory:
    """The process-wide directory (every door of an ingest process shares it)."""
    global _directory
    with _directory_lock:
        if _directory is None:
            _directory = Directory()
        return _directory
