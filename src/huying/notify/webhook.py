"""The generic webhook channel: POST the message as JSON, with a timeout, no redirects.

The body carries the message's fields (see `services._payload`) plus `message_id` (the same
id on every retry, for the receiver to drop duplicates: delivery is at least once) and the
`msgtype`/`text` pair a WeChat Work group robot reads, so a robot's URL works as it is; an SMS
gateway sits behind a small adapter that takes this JSON. Any 2xx answer is success, unless
the answer is JSON with a non-zero `errcode` (how WeChat Work reports a refusal).
"""

import http.client
import json
import urllib.error
import urllib.request

ANSWER_KEEP_BYTES = 2000


class DeliveryError(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET and look like success: treat it as failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def body_for(message) -> dict:
    payload = message.payload
    return {
        **payload,
        "message_id": message.pk,
        "msgtype": "text",
        "text": {"content": "\n".join(p for p in (payload["title"], payload["body"]) if p)},
    }


def send(url: str, message, timeout: float) -> None:
    """Deliver one message; raise DeliveryError with a readable reason on any failure."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"webhook 地址应以 http:// 或 https:// 开头：{url!r}")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(body_for(message), ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "huying-notify/1",
            "X-Huying-Message-Id": str(message.pk),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            answer = response.read(ANSWER_KEEP_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}：{_text(exc.read(ANSWER_KEEP_BYTES))}") from exc
    except TimeoutError as exc:
        raise DeliveryError(f"{timeout:g} 秒内没有应答（超时）") from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise DeliveryError(f"{timeout:g} 秒内没有应答（超时）") from exc
        raise DeliveryError(f"无法连接：{reason}") from exc
    _check_errcode(answer)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip()


def _check_errcode(answer: bytes) -> None:
    try:
        parsed = json.loads(answer)
    except ValueError:
        return  # not JSON: the 2xx status is the answer
    if isinstance(parsed, dict) and parsed.get("errcode") not in (None, 0):
        raise DeliveryError(f"对方拒收：errcode {parsed['errcode']} {parsed.get('errmsg', '')}")
