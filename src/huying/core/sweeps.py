"""Housekeeping of the core app, run by the worker."""

from datetime import timedelta

from huying.core import clock
from huying.core.models import WorkerHeartbeat

# A process silent this long is gone (restarted under a new pid); drop it from /metrics.
HEARTBEAT_KEEP = timedelta(days=1)


def prune_heartbeats() -> int:
    return WorkerHeartbeat.objects.filter(beat_at__lt=clock.now() - HEARTBEAT_KEEP).delete()[0]
