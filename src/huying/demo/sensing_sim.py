"""`huying simulate sensors`: every station and enterprise of the demo district sends realistic
traffic, cameras post detections, and two incidents play on a timeline.

HJ 212 devices send real-time data every 30 s, minute data every minute and hourly and daily data
at their boundaries (Min/Avg/Max of the period's real-time values), each upload waiting for its
9014. MQTT gateways send the same as JSON telemetry. The registry is read once at the start; after
that the simulator only talks to the doors, so it can run on any machine that reaches them.

--speed runs the simulated clock faster (data times run ahead of the wall clock): a trial of the
incidents in minutes instead of an hour. The incidents, from the start:
  +2 min   a pollution event on 石井河: NH3-N and COD climb past class V (劣V), held 40 min
  +4 min   a gas leak at one enterprise: 30 %LEL (level 1), at +5 min 60 %LEL (level 2), over at +10
"""

import asyncio
import contextlib
import random
import signal
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from huying.demo.sensing_links import Hj212Link, MqttLink, Stats, post_detection, snapshot_png
from huying.demo.sensing_reporters import Incidents, Reporter, load_reporters
from huying.sensing.hj212.encode import data_packet
from huying.sensing.hj212.packet import SHANGHAI

RTD_SECONDS = 30
VIDEO_SECONDS = 20
STATS_SECONDS = 60.0
CATEGORIES = [
    "outside_shop", "road_advert", "street_vendor", "littering", "piled_materials",
    "bin_overflow", "exposed_garbage", "street_laundry", "muck_truck",
]  # fmt: skip


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 8212
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    web_url: str = "http://127.0.0.1:8000"
    speed: float = 1.0
    seconds: float = 0.0  # 0: until SIGTERM or Ctrl+C
    incidents: bool = True
    only: list[str] = field(default_factory=list)  # device code prefixes
    tokens_file: Path | None = None


class SimClock:
    """Simulated time: starts at the wall clock, runs `speed` times as fast."""

    def __init__(self, speed: float, start: datetime | None = None):
        self.speed = max(speed, 0.01)
        self.start = start or datetime.now(SHANGHAI)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def elapsed(self, at: datetime) -> float:
        return (at - self.start).total_seconds()

    async def sleep_until(self, at: datetime) -> None:
        await asyncio.sleep(max((at - self.now()).total_seconds() / self.speed, 0))


def run(options: Options) -> int:
    """Read the registry (Django is set up by the caller), then simulate until stopped."""
    reporters, cameras = load_reporters(options.only, options.tokens_file)
    if not reporters and not cameras:
        print("没有可模拟的设备：请先运行 huying demo --no-serve 载入演示区。", flush=True)
        return 1
    stats = Stats()
    print(
        f"模拟 {sum(r.door == 'hj212' for r in reporters)} 台 HJ 212 设备、"
        f"{sum(r.door == 'mqtt' for r in reporters)} 台 MQTT 采集仪、{len(cameras)} 台摄像机，"
        f"时钟 {options.speed:g} 倍速。",
        flush=True,
    )
    asyncio.run(_main(options, reporters, cameras, stats))
    print(stats.line(), flush=True)
    return 0


async def _main(options: Options, reporters: list[Reporter], cameras, stats: Stats) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    sim = SimClock(options.speed)
    incidents = Incidents.choose(reporters, enabled=options.incidents)
    incidents.announce()
    tasks = [asyncio.create_task(_device(r, sim, options, incidents, stats)) for r in reporters]
    if cameras:
        tasks.append(asyncio.create_task(_video(cameras, sim, options, stats)))
    tasks.append(asyncio.create_task(_narrate(sim, incidents, stats)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), options.seconds or None)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _device(reporter: Reporter, sim: SimClock, options: Options, incidents, stats) -> None:
    link = (
        Hj212Link(options.host, options.port, stats)
        if reporter.door == "hj212"
        else MqttLink(options.mqtt_url, reporter.mqtt_client, reporter.code, reporter.token, stats)
    )
    # Devices report at the same data times but not at the same instant: a few seconds apart.
    offset = timedelta(seconds=reporter.rng.uniform(0, 5))
    try:
        at = _next_tick(sim.now())
        while True:
            await sim.sleep_until(at + offset)
            for cn, data_time, values in reporter.tick(
                at, incidents.state(reporter, sim.elapsed(at))
            ):
                if isinstance(link, Hj212Link):
                    packet = data_packet(
                        reporter.mn, cn, data_time, values, qn=link.next_qn(), pw=reporter.password
                    )
                    await link.send(packet)
                else:
                    link.publish(reporter.topic, reporter.telemetry(cn, data_time, values))
            at = max(at + timedelta(seconds=RTD_SECONDS), _next_tick(sim.now() - offset))
    finally:
        link.close()


def _next_tick(moment: datetime) -> datetime:
    """The next real-time data time: every 30 s on the clock (…:00, …:30)."""
    base = moment.replace(second=0, microsecond=0)
    step = timedelta(seconds=RTD_SECONDS)
    while base < moment:
        base += step
    return base


async def _video(cameras, sim: SimClock, options: Options, stats: Stats) -> None:
    rng = random.Random(20261125)  # noqa: S311 (simulation)
    url = options.web_url.rstrip("/") + "/api/v1/sensing/video/detections"
    while True:
        await asyncio.sleep(max(rng.uniform(0.5, 1.5) * VIDEO_SECONDS / sim.speed, 0.2))
        _, token = rng.choice(cameras)
        box = [
            rng.randrange(0, 100),
            rng.randrange(0, 70),
            rng.randrange(20, 60),
            rng.randrange(16, 50),
        ]
        fields = {
            "category": rng.choice(CATEGORIES),
            "time": sim.now().isoformat(timespec="seconds"),
            "confidence": f"{rng.uniform(0.55, 0.98):.2f}",
            "box": f"[{box[0]}, {box[1]}, {box[2]}, {box[3]}]",
        }
        try:
            status = await asyncio.to_thread(
                post_detection, url, token, fields, snapshot_png(rng, box)
            )
        except OSError:
            status = 0
        if status in (200, 201):
            stats.video_posted += 1
        else:
            stats.video_failed += 1
            stats.warn("video", f"视频抓拍上报 {url} 未成功（{status or '无法连接'}），继续重试")


async def _narrate(sim: SimClock, incidents: Incidents, stats: Stats) -> None:
    """Say what the incidents do as they happen, and the traffic once a minute."""
    last = time.monotonic()
    while True:
        await asyncio.sleep(1.0)
        for line in incidents.news(sim.elapsed(sim.now())):
            print(line, flush=True)
        if time.monotonic() - last >= STATS_SECONDS:
            last = time.monotonic()
            print(stats.line(), flush=True)
