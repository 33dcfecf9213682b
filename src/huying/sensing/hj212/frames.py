"""Cut a TCP byte stream into HJ 212 frames: ##, 4-digit length, data segment, CRC, CR LF.

Never raises on what the peer sends: every problem comes back as a FrameError in the result
list, and the framer resynchronises on the next "##".
"""

from typing import NamedTuple

from huying.sensing.hj212.crc import crc16
from huying.sensing.hj212.errors import FrameError

MIN_SEGMENT = 20  # shorter than "ST=91;CN=9014;PW=;MN=;CP=&&&&" cannot be a packet
MAX_SEGMENT = 9999  # the length field has four digits
MAX_WITHOUT_FRAME = 64 * 1024
CRLF = b"\r\n"


class Frame(NamedTuple):
    segment: bytes  # the CRC-checked data segment, for parse_segment
    crc: int


class Framer:
    """One per connection. feed() returns the frames and errors the new bytes completed."""

    def __init__(self, max_without_frame: int = MAX_WITHOUT_FRAME):
        self.buffer = bytearray()
        self.max_without_frame = max_without_frame
        self.since_frame = 0  # bytes received since the last good frame
        self.in_garbage = False  # a run of garbage is reported once, when it starts

    def feed(self, data: bytes) -> list:
        if self.buffer:
            data = bytes(self.buffer) + data
        self.since_frame += len(data)
        out = []
        pos = self._scan(data, out)
        self.buffer = bytearray(data[pos:])
        if self.since_frame > self.max_without_frame:
            out.append(FrameError("too_long", f"{self.since_frame} B"))
            self.since_frame = 0
        return out

    def _scan(self, data: bytes, out: list) -> int:
        """Appends what data[pos:] holds; returns where the unfinished rest begins."""
        pos, size = 0, len(data)
        find, append = data.find, out.append
        while pos < size:
            start = find(b"##", pos)
            if start < 0:
                # keep a trailing "#": it may be the first half of the next "##"
                keep = size - 1 if data[-1] == 0x23 else size
                self._garbage(data, pos, keep, out)
                return keep
            while start + 2 < size and data[start + 2] == 0x23:
                start += 1  # "###…": the header is the last two
            if start > pos:
                self._garbage(data, pos, start, out)
            if size - start < 6:
                return start
            self.in_garbage = False
            digits = data[start + 2 : start + 6]
            length = int(digits) if digits.isdigit() else -1
            end = start + length + 12
            if MIN_SEGMENT <= length <= MAX_SEGMENT and size >= end and data[end - 2 : end] == CRLF:
                segment = data[start + 6 : end - 6]
                try:
                    declared = int(data[end - 6 : end - 2], 16)
                except ValueError:
                    declared = -1
                if declared == crc16(segment):
                    append(Frame(segment, declared))
                    self.since_frame = 0
                    pos = end
                    continue
            step = self._bad(data, start, length, end, out)
            if step == 0:
                return start  # incomplete: wait for more bytes
            pos = start + step
        return pos

    def _garbage(self, data, start, end, out) -> None:
        if end <= start:
            return
        if not self.in_garbage:
            out.append(FrameError("garbage", f"{end - start} B", data[start:end]))
        self.in_garbage = True

    def _bad(self, data, pos, length, end, out) -> int:
        """Why the frame at pos failed and how many bytes to skip; 0 when it is unfinished."""
        if not MIN_SEGMENT <= length <= MAX_SEGMENT:
            out.append(FrameError("length", repr(data[pos + 2 : pos + 6]), data[pos : pos + 40]))
            return 2
        if len(data) < end:
            return 0
        raw = data[pos:end]
        if raw[-2:] != CRLF:
            out.append(FrameError("no_crlf", "", raw))
            return 2  # the length was wrong or the frame cut: look for the next "##"
        try:
            declared = int(raw[-6:-2], 16)
        except ValueError:
            out.append(FrameError("syntax", f"CRC {raw[-6:-2]!r}", raw))
            return len(raw)
        actual = crc16(raw[6:-6])
        out.append(FrameError("crc", f"{declared:04X} ≠ {actual:04X}", raw))
        return len(raw)
