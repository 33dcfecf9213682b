"""Tokens of the demo devices that send over MQTT or HTTP (gateways on MQTT, cameras), kept in
var/sensing-demo-tokens.json (0600) so that `huying simulate sensors` can use them.

A token is shown once and only its sha256 is stored, so the file is the simulator's only copy:
a device whose stored hash still matches the file keeps its token (a second run changes
nothing); any other gets a new one.
"""

import json
import os
from pathlib import Path

from django.conf import settings

from huying.sensing.choices import DeviceKind, Door
from huying.sensing.models import Device
from huying.sensing.tokens import hash_token, issue_token

FILE_NAME = "sensing-demo-tokens.json"


def tokens_path() -> Path:
    return Path(settings.DATA_DIR) / FILE_NAME


def read_tokens(path: Path | None = None) -> dict[str, str]:
    """Device code -> token; empty when the file is missing or unreadable."""
    path = path or tokens_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def ensure_tokens(summary) -> dict[str, str]:
    known = read_tokens()
    tokens = {}
    devices = Device.objects.filter(is_active=True).filter(
        door__in=(Door.MQTT, Door.HTTP)
    ) | Device.objects.filter(kind=DeviceKind.CAMERA)
    for device in devices.order_by("code"):
        token = known.get(device.code)
        kept = token is not None and hash_token(token) == device.token_hash
        tokens[device.code] = token if kept else issue_token(device)
        summary.count("设备令牌", created=not kept)
    if tokens != known:
        _write(tokens_path(), tokens)
    return tokens


def _write(path: Path, tokens: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(tokens, out, ensure_ascii=False, indent=1, sort_keys=True)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
