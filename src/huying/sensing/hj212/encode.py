"""Write HJ 212-2017 packets: data uploads (whole or split into PNUM/PNO parts) and replies."""

import math
from datetime import datetime
from decimal import Decimal

from huying.sensing.hj212.codes import KINDS
from huying.sensing.hj212.crc import crc16
from huying.sensing.hj212.packet import FLAG_A, FLAG_D, SHANGHAI, Packet

MAX_CP = 900  # CP characters per part when split: stays far below the 9999 the length allows


def encode(segment: str) -> bytes:
    """## + length + segment + CRC (upper-case hex) + CR LF."""
    body = segment.encode("ascii")
    if len(body) > 9999:
        raise ValueError(f"data segment of {len(body)} bytes: HJ 212 allows 9999")
    return b"##%04d%s%04X\r\n" % (len(body), body, crc16(body))


def number(value) -> str:
    """Shortest text that parses back to the same float, never in exponent form."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text.removesuffix(".0")


def qn_now() -> str:
    return datetime.now(SHANGHAI).strftime("%Y%m%d%H%M%S%f")[:17]


def data_time_text(when: datetime) -> str:
    return when.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")


def cp_items(values: dict, kind: str) -> list[str]:
    """One item per parameter: code-Rtd=v,code-Flag=f (real-time) or Min/Avg/Max/Flag.

    values: {code: (value, flag)}; for aggregates value may be (min, avg, max).
    """
    items = []
    for code, (value, flag) in values.items():
        if kind == "rtd":
            parts = [f"{code}-Rtd={number(value)}"]
        else:
            low, avg, high = value if isinstance(value, tuple) else (value, value, value)
            parts = [
                f"{code}-Min={number(low)}",
                f"{code}-Avg={number(avg)}",
                f"{code}-Max={number(high)}",
            ]
        items.append(",".join([*parts, f"{code}-Flag={flag}"]))
    return items


def _kind(cn: str, kind: str | None) -> str:
    return kind or KINDS.get(cn) or "rtd"


def _segment(qn, st, cn, pw, mn, flag, cp: str, parts: tuple[int, int] | None = None) -> str:
    pieces = [f"QN={qn}"] if qn else []
    if parts:
        pieces += [f"PNUM={parts[0]}", f"PNO={parts[1]}"]
    pieces += [f"ST={st}", f"CN={cn}", f"PW={pw}", f"MN={mn}", f"Flag={flag}", f"CP=&&{cp}&&"]
    return ";".join(pieces)


def data_packet(
    mn, cn, data_time, values, qn=None, pw="123456", st="32", flag=5, kind=None
) -> bytes:
    """A 2017 data upload (CN 2011 real-time, 2051 minute, 2061 hour, 2031 day)."""
    items = [f"DataTime={data_time_text(data_time)}", *cp_items(values, _kind(cn, kind))]
    return encode(_segment(qn or qn_now(), st, cn, pw, mn, flag, ";".join(items)))


def split_packet(
    mn, cn, data_time, values, qn=None, pw="123456", st="32", flag=5, kind=None, max_cp=MAX_CP
) -> list[bytes]:
    """The same upload as PNUM/PNO parts (Flag's D bit set), each CP under max_cp characters.

    Every part carries DataTime so a receiver that does not reassemble can still use it.
    """
    stamp = f"DataTime={data_time_text(data_time)}"
    chunks, current = [], []
    for item in cp_items(values, _kind(cn, kind)):
        if current and len(stamp) + sum(len(i) + 1 for i in current) + len(item) > max_cp:
            chunks.append(current)
            current = []
        current.append(item)
    chunks.append(current)
    if len(chunks) == 1:
        return [data_packet(mn, cn, data_time, values, qn, pw, st, flag, kind)]
    qn = qn or qn_now()
    total = len(chunks)
    return [
        encode(_segment(qn, st, cn, pw, mn, flag | FLAG_D, ";".join([stamp, *c]), (total, n)))
        for n, c in enumerate(chunks, start=1)
    ]


def data_reply(packet: Packet) -> bytes:
    """CN 9014: the upload with this QN arrived."""
    return encode(_segment(packet.qn, "91", "9014", packet.pw, packet.mn, 4, ""))


def request_reply(packet: Packet, qn_rtn: int = 1) -> bytes:
    """CN 9011: the request with this QN is accepted (QnRtn=1) or refused."""
    cp = f"QnRtn={qn_rtn}"
    return encode(_segment(packet.qn, "91", "9011", packet.pw, packet.mn, 4, cp))


def reply_for(packet: Packet) -> bytes | None:
    """What the platform answers, if the packet's Flag asks for an answer (bit A)."""
    if packet.flag is None or not packet.flag & FLAG_A:
        return None
    head = packet.cn[:1]
    if head == "2":
        return data_reply(packet)
    if head in ("1", "3"):
        return request_reply(packet)
    return None  # replies (9xxx) and anything else are never answered
