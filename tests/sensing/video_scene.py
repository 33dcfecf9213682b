"""Cameras, categories and real image bytes for the video-event tests."""

import struct
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from huying.orgs.models import Org
from huying.sensing import tokens
from huying.sensing.choices import DeviceKind, Door, VideoSource
from huying.sensing.models import Device, VideoCategory

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CGJ = "440111-cgj"


def png(width: int = 64, height: int = 36, rgb: tuple[int, int, int] = (90, 120, 90)) -> bytes:
    """A real PNG (decodable by any browser): a flat colour with a lighter band."""
    rows = b""
    for y in range(height):
        colour = bytes(min(c + 60, 255) if height // 3 < y < height // 2 else c for c in rgb)
        rows += b"\x00" + colour * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))  # fmt: skip


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"


def camera(code: str = "CAM-YC-001", town: str = "云城街道", gb: str | None = None) -> Device:
    return Device.objects.create(
        code=code, name=f"{town}摄像机 {code[-3:]}", kind=DeviceKind.CAMERA, door=Door.HTTP,
        town=Org.objects.get(name=town), department=Org.objects.get(code=CGJ),
        address=f"{town}云城西路 {code[-3:]} 号", lat="23.176", lon="113.290",
        gb28181_id=gb,
    )  # fmt: skip


def token_for(device: Device) -> str:
    return tokens.issue_token(device)


def category(code: str = "street_vendor") -> VideoCategory:
    return VideoCategory.objects.get(code=code)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


HTTP = VideoSource.HTTP
