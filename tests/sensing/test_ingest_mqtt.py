"""The MQTT door against the real Mosquitto on 127.0.0.1:1883: what is published is stored as
sent, the door's PUBACK goes out only once the row exists, what was not acknowledged comes again
(and is stored once), and a poison message is counted and acknowledged.

The topic root carries a per-run suffix, so parallel runs on one broker do not collide."""

import threading
from datetime import timedelta

import pytest

from huying.sensing import store
from huying.sensing.ingest.tally import tally
from huying.sensing.models import Sample
from tests.sensing.doors import (
    RUN,
    Publisher,
    base_time,
    make_device,
    readings,
    remove_devices,
    running_mqtt_door,
    running_pipeline,
    wait_for,
)


class Spy:
    """What the door received and when it acknowledged: the rows stored at that moment."""

    def __init__(self, door, device):
        self.received: list[int] = []
        self.acks: list[tuple[int, int]] = []
        ack, on_message = door.client.ack, door.client.on_message

        def spy_ack(mid, qos):
            self.acks.append((mid, Sample.objects.filter(device=device).count()))
            return ack(mid, qos)

        def spy_message(client, userdata, message):
            self.received.append(message.mid)
            on_message(client, userdata, message)

        door.client.ack = spy_ack
        door.client.on_message = spy_message
        self.undo = lambda: (
            delattr(door.client, "ack"),
            setattr(door.client, "on_message", on_message),
        )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), running_pipeline() as pipeline:
        made = {name: make_device(name)[0] for name in ("stored", "gate", "poison", "again")}
        publisher = Publisher()
        with running_mqtt_door(pipeline, f"huying-ingest-test-{RUN}") as door:
            yield door, publisher, made
        publisher.close()
        remove_devices(made.values())


# Committed for real, as the doors' threads see it: no transaction around the test, and an
# empty `available_apps` so that nothing is flushed after it (the demo district stays).
committed = pytest.mark.django_db(transaction=True, available_apps=[])


def payload(start, values=None):
    values = values or {"w01018": 23.1, "lel": {"value": 3.0, "flag": "D"}}
    return {"samples": [{"time": start.isoformat(), "kind": "minute", "values": values}]}


@committed
def test_published_readings_are_stored_as_sent(world):
    _, publisher, devices = world
    device, start = devices["stored"], base_time()
    publisher.send(device.code, payload(start))
    expected = [(device.pk, "lel", start, 3.0, "D"), (device.pk, "w01018", start, 23.1, "N")]
    assert wait_for(lambda: readings(device) == expected)
    assert Sample.objects.get(device=device).kind == 2  # minute data
    assert Sample.objects.get(device=device).door == "mqtt"


@committed
@committed
def test_puback_only_after_the_row_exists_and_unacknowledged_comes_again(world, monkeypatch):
    door, publisher, devices = world
    device, start = devices["gate"], base_time()
    entered, release = threading.Event(), threading.Event()
    write = store.write

    def gated_write(samples):
        entered.set()
        assert release.wait(30)
        return write(samples)

    monkeypatch.setattr(store, "write", gated_write)
    spy = Spy(door, device)
    try:
        publisher.send(device.code, payload(start))
        assert entered.wait(20)
        assert spy.acks == [] and readings(device) == []  # held by the store: not acknowledged
        # The connection drops before the store is done: the broker delivers the message again.
        door._drop_connection()
        assert wait_for(lambda: len(spy.received) == 2)
        release.set()
        assert wait_for(lambda: spy.acks)
    finally:
        release.set()
        spy.undo()
    assert len(spy.acks) == 1  # only the delivery on the live connection is acknowledged
    assert spy.acks[0][1] == 1  # ... and when it was, the row was there
    assert len(readings(device)) == 2  # stored once though delivered twice


@committed
def test_a_resend_is_stored_once(world):
    door, publisher, devices = world
    device, start = devices["again"], base_time()
    spy = Spy(door, device)
    try:
        publisher.send(device.code, payload(start))
        publisher.send(device.code, payload(start))
        assert wait_for(lambda: len(spy.acks) == 2)
    finally:
        spy.undo()
    assert Sample.objects.filter(device=device).count() == 1
    assert len(readings(device)) == 2


@committed
def test_bad_payload_and_unknown_device_are_counted_and_acknowledged(world):
    door, publisher, devices = world
    device, start = devices["poison"], base_time()
    before = tally().totals()
    spy = Spy(door, device)
    try:
        publisher.send(device.code, b"{not json")
        bad_time = payload(start)
        bad_time["samples"][0]["time"] = "soon"
        publisher.send(device.code, bad_time)
        publisher.send(f"nobody-{RUN}", payload(start))
        publisher.send(device.code, payload(start))  # a good one after them
        assert wait_for(lambda: len(spy.acks) == 4)
    finally:
        spy.undo()
    after = tally().totals()
    assert after.get(("mqtt", "bad_payload"), 0) - before.get(("mqtt", "bad_payload"), 0) == 2
    assert after.get(("mqtt", "unknown_device"), 0) - before.get(("mqtt", "unknown_device"), 0) == 1
    assert [mid for mid, _ in spy.acks] == spy.received  # all acknowledged, in order
    assert wait_for(lambda: len(readings(device)) == 2)


@committed
def test_reconnects_after_losing_the_broker(world):
    door, publisher, devices = world
    door._drop_connection()
    assert wait_for(lambda: not door.subscribed.is_set() or door.subscribed.is_set())
    assert door.subscribed.wait(30)
    device, start = devices["stored"], base_time() + timedelta(minutes=5)
    publisher.send(device.code, payload(start))
    assert wait_for(lambda: any(r[2] == start for r in readings(device)))
