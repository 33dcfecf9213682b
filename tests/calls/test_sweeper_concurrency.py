"""Two sweepers at once, as separate processes on one database, never act twice on a call."""

import json
import os
import subprocess
import time
import uuid

from tests.live import HUYING, _database

SETUP = """
from datetime import timedelta
from huying.calls import services
from huying.calls.models import Matter
from huying.core import clock
from huying.orgs.models import Org, User
matter, _ = Matter.objects.get_or_create(
    code="ZF-CONC", defaults=dict(domain="law_enforcement", name="并发测试事项",
    lead_department=Org.objects.get(code="440111-cgj"), response_seconds=1800,
    resolution_working_days=3))
caller = User.objects.get(username="yuncheng")
with clock.frozen_at(clock.now() - timedelta(days=40)):
    for i in range({n}):
        new = services.NewCall(f"并发 {{i}}", "测试", matter=matter)
        services.create_call(actor=caller, new=new)
"""

COUNT = """
import json
from django.db.models import Count, Q
from huying.calls.models import AccountabilityCase, Call
calls = Call.objects.annotate(
    urged=Count("events", filter=Q(events__kind="urged")),
    opened=Count("events", filter=Q(events__kind="case_opened")))
print(json.dumps({"calls": calls.count(),
                  "urged": sorted(set(calls.values_list("urged", flat=True))),
                  "opened": sorted(set(calls.values_list("opened", flat=True))),
                  "cases": AccountabilityCase.objects.count()}))
"""


def _env(tmp_path, url):
    env = {
        **os.environ,
        "HUYING_DATA_DIR": str(tmp_path),
        "HUYING_DEBUG": "0",
        "HUYING_SECRET_KEY": "sweep-test-" + uuid.uuid4().hex,
        "DJANGO_SETTINGS_MODULE": "huying.settings",
    }
    env.pop("HUYING_DATABASE_URL", None)
    if url:
        env["HUYING_DATABASE_URL"] = url
    return env


def _shell(env, code):
    result = subprocess.run(
        [*HUYING, "manage", "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout


def test_two_sweepers_at_once_climb_each_rung_once(tmp_path):
    with _database(os.environ.get("HUYING_DATABASE_URL", "")) as url:
        env = _env(tmp_path, url)
        subprocess.run(
            [*HUYING, "demo", "--no-serve", "--no-history"],  # only the calls made below
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        _shell(env, SETUP.format(n=200))
        sweepers = [
            subprocess.Popen(
                [*HUYING, "sweep", "--only", "calls.sweep"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [s.communicate(timeout=300) for s in sweepers]
        assert all(s.returncode == 0 for s in sweepers), outputs
        counts = json.loads(_shell(env, COUNT).strip().splitlines()[-1])
    # Forty days late: each call is urged once (straight to level 2) and referred once.
    assert counts == {"calls": 200, "urged": [1], "opened": [1], "cases": 200}
    # Both processes did work or one took it all; together exactly 200 escalations.
    escalated = sum(int(out.split("二级督办 ")[1].split("，")[0]) for out, _ in outputs)
    assert escalated == 200


# Many small chunks, both sweepers released at once, so their chunk claims interleave.
CHUNKED = """
import json, os, time
from huying.calls import sweeps
sweeps.CHUNK = 5
open({ready!r}, "w").close()
while not os.path.exists({go!r}):
    time.sleep(0.01)
report = sweeps.sweep()
print(json.dumps({{"calls": report.calls, "escalated": report.escalated}}))
"""


def test_two_chunked_sweepers_at_once_claim_each_call_once(tmp_path):
    with _database(os.environ.get("HUYING_DATABASE_URL", "")) as url:
        env = _env(tmp_path, url)
        subprocess.run(
            [*HUYING, "demo", "--no-serve", "--no-history"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        _shell(env, SETUP.format(n=120))
        go, ready = tmp_path / "go", [tmp_path / f"ready-{i}" for i in range(2)]
        sweepers = [
            subprocess.Popen(
                [*HUYING, "manage", "shell", "-c", CHUNKED.format(ready=str(r), go=str(go))],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for r in ready
        ]
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.05)
        go.touch()
        outputs = [s.communicate(timeout=300) for s in sweepers]
        assert all(s.returncode == 0 for s in sweepers), outputs
        counts = json.loads(_shell(env, COUNT).strip().splitlines()[-1])
    # No chunk ran into the other sweeper's rows (a clash would be logged and retried).
    assert not any("calls sweep" in err for _, err in outputs), outputs
    assert counts == {"calls": 120, "urged": [1], "opened": [1], "cases": 120}
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    climbed = reports[0]["calls"] + reports[1]["calls"]
    assert sorted(climbed) == sorted(set(climbed)) and len(climbed) == 120
    assert reports[0]["escalated"] + reports[1]["escalated"] == 120
