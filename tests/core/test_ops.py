"""Operational endpoints over real HTTP: /healthz, /metrics, /api/docs, vendored assets."""

import json
import re
import time
import urllib.request
from urllib.error import HTTPError

import pytest

from huying.core import clock, metrics, worker
from huying.core.models import WorkerHeartbeat


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def test_healthz_reports_the_database(live_huying):
    status, _, body = _get(f"{live_huying}/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}


def test_metrics_count_requests_and_errors(live_huying):
    _get(f"{live_huying}/api/v1/orgs")  # 401
    status, headers, body = _get(f"{live_huying}/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert 'huying_http_requests_total{method="GET",route="api/v1/orgs",status="401"}' in body
    assert "huying_http_request_duration_seconds_bucket" in body


@pytest.mark.django_db
def test_server_errors_are_counted_by_route():
    before = metrics.ERRORS.labels("test/route")._value.get()
    metrics.observe_request("GET", "test/route", 503, 0.2)
    metrics.observe_request("GET", "test/route", 200, 0.1)
    assert metrics.ERRORS.labels("test/route")._value.get() == before + 1
    assert 'huying_http_errors_total{route="test/route"}' in metrics.render().decode()


def test_openapi_docs_are_served_without_a_cdn(live_huying):
    status, _, page = _get(f"{live_huying}/api/docs")
    assert status == 200
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
    status, _, spec = _get(f"{live_huying}/api/openapi.json")
    paths = json.loads(spec)["paths"]
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/orgs/{code}" in paths


def test_vendored_assets_are_served(live_huying):
    for path in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/echarts/echarts.min.js",
        "/static/huying/app.css",
    ):
        status, _, body = _get(live_huying + path)
        assert status == 200, path
        assert len(body) > 1000


def test_request_id_is_echoed(live_huying):
    _, headers, _ = _get(f"{live_huying}/healthz", {"X-Request-ID": "trace-123"})
    assert headers["X-Request-ID"] == "trace-123"


def test_token_login_and_scoped_read_over_real_http(live_huying):
    body = json.dumps({"username": "helong", "password": "huying-demo"}).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{live_huying}/api/v1/auth/token",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        token = json.loads(response.read())["token"]
    status, _, orgs = _get(
        f"{live_huying}/api/v1/orgs?limit=500", {"Authorization": f"Bearer {token}"}
    )
    names = {item["name"] for item in json.loads(orgs)["items"]}
    assert status == 200
    assert "鹤龙街道" in names and "云城街道" not in names


def test_running_worker_reports_its_heartbeat(live_huying):
    """The live server runs `huying worker` beside it, as `huying demo` does."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, _, body = _get(f"{live_huying}/metrics")
        if 'huying_worker_heartbeats{kind="worker"' in body:
            break
        time.sleep(0.5)
    assert re.search(r'huying_worker_heartbeat_age_seconds\{kind="worker",name="worker@', body)


@pytest.mark.django_db
def test_heartbeats_count_up_and_sweeps_wait_for_their_interval(monkeypatch):
    ran = []
    monkeypatch.setattr(worker, "SWEEPS", {})
    worker.register_sweep("test.sweep", 3600, lambda: ran.append(1))
    started = clock.now()
    for _ in range(2):
        worker.beat("worker@test:1", "worker", started)
    assert worker.run_due_sweeps(10_000.0) == ["test.sweep"]
    assert worker.run_due_sweeps(10_000.0 + 3599) == []  # within the hour: not again
    assert worker.run_due_sweeps(10_000.0 + 3600) == ["test.sweep"]
    assert WorkerHeartbeat.objects.get(name="worker@test:1").beats == 2
    assert ran == [1, 1]


@pytest.mark.django_db
def test_a_failing_sweep_does_not_stop_the_others(monkeypatch):
    ran = []
    monkeypatch.setattr(worker, "SWEEPS", {})

    def broken():
        raise ValueError("boom")

    worker.register_sweep("test.broken", 60, broken)
    worker.register_sweep("test.ok", 60, lambda: ran.append(1))
    assert worker.run_due_sweeps(1_000_000.0) == ["test.ok"]
    assert ran == [1]
