"""Positions in, and out again after the retention period.

The hot path stays short (validate, bulk insert, commit); stay detection runs after commit.
A resent position is stored once: (inspector, at) is unique and the insert ignores conflicts,
so a phone that resends its whole offline queue does no harm.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Model

from huying.core import clock
from huying.core.errors import Forbidden, Invalid
from huying.orgs.choices import Role
from huying.patrol import stays
from huying.patrol.models import StayPoint, TrackPoint

log = logging.getLogger(__name__)

MAX_BATCH = 1000
FUTURE_SLACK = timedelta(minutes=1)  # a phone's clock may run a little ahead
SWEEP_BATCH = 5000
SWEEP_MAX_BATCHES = 40  # bounded: at most 200,000 rows per model per run; the next run goes on


@dataclass(frozen=True)
class Position:
    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None = None


def receive(inspector, positions: Sequence[Position]) -> int:
    """Store a batch of the inspector's own positions; stays are re-detected after commit."""
    if inspector.role != Role.INSPECTOR:
        raise Forbidden("只有巡查员可以上传自己的轨迹")
    _check(positions)
    if not positions:
        return 0
    now = clock.now()
    rows = [
        TrackPoint(inspector=inspector, at=p.at, lat=p.lat, lon=p.lon,
                   accuracy_m=p.accuracy_m, received_at=now)
        for p in positions
    ]  # fmt: skip
    earliest = min(p.at for p in positions)
    with transaction.atomic():
        TrackPoint.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(lambda: _after_commit(inspector, earliest))
    return len(rows)


def _check(positions: Sequence[Position]) -> None:
    if len(positions) > MAX_BATCH:
        raise Invalid(f"一批最多 {MAX_BATCH} 个定位点", field="points")
    now = clock.now()
    oldest = now - timedelta(days=settings.PATROL_TRACK_RETENTION_DAYS)
    for n, p in enumerate(positions):
        if not (-90 <= p.lat <= 90):
            raise Invalid("纬度应在 -90 到 90 之间", field=f"points.{n}.lat")
        if not (-180 <= p.lon <= 180):
            raise Invalid("经度应在 -180 到 180 之间", field=f"points.{n}.lon")
        if p.at.tzinfo is None:
            raise Invalid("定位时间须带时区（如 +08:00）", field=f"points.{n}.at")
        if p.at > now + FUTURE_SLACK:
            raise Invalid("定位时间不能晚于当前时间", field=f"points.{n}.at")
        if p.at < oldest:
            raise Invalid("定位时间已超过轨迹保存期限", field=f"points.{n}.at")
        if p.accuracy_m is not None and p.accuracy_m < 0:
            raise Invalid("精度不能为负数", field=f"points.{n}.accuracy_m")


def _after_commit(inspector, earliest: datetime) -> None:
    # The positions are already safe; a failure here must not lose them or fail the phone's
    # request. The next batch re-detects from the last stay, so nothing is lost for good.
    try:
        stays.process(inspector, earliest)
    except Exception:
        log.exception("stay detection failed for inspector %s", inspector.pk)


def sweep_retention() -> dict[str, int]:
    """Delete positions and stays older than the retention period, in bounded batches."""
    cutoff = clock.now() - timedelta(days=settings.PATROL_TRACK_RETENTION_DAYS)
    return {
        "track_points": _delete_before(TrackPoint, "at", cutoff),
        "stay_points": _delete_before(StayPoint, "ended_at", cutoff),
    }


def _delete_before(model: type[Model], field: str, cutoff: datetime) -> int:
    deleted = 0
    for _ in range(SWEEP_MAX_BATCHES):
        ids = list(
            model.objects.filter(**{f"{field}__lt": cutoff}).values_list("pk", flat=True)[
                :SWEEP_BATCH
            ]
        )
        if not ids:
            break
        deleted += model.objects.filter(pk__in=ids).delete()[0]
    return deleted
