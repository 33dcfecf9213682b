"""What the door tests share: devices committed for real (the doors look them up from their own
threads, which cannot see a test's open transaction), an asyncio loop in a thread for the doors,
a real pipeline, and the readings as stored.

Device codes carry a per-run suffix, so parallel runs on one broker never see each other's
messages; the devices and their samples are deleted at the end.
"""

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.db import connections
from paho.mqtt.client import CallbackAPIVersion, Client, MQTTv311

from huying.core import clock
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org
from huying.sensing import store, tokens
from huying.sensing.ingest import mqtt_door
from huying.sensing.ingest.pipeline import Pipeline
from huying.sensing.models import Device, Sample

RUN = uuid.uuid4().hex[:10]
BROKER = ("127.0.0.1", 1883)  # the real Mosquitto
ROOT = f"huying-test-{RUN}/v1"


class LoopThread:
    """An event loop in a thread of its own, as `huying ingest` runs its doors."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def make_device(name: str, **fields) -> tuple[Device, str]:
    """A committed device and its token."""
    town = Org.objects.filter(kind__in=[OrgKind.TOWN, OrgKind.STREET]).first()
    department = Org.objects.filter(kind=OrgKind.DEPARTMENT).first()
    device = Device.objects.create(
        code=f"t-{name}-{RUN}", name=f"测试设备 {name}", kind="gateway", town=town,
        department=department, **fields,
    )  # fmt: skip
    return device, tokens.issue_token(device)


def remove_devices(devices) -> None:
    ids = [d.pk for d in devices]
    Sample.objects.filter(device_id__in=ids).delete()
    Device.objects.filter(pk__in=ids).delete()
    tokens.forget()


@contextmanager
def running_pipeline(**options):
    pipeline = Pipeline(**options)
    pipeline.start()
    try:
        yield pipeline
    finally:
        # The writer keeps its connection (CONN_MAX_AGE); an open one stops PostgreSQL from
        # dropping the test database, so the writer thread closes it as its last act.
        pipeline.submit([], lambda ok: connections.close_all())
        pipeline.stop()


def readings(device) -> list[tuple]:
    return sorted(store.readings_of(Sample.objects.filter(device=device)))


def wait_for(check: Callable[[], object], timeout: float = 20.0):
    """Poll until check() is truthy (a bound on waiting, not an assertion on time)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def base_time():
    """A recent whole second: readings are accepted up to a day ahead, so stay in the past."""
    return (clock.now() - timedelta(hours=1)).replace(microsecond=0)


def forget_session(client_id: str) -> None:
    """A clean connect with the same id discards the door's persistent session on the broker."""
    client = Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.connect(*BROKER)
    client.disconnect()


@contextmanager
def running_mqtt_door(pipeline, client_id: str):
    loop = LoopThread()
    door = loop.run(
        mqtt_door.serve(pipeline, host=BROKER[0], port=BROKER[1], client_id=client_id,
                        topic_root=ROOT)
    )  # fmt: skip
    try:
        assert door.subscribed.wait(20), "the door did not subscribe"
        yield door
    finally:
        loop.run(door.close())
        loop.stop()
        forget_session(client_id)


class Publisher:
    def __init__(self):
        self.client = Client(
            CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:10]}",
            protocol=MQTTv311,
        )  # fmt: skip
        self.client.connect(*BROKER)
        self.client.loop_start()

    def send(self, device_code: str, payload) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.client.publish(mqtt_door.topic_for(device_code, ROOT), data, qos=1)
        info.wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
