"""Prometheus metrics: requests, latencies, errors, and background-process heartbeats.

Under `huying serve` the gunicorn processes share their counters through files in
PROMETHEUS_MULTIPROC_DIR (set by the serve command), so a scrape sees the whole server.
Heartbeats are read from the database at scrape time, so any web process reports every
worker and ingest process; apps add their own such figures with `register_collector` (sensing:
today's ingest counts and the open alarms).
"""

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from huying.core import clock

REGISTRY = CollectorRegistry(auto_describe=False)

REQUESTS = Counter(
    "huying_http_requests",
    "HTTP requests served",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "huying_http_request_duration_seconds",
    "Time to serve a request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
ERRORS = Counter(
    "huying_http_errors",
    "Requests answered with a 5xx status or an exception",
    ["route"],
    registry=REGISTRY,
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)
    if status >= 500:
        ERRORS.labels(route).inc()


class HeartbeatCollector:
    def collect(self):
        from huying.core.models import WorkerHeartbeat

        last = GaugeMetricFamily(
            "huying_worker_heartbeat_timestamp_seconds",
            "Unix time of the last heartbeat of each background process",
            labels=["name", "kind"],
        )
        age = GaugeMetricFamily(
            "huying_worker_heartbeat_age_seconds",
            "Seconds since the last heartbeat of each background process",
            labels=["name", "kind"],
        )
        beats = GaugeMetricFamily(
            "huying_worker_heartbeats",
            "Heartbeats since the process started",
            labels=["name", "kind"],
        )
        now = clock.now()
        for hb in WorkerHeartbeat.objects.all():
            last.add_metric([hb.name, hb.kind], hb.beat_at.timestamp())
            age.add_metric([hb.name, hb.kind], (now - hb.beat_at).total_seconds())
            beats.add_metric([hb.name, hb.kind], hb.beats)
        yield from (last, age, beats)


_HEARTBEATS = HeartbeatCollector()
REGISTRY.register(_HEARTBEATS)
# Collectors that read the database at scrape time: the heartbeats, and what apps add.
_AT_SCRAPE = [_HEARTBEATS]


def register_collector(collector) -> None:
    """An app adds figures it keeps in the database (read at each scrape, by any web process);
    called from its AppConfig.ready(), so core needs to know nothing of the app."""
    _AT_SCRAPE.append(collector)
    REGISTRY.register(collector)


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # One registry per scrape, aggregating every process's files (the library's pattern).
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        for collector in _AT_SCRAPE:
            registry.register(collector)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
