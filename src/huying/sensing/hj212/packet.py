"""Parse an HJ 212 data segment or whole packet into a Packet, and its CP into readings.

The hot path of ingest: str.split/partition only, one small object per packet, readings as
plain tuples (mn, code, kind, time, value, flag).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from huying.sensing.hj212.codes import KINDS, KNOWN_CODES, OLD_CODES
from huying.sensing.hj212.crc import crc16
from huying.sensing.hj212.errors import FrameError

SHANGHAI = ZoneInfo("Asia/Shanghai")
FLAG_A = 1  # the sender wants a reply
FLAG_D = 2  # the message is split into PNUM/PNO parts
_CODES_2017 = frozenset(c for c in KNOWN_CODES if c[:1] == "w")
_times: dict[str, datetime] = {}  # devices share report times: parse each text once


class Packet:
    __slots__ = ("cn", "cp_text", "data_time", "flag", "mn", "pno", "pnum", "pw", "qn", "st")

    def __init__(self, qn, st, cn, pw, mn, flag, pnum, pno, cp_text, data_time):
        self.qn, self.st, self.cn, self.pw, self.mn = qn, st, cn, pw, mn
        self.flag, self.pnum, self.pno = flag, pnum, pno
        self.cp_text = cp_text
        self.data_time = data_time

    def __repr__(self):
        return f"<Packet CN={self.cn} MN={self.mn} QN={self.qn} {self.data_time}>"

    @property
    def cp(self) -> list[tuple[str, str]]:
        """The CP fields in order, e.g. [("DataTime", "2016…"), ("B01-Rtd", "36.91"), …]."""
        return [_pair(item) for item in _items(self.cp_text)]

    def field(self, key: str) -> str | None:
        """One CP field by its full name, e.g. field("011-Max")."""
        for name, value in self.cp:
            if name == key:
                return value
        return None

    @property
    def edition(self) -> str:
        if self.qn is not None or self.flag is not None:
            return "2017"
        codes = {name.partition("-")[0] for name, _ in self.cp}
        return "2017" if codes & _CODES_2017 else "2005"


def _items(cp_text: str) -> list[str]:
    return [item for item in cp_text.replace(",", ";").split(";") if item]


def _pair(item: str) -> tuple[str, str]:
    key, _, value = item.partition("=")
    return key, value


def needs_reply(packet: Packet) -> bool:
    return packet.flag is not None and bool(packet.flag & FLAG_A)


def has_parts(packet: Packet) -> bool:
    return packet.flag is not None and bool(packet.flag & FLAG_D)


def parse_time(text: str) -> datetime:
    """DataTime: yyyyMMddHHmmss, or with milliseconds (17 digits) as older devices send."""
    found = _times.get(text)
    if found is not None:
        return found
    if len(text) not in (14, 17) or not text.isdigit():
        raise FrameError("time", text[:20])
    try:
        value = datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
            int(text[14:17] or 0) * 1000,
            tzinfo=SHANGHAI,
        )
    except ValueError:
        raise FrameError("time", text) from None
    if len(_times) > 10_000:
        _times.clear()
    _times[text] = value
    return value


def parse_segment(segment: str | bytes) -> Packet:
    """The data segment (between the length and the CRC): header fields, then CP=&&…&&."""
    if isinstance(segment, bytes):
        try:
            segment = segment.decode("ascii")
        except UnicodeDecodeError:
            raise FrameError("syntax", "non-ASCII") from None
    head, sep, rest = segment.partition("CP=&&")
    if not sep or rest[-2:] != "&&" or head[-1:] != ";":
        raise FrameError("syntax", "…;CP=&&…&&")
    flat = head[:-1].replace(";", "=").split("=")
    if len(flat) != 2 * head.count(";"):  # some item lacks its "="
        raise FrameError("syntax", head[:40])
    fields = dict(zip(flat[::2], flat[1::2], strict=True))
    cn, mn = fields.get("CN"), fields.get("MN")
    if not cn or mn is None:
        raise FrameError("syntax", "CN/MN")
    cp_text = rest[:-2]
    at = cp_text.find("DataTime=")
    data_time = None
    if at >= 0:
        # 18 characters: one more than the longest valid form, so a longer value stays invalid
        text = cp_text[at + 9 : at + 27].partition(";")[0].partition(",")[0]
        data_time = parse_time(text)
    flag, pnum, pno = fields.get("Flag"), fields.get("PNUM"), fields.get("PNO")
    if flag is not None or pnum is not None or pno is not None:
        flag, pnum, pno = _int(flag), _int(pnum), _int(pno)
    return Packet(
        fields.get("QN"),
        fields.get("ST", ""),
        cn,
        fields.get("PW", ""),
        mn,
        flag,
        pnum,
        pno,
        cp_text,
        data_time,
    )


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit():
        raise FrameError("syntax", text[:10])
    return int(text)


def split_line(line: bytes) -> tuple[bytes, int]:
    """A whole packet's data segment and the CRC it declares; checks framing, not the CRC."""
    line = line.rstrip(b"\r\n")
    if line[:2] != b"##":
        raise FrameError("garbage", repr(line[:20]), line)
    digits = line[2:6]
    if len(digits) != 4 or not digits.isdigit():
        raise FrameError("length", repr(digits), line)
    size = int(digits)
    if len(line) != size + 10:
        raise FrameError("size", f"{size} ≠ {len(line) - 10}", line)
    crc_text = line[6 + size :]
    try:
        declared = int(crc_text, 16)
    except ValueError:
        raise FrameError("syntax", f"CRC {crc_text!r}", line) from None
    return line[6 : 6 + size], declared


def parse_line(line: str | bytes) -> Packet:
    """A whole packet (##, length, segment, CRC, optional CR LF): length and CRC checked."""
    if isinstance(line, str):
        line = line.encode("utf-8")
    segment, declared = split_line(line)
    actual = crc16(segment)
    if actual != declared:
        raise FrameError("crc", f"{declared:04X} ≠ {actual:04X}", line)
    return parse_segment(segment)


def readings(packet: Packet, dropped: dict | None = None) -> list[tuple]:
    """(mn, code, kind, time, value, flag) per parameter: Rtd for real-time, Avg otherwise.

    Old 2005 codes become 2017 codes; other codes are kept as sent. A value that is not a
    finite number drops that reading and counts it in dropped["value"]; a data packet
    without DataTime counts its readings in dropped["no_time"]; a code sent twice keeps its
    first value and counts the others in dropped["repeat"].
    """
    kind = KINDS.get(packet.cn)
    if kind is None:
        return []
    # key, value, key, value…: one C-level split; a malformed item shifts pairs only locally
    flat = packet.cp_text.replace(",", ";").replace("=", ";").split(";")
    if len(flat) & 1:
        flat.append("")
    flat.append("N")  # what a reading without its own -Flag points at
    keys = (kind, *flat[:-1:2])
    plan, repeats = _plans.get(keys) or _plan(keys)
    mn, time, out, bad = packet.mn, packet.data_time, [], 0
    for at, code, flag_at in plan:
        try:
            value = float(flat[at])
        except ValueError:
            value = None
        if value is None or value - value != 0:  # also drops nan and inf
            bad += 1
            continue
        out.append((mn, code, kind, time, value, flat[flag_at]))
    if time is None:
        bad, untimed, out = bad, len(out), []
    else:
        untimed = 0
    if dropped is not None and (bad or untimed or repeats):
        _count(dropped, bad, untimed, repeats)
    return out


# A device sends the same CP layout every time: where its values and flags sit, per layout.
_plans: dict[tuple, tuple] = {}


def _plan(keys: tuple) -> tuple:
    """For (kind, key, key…): (value index, 2017 code, flag index) per reading in flat, and
    how many repeats of a code the layout holds (real devices send e.g. B01 three times: a
    reading is one value per code and time, so the first one counts, as for its flag)."""
    suffix = "-Rtd" if keys[0] == "rtd" else "-Avg"
    where = {}
    for i, key in enumerate(keys[1:]):
        where.setdefault(key, 2 * i + 1)
    repeats = sum(1 for key in keys[1:] if key[-4:] == suffix) - sum(
        1 for key in where if key[-4:] == suffix
    )
    plan = []
    for key, at in where.items():
        if key[-4:] == suffix:
            code = key[:-4]
            plan.append((at, OLD_CODES.get(code, code), where.get(code + "-Flag", -1)))
    if len(_plans) > 10_000:
        _plans.clear()
    _plans[keys] = plan = (tuple(plan), repeats)
    return plan


def _count(dropped: dict, bad: int, untimed: int, repeats: int) -> None:
    if repeats:
        dropped["repeat"] = dropped.get("repeat", 0) + repeats
    if bad:
        dropped["value"] = dropped.get("value", 0) + bad
    if untimed:
        dropped["no_time"] = dropped.get("no_time", 0) + untimed
