"""`huying simulate sensors` against a real `huying ingest` (HJ 212 door) and a real web server,
over the demo district, as `make demo` runs them: the simulator is started before the door
listens and the door is restarted in the middle, and still the stations' readings are stored,
the pollution event on 石井河 raises its NH3-N alarm and becomes a call to 水务局 with 生态环境分局,
the gas leak reaches level 2 and calls 应急管理局, and camera detections arrive.

Two minutes of incident timeline run in seconds: the simulated clock runs 120 times as fast,
and only the devices of the incidents (and a few cameras) take part, to keep it quick."""

import json
import socket
import subprocess
import time

import pytest

from tests.live import HUYING, LIVE_ENV, free_port

SPEED = 120
SIMULATED = ["WQ-BYR004", "WQ-BYS04", "GW-001", "GW-002", "CAM-00"]

QUERY = """
import json
from django.db.models import Count, Min
from huying.sensing.models import Alarm, Device, Sample, VideoDetection
samples = {}
for row in Sample.objects.values("device__code", "kind", "door").annotate(n=Count("time")):
    samples.setdefault(row["device__code"], {})[str(row["kind"])] = [row["n"], row["door"]]
alarms = []
for a in Alarm.objects.select_related("rule", "device", "call__lead_department"):
    call = a.call
    alarms.append({
        "rule": a.rule.name, "device": a.device.code, "severity": a.severity,
        "events": sorted(a.events.values_list("kind", flat=True)),
        "lead": call.lead_department.short_name if call else None,
        "departments": sorted(call.assignments.values_list("department__short_name", flat=True))
        if call else [],
    })
print("RESULT" + json.dumps({
    "samples": samples, "alarms": alarms, "video": VideoDetection.objects.count(),
    "water_devices": list(
        Device.objects.filter(code__startswith="WQ-BYR004").values_list("code", flat=True)
    ),
}))
"""


def start_ingest(port: int, log) -> subprocess.Popen:
    ingest = subprocess.Popen(
        [*HUYING, "ingest", "--doors", "hj212", "--port", str(port)],
        env=LIVE_ENV, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert ingest.poll() is None, "huying ingest exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return ingest
        except OSError:
            time.sleep(0.2)
    raise AssertionError("huying ingest did not listen in time")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def simulated(live_huying, tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("simulator") / "ingest.log", "wb")  # noqa: SIM115
    simulator = subprocess.Popen(
        [*HUYING, "simulate", "sensors", "--port", str(port), "--web", live_huying,
         "--speed", str(SPEED), "--seconds", "14", "--only", *SIMULATED],
        env=LIVE_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(1.0)  # the simulator is up before the door: it must wait and retry
        ingest = start_ingest(port, log)
        time.sleep(3.0)
        stop(ingest)  # a restart in the middle: the devices reconnect and resend
        ingest = start_ingest(port, log)
        output, _ = simulator.communicate(timeout=60)
        stop(ingest)
    finally:
        if simulator.poll() is None:
            simulator.kill()
        log.close()
    result = subprocess.run(
        [*HUYING, "manage", "shell", "-c", QUERY], env=LIVE_ENV, capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    found = json.loads(result.stdout.split("RESULT", 1)[1])
    return found, output.decode()


def test_the_simulated_stations_are_stored_through_a_restart_of_the_door(simulated):
    found, output = simulated
    assert simulator_exit_summary(output)
    points = found["water_devices"]
    assert len(points) >= 1
    for code in [*points, "WQ-BYS04", "GW-001"]:
        kinds = found["samples"][code]
        assert kinds["1"][0] >= 10 and kinds["1"][1] == "hj212", code  # real-time, every 30 s
        assert kinds["2"][0] >= 5, code  # minute data
    # GW-002 speaks MQTT; the door under test is HJ 212 only: nothing of it may be stored here.
    assert "GW-002" not in found["samples"]
    assert found["video"] >= 3


def test_the_pollution_event_and_the_gas_leak_raise_alarms_that_call_the_departments(simulated):
    found, _ = simulated
    on_the_river = ("WQ-BYR004", "WQ-BYS04")
    ammonia = [
        a for a in found["alarms"]
        if a["rule"].startswith("氨氮") and a["device"].startswith(on_the_river)
    ]  # fmt: skip
    assert ammonia, found["alarms"]
    assert {a["lead"] for a in ammonia} == {"水务局"}
    assert all("生态环境分局" in a["departments"] for a in ammonia)
    leak = [
        a for a in found["alarms"] if a["device"] == "GW-001" and a["rule"].startswith("可燃气体")
    ]
    assert leak and min(a["severity"] for a in leak) == 1  # level 2: critical
    assert {a["lead"] for a in leak} == {"应急管理局"}


def simulator_exit_summary(output: str) -> bool:
    return "模拟：HJ 212 已确认" in output and "污染事件：石井河" in output
