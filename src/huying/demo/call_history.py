"""The demo's year of call history, made through the real services.

About 450 calls over the twelve months before now, each with its whole event trail: created,
routed, signed, returned and arbitrated, progress, resolved, rejected and redone, confirmed and
rated. The calls' steps run in time order with the clock frozen at each step, and the real
sweeper runs between them whenever a warning, urging or escalation falls due, so warnings,
urgings and accountability cases arise exactly as the worker would have made them. Steps that
would fall after now do not happen: those calls are open today. The 云城北二路 story
(yuncheng_story.py) runs in the same timeline.

Idempotent: the story's call marks a loaded history (one transaction: all or nothing), and a
second run adds nothing. Deterministic for a given `now` (seeded dice and names).
"""

import contextlib
import heapq
import itertools
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from faker import Faker

from huying.calls import sweeps
from huying.calls.choices import CallStatus
from huying.calls.models import Call
from huying.core import clock
from huying.demo import yuncheng_story
from huying.demo.history_flows import Flow, Stage, play
from huying.demo.history_people import cast_of_the_history
from huying.demo.history_plan import ORDINARY_CALLS, Planner
from huying.notify import services as notify_services
from huying.notify.selectors import inbox_of
from huying.orgs.models import User

SEED = 20261124
SWEEP_LAG = timedelta(seconds=20)  # the worker sweeps every 30 s: it acts a little after due
READ_BEFORE = timedelta(days=7)  # older notifications were read long ago


@dataclass
class HistorySummary:
    calls: int = 0
    loaded: bool = False  # False: a history was already there and nothing was added
    accounts: int = 0
    sweeps: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.loaded:
            return f"一年的呼叫记录已存在，未重复载入（共 {self.calls} 件呼叫）。"
        states = "，".join(f"{CallStatus(k).label} {v}" for k, v in self.by_status.items())
        return (
            f"{self.calls} 件（{states}），新建历史账号 {self.accounts} 个，"
            f"用时 {self.seconds:.1f} 秒。"
        )


def history_exists() -> bool:
    return Call.objects.filter(
        title=yuncheng_story.TITLE, matter__code=yuncheng_story.MATTER
    ).exists()


@transaction.atomic
def load_demo_history(*, now: datetime | None = None) -> HistorySummary:
    started = time.perf_counter()
    now = now or clock.now()
    if history_exists():
        return HistorySummary(calls=Call.objects.count())
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    faker = Faker("zh_CN")
    faker.seed_instance(SEED + 1)  # not the district's names: its contacts are other people
    with clock.frozen_at(now):
        cast = cast_of_the_history(faker)
    stage = Stage(cast=cast, rng=rng, faker=faker)
    planner = Planner(stage, now)
    timeline = Timeline(now)
    for _ in range(ORDINARY_CALLS):
        timeline.add(play(planner.ordinary(), stage))
    for script in planner.set_pieces():
        timeline.add(play(script, stage))
    timeline.add(yuncheng_story.story(stage, now))
    with _inbox_only():
        timeline.run()
    with clock.frozen_at(now):
        _mark_old_notifications_read(now - READ_BEFORE)
    return _summary(timeline, cast.created, time.perf_counter() - started)


class Timeline:
    """Every flow's next step in time order, with the sweeper in between."""

    def __init__(self, now: datetime):
        self.now = now
        self.queue: list[tuple[datetime, int, Flow]] = []
        self.order = itertools.count()
        self.sweeps = 0
        self.calls = 0
        self.last = now - timedelta(days=400)  # the latest moment acted at: never goes back

    def add(self, flow: Flow) -> None:
        self.calls += 1
        self._push(next(flow), flow)

    def _push(self, moment: datetime, flow: Flow) -> None:
        if moment < self.now:  # a step after now has not happened yet: the call stays open
            heapq.heappush(self.queue, (moment, next(self.order), flow))

    def run(self) -> None:
        while self.queue:
            moment, _, flow = heapq.heappop(self.queue)
            self._sweep_until(moment)
            self.last = moment = max(moment, self.last)
            with clock.frozen_at(moment):
                try:
                    following = flow.send(None)
                except StopIteration:
                    continue
            self._push(max(following, moment), flow)
        self._sweep_until(self.now)

    def _sweep_until(self, moment: datetime) -> None:
        """Run the sweeper as the worker would have, at each alert that fell due before now."""
        while True:
            due = Call.objects.aggregate(due=Min("next_alert_at"))["due"]
            if due is None or due + SWEEP_LAG > moment:
                return
            # An alert that a step made due in the past (a redo restarts the resolution
            # clock) is seen by the next sweep, not back in time.
            self.last = at = max(due + SWEEP_LAG, self.last)
            with clock.frozen_at(at):
                report = sweeps.sweep(at)
            self.sweeps += 1
            if not report.calls:  # nothing climbed: stop rather than spin
                return


@contextlib.contextmanager
def _inbox_only():
    """A year of past steps is not news: keep its notices off the outside channel (webhook)."""
    url = settings.NOTIFY_WEBHOOK_URL
    settings.NOTIFY_WEBHOOK_URL = ""
    try:
        yield
    finally:
        settings.NOTIFY_WEBHOOK_URL = url


def _mark_old_notifications_read(before: datetime) -> None:
    """A year of notices would bury today's: the old ones were read at the time."""
    for user in User.objects.filter(is_active=True).order_by("pk"):
        unread = inbox_of(user).filter(read_at__isnull=True, created_at__lt=before)
        ids = list(unread.values_list("pk", flat=True))
        for start in range(0, len(ids), notify_services.MARK_READ_MAX):
            notify_services.mark_read(user, ids[start : start + notify_services.MARK_READ_MAX])


def _summary(timeline: Timeline, accounts: int, seconds: float) -> HistorySummary:
    counts = Call.objects.values("status").order_by("status").annotate(n=Count("pk"))
    by_status = {row["status"]: row["n"] for row in counts}
    return HistorySummary(
        calls=timeline.calls,
        loaded=True,
        accounts=accounts,
        sweeps=timeline.sweeps,
        seconds=seconds,
        by_status=by_status,
    )
