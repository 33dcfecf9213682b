"""Join the PNUM/PNO parts of one message (same MN and QN) into one Packet."""

import time as clock
from collections import OrderedDict

from huying.sensing.hj212.packet import FLAG_D, Packet


class Reassembler:
    """Holds unfinished messages; drops those still incomplete after `timeout` seconds.

    `now` arguments are time.monotonic() seconds, so tests can drive the clock.
    """

    def __init__(self, timeout: float = 60.0, max_pending: int = 1000):
        self.timeout = timeout
        self.max_pending = max_pending
        self.pending: OrderedDict[tuple, tuple[float, dict]] = OrderedDict()
        self.counts = {"expired": 0, "evicted": 0, "duplicate": 0, "invalid": 0, "joined": 0}

    def add(self, packet: Packet, now: float | None = None) -> Packet | None:
        """The whole message when this part completes it, the packet itself when unsplit."""
        if not packet.pnum or packet.pnum <= 1:
            return packet
        now = clock.monotonic() if now is None else now
        self.expire(now)
        if not packet.pno or not 1 <= packet.pno <= packet.pnum:
            self.counts["invalid"] += 1
            return None
        key = (packet.mn, packet.qn, packet.pnum)
        if key not in self.pending:
            self._make_room()
            self.pending[key] = (now, {})
        parts = self.pending[key][1]
        if packet.pno in parts:
            self.counts["duplicate"] += 1
        parts[packet.pno] = packet
        if len(parts) < packet.pnum:
            return None
        del self.pending[key]
        self.counts["joined"] += 1
        return join([parts[n] for n in range(1, packet.pnum + 1)])

    def expire(self, now: float | None = None) -> int:
        now = clock.monotonic() if now is None else now
        dropped = 0
        while self.pending:
            key, (started, _) = next(iter(self.pending.items()))
            if now - started < self.timeout:
                break
            del self.pending[key]
            dropped += 1
        self.counts["expired"] += dropped
        return dropped

    def _make_room(self) -> None:
        while len(self.pending) >= self.max_pending:
            self.pending.popitem(last=False)  # the oldest: the likeliest never to finish
            self.counts["evicted"] += 1


def join(parts: list[Packet]) -> Packet:
    """One packet whose CP is the parts' CPs in order, with DataTime written once."""
    first = parts[0]
    items, seen_time = [], False
    for part in parts:
        for item in part.cp_text.split(";"):
            if item.startswith("DataTime="):
                if seen_time:
                    continue
                seen_time = True
            if item:
                items.append(item)
    flag = first.flag & ~FLAG_D if first.flag is not None else None
    return Packet(
        first.qn,
        first.st,
        first.cn,
        first.pw,
        first.mn,
        flag,
        None,
        None,
        ";".join(items),
        first.data_time,
    )
