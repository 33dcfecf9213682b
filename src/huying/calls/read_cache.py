"""The calls API's busiest reads, cached per process and invalidated by a generation counter.

Department workbenches poll the call list and people keep a call's page open all day; almost
every poll asks again for what has not changed. Every write of calls ends by bumping one
counter (`changed`, in the writer's transaction, just before the audit head that it locks
anyway), and a read is cached under (generation, user, language, path): a reader that sees
the generation it cached at gets the cached answer; any write anywhere makes every entry old.
Because the bump commits with the write, a reader can never see the new generation with the
old rows. One generation for the whole district is enough at a district's write rate (a few
steps a minute); a city would key generations by department (see docs/architecture.md).

Two things change an answer without a write, and are handled here:
- the clock: `seconds_left` and `overdue` of each call are worked out at every request from
  the deadlines kept with the entry (`api_render.Timed`);
- which calls are overdue (`?overdue=…`): a call crosses its deadline with no write, so such
  an entry is good only until the next deadline among the calls it could hold
  (`selectors.next_crossing`), read when the entry is made.
Every entry lives `MAX_AGE` at most (of the platform clock), which bounds what a change outside
the calls app (an org renamed) can leave stale. Entries stay in the process (no pickling, no
network): a hit costs one primary-key read of the generation and a dictionary look-up.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.http import HttpRequest
from django.utils import translation

from huying.calls.models import ReadGeneration

MAX_AGE = timedelta(seconds=60)


@dataclass(frozen=True)
class Built:
    """What a read built: its data, and until when it holds if no write happens (None: until
    `MAX_AGE`)."""

    data: object
    until: datetime | None = None
    keep: bool = True  # False: too big to keep (a page of hundreds of calls)


@dataclass(frozen=True)
class Entry:
    generation: int
    made: datetime  # a clock set back in time (tests, a corrected server) invalidates it too
    until: datetime
    data: object


class _Lru:
    """A bounded, thread-safe map, least recently used out first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self._lock:
            self._items[key] = entry
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_entries = _Lru(2048)


def changed() -> None:
    """Make every cached read old: call it in the transaction of any write that changes what
    the call list or a call's detail shows (before `audit.record_many`, like the head lock)."""
    if not ReadGeneration.objects.filter(pk=1).update(value=F("value") + 1):
        ReadGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


def generation() -> int:
    """The committed generation, read in one round trip (it is read by every cached request)."""
    table = ReadGeneration._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = 1")  # noqa: S608 (our table name)
        row = cursor.fetchone()
    return row[0] if row else 0


def cached(request: HttpRequest, build: Callable[[datetime], Built], now: datetime) -> object:
    """`build(now)`'s data for this user, language and path: from the cache while no write of
    calls has happened since and the entry has not run out."""
    if not settings.CALLS_READ_CACHE:
        return build(now).data
    key = (request.auth.pk, translation.get_language(), request.get_full_path())
    current = generation()
    entry = _entries.get(key)
    if entry is not None and entry.generation == current and entry.made <= now < entry.until:
        return entry.data
    built = build(now)
    if not built.keep:
        return built.data
    until = now + MAX_AGE
    if built.until is not None:
        until = min(until, built.until)
    _entries.put(key, Entry(current, now, until, built.data))
    return built.data


def clear() -> None:
    """Forget every entry (tests that move the clock or change settings)."""
    _entries.clear()
