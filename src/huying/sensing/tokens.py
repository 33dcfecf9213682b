"""Device tokens: how a device proves who it is on the HTTP doors (and as its MQTT password).

A token is shown once, when issued; only its sha256 is stored (`Device.token_hash`), so a leaked
database does not leak tokens. Looking a token up is an index lookup on that hash: the hash of a
wrong token matches no row, so there is nothing to compare in a way that leaks timing.

The ingest process looks tokens up for every upload, so answers are kept for a short while
(`CACHE_SECONDS`): a token issued anew (or a device switched off) takes effect within that time.
"""

import hashlib
import secrets
import threading
import time

from django.db import transaction

from huying.core import audit
from huying.sensing.models import Device

TOKEN_PREFIX = "hyd_"  # noqa: S105 (a prefix, not a secret): tells a device token from a user's
CACHE_SECONDS = 60.0
CACHE_SIZE = 10_000  # bounded: a flood of wrong tokens cannot grow memory

_cache: dict[str, tuple[float, Device | None]] = {}
_lock = threading.Lock()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(device: Device, *, actor=None) -> str:
    """A new token for the device (the old one stops working); returned once, never stored.
    Audited: who gave a device its credentials, and when (never the token itself)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device.token_hash = hash_token(token)
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(token_hash=device.token_hash)
        audit.record("sensing.device_token_issued", actor=actor, obj=device)
    forget()
    return token


def device_for_token(token: str) -> Device | None:
    """The active device holding this token, or None."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    now = time.monotonic()
    with _lock:
        found = _cache.get(digest)
    if found is not None and found[0] > now:
        return found[1]
    device = (
        Device.objects.filter(token_hash=digest, is_active=True)
        .only("id", "code", "kind", "is_active")
        .first()
    )
    with _lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[digest] = (now + CACHE_SECONDS, device)
    return device


def forget() -> None:
    """Drop cached answers (after issuing a token, and between tests)."""
    with _lock:
        _cache.clear()
