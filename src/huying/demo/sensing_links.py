"""How the simulated devices reach the platform: one long-lived HJ 212 connection per device
(each upload waits for its 9014; a lost connection is made again and the upload resent), one
MQTT client per gateway (QoS 1), and camera analysers posting detections over HTTP.

Everything goes to loopback addresses the operator gave; every retry is bounded in time.
"""

import asyncio
import json
import logging
import random
import struct
import time
import urllib.error
import urllib.request
import uuid
import zlib
from urllib.parse import urlsplit

from huying.sensing.hj212.encode import qn_now

log = logging.getLogger("huying.demo.simulator")

REPLY_SECONDS = 10.0
CONNECT_BACKOFF = (0.5, 1.0, 2.0, 4.0, 5.0)
WARN_EVERY = 30.0


class Stats:
    def __init__(self):
        self.hj212_acked = 0
        self.hj212_resent = 0
        self.mqtt_published = 0
        self.video_posted = 0
        self.video_failed = 0
        self._warned: dict[str, float] = {}

    def warn(self, what: str, message: str) -> None:
        """One line per kind of trouble per WARN_EVERY seconds: 500 devices, one message."""
        now = time.monotonic()
        if now - self._warned.get(what, float("-inf")) >= WARN_EVERY:
            self._warned[what] = now
            print(message, flush=True)

    def line(self) -> str:
        return (
            f"模拟：HJ 212 已确认 {self.hj212_acked:,} 包（重发 {self.hj212_resent:,}），"
            f"MQTT 已发送 {self.mqtt_published:,} 条，视频抓拍 {self.video_posted:,} 次"
            f"（失败 {self.video_failed:,}）"
        )


class Hj212Link:
    """One device's connection to the HJ 212 door."""

    def __init__(self, host: str, port: int, stats: Stats):
        self.host, self.port, self.stats = host, port, stats
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self._last_qn = 0

    def next_qn(self) -> str:
        """The request number: the time in milliseconds, but never twice the same for one
        device (several uploads go out in one millisecond), so each 9014 names its packet."""
        self._last_qn = max(int(qn_now()), self._last_qn + 1)
        return str(self._last_qn)

    async def send(self, packet: bytes) -> None:
        """Send until the door answers 9014 for this packet's QN (Flag=5 asks for it)."""
        qn = packet.split(b"QN=", 1)[1].split(b";", 1)[0]
        attempt = 0
        while True:
            if await self._exchange(packet, qn):
                self.stats.hj212_acked += 1
                return
            self.close()
            self.stats.hj212_resent += attempt > 0
            await asyncio.sleep(CONNECT_BACKOFF[min(attempt, len(CONNECT_BACKOFF) - 1)])
            attempt += 1

    async def _exchange(self, packet: bytes, qn: bytes) -> bool:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(packet)
            await self.writer.drain()
            while True:
                line = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), REPLY_SECONDS)
                if b"CN=9014" in line and b"QN=" + qn + b";" in line:
                    return True
        except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError):
            self.stats.warn(
                "hj212",
                f"HJ 212 端口 {self.host}:{self.port} 无法连接或未应答，正在重试"
                "（ingest 是否已启动？）",
            )
            return False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class MqttLink:
    """One gateway's MQTT client; paho keeps the connection and queues while it is down."""

    def __init__(self, url: str, client_id: str, username: str, token: str, stats: Stats):
        from paho.mqtt.client import CallbackAPIVersion, Client, MQTTv311

        parts = urlsplit(url)
        self.stats = stats
        self.client = Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False,
            protocol=MQTTv311,
        )  # fmt: skip
        self.client.username_pw_set(username, token)
        self.client.max_queued_messages_set(1000)  # bounded while the broker is away
        self.client.reconnect_delay_set(1, 10)
        self.client.connect_async(parts.hostname or "127.0.0.1", parts.port or 1883, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, document: dict) -> None:
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        info = self.client.publish(topic, body, qos=1)
        if info.rc == 0:
            self.stats.mqtt_published += 1
        else:
            self.stats.warn("mqtt", f"MQTT 发送未成功（{info.rc}），代理是否可用？")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


# --- video ---------------------------------------------------------------------------------------


def post_detection(url: str, token: str, fields: dict, snapshot: bytes) -> int:
    """POST one detection as multipart (what api_video takes); returns the HTTP status."""
    boundary = uuid.uuid4().hex
    body = _multipart(boundary, fields, ("snapshot", "snapshot.png", "image/png", snapshot))
    request = urllib.request.Request(  # noqa: S310 (the operator's loopback URL)
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _multipart(boundary: str, fields: dict, file: tuple[str, str, str, bytes]) -> bytes:
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    name, filename, content_type, data = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def snapshot_png(rng: random.Random, box: list[int], width=160, height=120) -> bytes:
    """A small street-like picture: grey road, a coloured block where the analyser saw something."""
    x, y, w, h = box
    colour = bytes(rng.randrange(60, 255) for _ in range(3))
    rows = []
    for row in range(height):
        line = bytearray()
        for col in range(width):
            if x <= col < x + w and y <= row < y + h:
                line += colour
            else:
                shade = 90 + (row * 60) // height + rng.randrange(0, 12)
                line += bytes((shade, shade, shade + 6))
        rows.append(b"\x00" + bytes(line))  # filter type 0 per scan line
    return png(width, height, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    """An 8-bit RGB PNG from filtered scan lines."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
