"""The MQTT door: devices publish JSON telemetry (sensing/telemetry.py) to the broker, the door
subscribes and acknowledges a message only once the pipeline has stored it.

Topic: `huying/v1/devices/<device code>/telemetry`, QoS 1. The door subscribes through the
shared subscription `$share/huying/huying/v1/devices/+/telemetry`, so several ingest processes
split the messages between them. The broker authenticates devices and lets each publish only
under its own code (docs/sensing-telemetry.md has a Mosquitto setup); the door trusts the topic.

Acknowledged means stored: the client runs with manual acknowledgement and sends the PUBACK from
the pipeline's callback, in the order the messages came. The session is persistent (a fixed
client id, clean_session off), so what was not acknowledged when the connection or the process
died is delivered again on reconnect; the store keeps a resend once. If a batch cannot be stored
the door drops the connection, and the broker redelivers everything unacknowledged.

A message from an unknown device, on a wrong topic or with a bad payload is logged, counted in
the ingest tally and acknowledged: redelivering it would only fail again, forever.

Memory is bounded by the broker's in-flight window (Mosquitto: max_inflight_messages, 20 by
default): it sends no more until earlier messages are acknowledged.
"""

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections import deque
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import close_old_connections, connections
from paho.mqtt.client import CallbackAPIVersion, Client, MQTTMessage, MQTTv311

from huying.core import clock
from huying.core.errors import BusinessError
from huying.sensing import telemetry
from huying.sensing.choices import Door
from huying.sensing.ingest.tally import tally
from huying.sensing.models import Device

log = logging.getLogger("huying.sensing.ingest")

DOOR = Door.MQTT.value
TOPIC_ROOT = "huying/v1"
KEEPALIVE = 30
CACHE_SECONDS = 30.0
ROOM_WAIT_SECONDS = 10.0


def topic_for(device_code: str, root: str = TOPIC_ROOT) -> str:
    return f"{root}/devices/{device_code}/telemetry"


class Acks:
    """PUBACKs in arrival order, sent once each message is done (stored, or refused for good).

    A generation per connection: a message's mid means nothing after a reconnect (the broker
    reuses mids), so a late "done" from before it is dropped; the broker redelivers that one."""

    def __init__(self, client: Client):
        self.client = client
        self.generation = 0
        self._lock = threading.Lock()
        self._queue: deque[list] = deque()  # [mid, qos, done]

    def expect(self, mid: int, qos: int) -> tuple[int, list]:
        entry = [mid, qos, False]
        with self._lock:
            self._queue.append(entry)
            return self.generation, entry

    def done(self, generation: int, entry: list) -> None:
        with self._lock:
            if generation != self.generation:
                return
            entry[2] = True
            while self._queue and self._queue[0][2]:
                mid, qos, _ = self._queue.popleft()
                self.client.ack(mid, qos)

    def reset(self) -> None:
        with self._lock:
            self.generation += 1
            self._queue.clear()

    def waiting(self) -> int:
        return len(self._queue)


class DeviceCodes:
    """Device ids by code, cached: a lookup per message must not be a query per message."""

    def __init__(self):
        self._known: dict[str, tuple[float, int | None]] = {}

    def id_for(self, code: str) -> int | None:
        now = time.monotonic()
        found = self._known.get(code)
        if found is not None and found[0] > now:
            return found[1]
        device_id = (
            Device.objects.filter(code=code, is_active=True).values_list("id", flat=True).first()
        )
        if len(self._known) > 100_000:
            self._known.clear()
        self._known[code] = (now + CACHE_SECONDS, device_id)
        return device_id


class MqttDoor:
    def __init__(self, pipeline, url: str, *, client_id: str, topic_root: str = TOPIC_ROOT):
        self.pipeline = pipeline
        self.topic_root = topic_root
        self.subscription = f"$share/{settings.SENSING_MQTT_GROUP}/{topic_for('+', topic_root)}"
        self.devices = DeviceCodes()
        self.closing = False
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # the broker confirmed the subscription
        self.client = _client(url, client_id)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.acks = Acks(self.client)

    # --- connection ------------------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT broker refused the door: %s", reason_code)
            return
        self.acks.reset()  # mids of the old connection mean nothing now
        client.subscribe(self.subscription, qos=1)
        self.connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if any(code.is_failure for code in reason_codes):
            log.error(
                "MQTT broker refused the subscription %s: %s", self.subscription, reason_codes
            )
            return
        self.subscribed.set()
        log.info("MQTT door subscribed to %s", self.subscription)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self.subscribed.clear()
        self.acks.reset()
        if self.closing:
            connections.close_all()  # this thread's device lookups: it is about to end
        else:
            log.warning("MQTT door lost the broker (%s); reconnecting", reason_code)

    def _drop_connection(self) -> None:
        """Make the broker redeliver all unacknowledged messages (paho reconnects by itself)."""
        self.acks.reset()
        sock = self.client.socket()
        if sock is not None:
            with contextlib.suppress(OSError):  # already gone: paho reconnects all the same
                sock.shutdown(socket.SHUT_RDWR)

    # --- messages --------------------------------------------------------------------------

    def _on_message(self, client, userdata, message: MQTTMessage) -> None:
        if self.closing:
            return  # not acknowledged: the broker gives it to us (or a sibling) again
        generation, entry = self.acks.expect(message.mid, message.qos)
        try:
            samples = self._samples(message)
        except Exception:  # the database is away: do not acknowledge, get it again later
            log.exception("MQTT message on %s could not be handled", message.topic)
            tally().add(DOOR, "internal_error")
            close_old_connections()
            self._drop_connection()
            return
        if samples is None:
            self.acks.done(generation, entry)
            return
        self._wait_for_room()
        self.pipeline.submit(samples, lambda ok: self._stored(ok, generation, entry))

    def _samples(self, message: MQTTMessage) -> list | None:
        """The message's samples, or None for one refused for good (counted and logged)."""
        code = self._device_code(message.topic)
        device_id = self.devices.id_for(code) if code else None
        if device_id is None:
            what = "unknown_device" if code else "bad_topic"
            tally().add(DOOR, what)
            log.warning("MQTT message refused (%s): topic %s", what, message.topic[:200])
            return None
        now = clock.now()
        try:
            samples = telemetry.parse(
                message.payload, device_id=device_id, device_code=code, door=DOOR,
                received_at=now, now=now,
            )  # fmt: skip
        except BusinessError as error:
            tally().add(DOOR, "bad_payload")
            log.warning("MQTT message from %s refused: %s", code, error.message)
            return None
        return samples

    def _device_code(self, topic: str) -> str | None:
        prefix, suffix = f"{self.topic_root}/devices/", "/telemetry"
        if not (topic.startswith(prefix) and topic.endswith(suffix)):
            return None
        code = topic[len(prefix) : -len(suffix)]
        return code if code and "/" not in code else None

    def _wait_for_room(self) -> None:
        if self.pipeline.has_room():
            return
        room = threading.Event()
        self.pipeline.when_room(room.set)
        room.wait(ROOM_WAIT_SECONDS)  # bounded: the keepalive ping must still go out

    def _stored(self, ok: bool, generation: int, entry: list) -> None:
        if ok:
            tally().add(DOOR, "accepted")
            self.acks.done(generation, entry)
        else:
            tally().add(DOOR, "store_failed")
            self._drop_connection()

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, host: str, port: int) -> None:
        self.client.connect_async(host, port, keepalive=KEEPALIVE)
        self.client.loop_start()

    async def close(self, drain_seconds: float = 10.0) -> None:
        """Take no more messages, send the acknowledgements still owed, then disconnect."""
        self.closing = True
        deadline = time.monotonic() + drain_seconds
        while self.acks.waiting() and self.connected.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        self.client.disconnect()
        await asyncio.to_thread(self.client.loop_stop)


def _client(url: str, client_id: str) -> Client:
    parts = urlsplit(url)
    client = Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=False,  # a persistent session: unacknowledged messages come again
        protocol=MQTTv311,
        manual_ack=True,
    )
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
    if parts.scheme == "mqtts":
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


def default_client_id() -> str:
    return settings.SENSING_MQTT_CLIENT_ID or f"huying-ingest-{socket.gethostname()}"


async def serve(
    pipeline, *, host=None, port=None, client_id=None, topic_root=TOPIC_ROOT
) -> MqttDoor:
    """Subscribe to the broker of SENSING_MQTT_URL (host and port override the URL's)."""
    url = settings.SENSING_MQTT_URL
    parts = urlsplit(url)
    host = host or parts.hostname or "127.0.0.1"
    port = port or parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    door = MqttDoor(
        pipeline, url, client_id=client_id or default_client_id(), topic_root=topic_root
    )
    door.start(host, port)
    log.info("MQTT door connecting to %s:%s", host, port)
    return door
