"""The whole shared corpus (real 2016 traffic): every line parses or is refused with a reason,
nothing raises anything else, and the counts agree with an independent recount."""

from collections import Counter

import pytest

from huying.sensing.hj212 import crc
from huying.sensing.hj212.errors import FrameError
from huying.sensing.hj212.frames import Frame, Framer
from huying.sensing.hj212.packet import parse_line, parse_segment, readings
from tests.sensing.hj212_files import CORPUS, corpus_lines

# Measured once with the parser and recounted below without it.
LINES = 90_870
ACCEPTED = 90_825
REJECTED = {"size": 33, "garbage": 6, "length": 5, "crc": 1}
READINGS = 368_640
REPEATS = 380


@pytest.fixture(scope="module")
def lines():
    return corpus_lines()


@pytest.fixture(scope="module")
def parsed(lines):
    packets, rejected = [], Counter()
    for line in lines:
        try:
            packets.append(parse_line(line))
        except FrameError as exc:
            rejected[exc.reason] += 1
    return packets, rejected


def test_the_corpus_is_there():
    assert len(CORPUS) == 10


def test_every_line_parses_or_is_refused_with_a_reason(lines, parsed):
    packets, rejected = parsed
    assert len(lines) == LINES
    assert len(packets) == ACCEPTED
    assert dict(rejected) == REJECTED
    assert len(packets) + sum(rejected.values()) == len(lines)


def _recount(line: bytes) -> str:
    """Framing by hand and the table CRC (itself checked against Appendix A's routine)."""
    line = line.rstrip(b"\r\n")
    if not line.startswith(b"##"):
        return "garbage"
    if not line[2:6].isdigit():
        return "length"
    if len(line) != int(line[2:6]) + 10:
        return "size"
    segment = line[6:-4]
    if crc.crc_table(segment) != int(line[-4:], 16):
        return "crc"
    return "ok"


def test_an_independent_recount_agrees(lines):
    counts = Counter(_recount(line) for line in lines)
    assert counts.pop("ok") == ACCEPTED
    assert dict(counts) == REJECTED


def test_the_table_crc_is_appendix_as_routine_on_real_packets(lines):
    for line in lines[::97]:
        segment = line.rstrip(b"\r\n")[6:-4]
        assert crc.crc_table(segment) == crc.crc_bitwise(segment) == crc.crc16(segment)


def test_the_stream_framer_finds_the_same_packets(lines):
    """The files are a TCP capture (CR LF ends each packet): fed in odd chunks."""
    stream = b"\n".join(lines) + b"\n"
    framer, frames, errors = Framer(), [], Counter()
    for at in range(0, len(stream), 7919):
        for item in framer.feed(stream[at : at + 7919]):
            if isinstance(item, Frame):
                frames.append(item)
            else:
                errors[item.reason] += 1
    assert len(frames) == ACCEPTED
    assert errors["crc"] == REJECTED["crc"]
    assert errors["length"] == REJECTED["length"]
    # a wrong length reads into the next packet: no CR LF there, so it resyncs on "##"
    assert errors["no_crlf"] == REJECTED["size"]
    assert sum(len(readings(parse_segment(f.segment))) for f in frames) == READINGS


def test_readings_and_codes(parsed):
    packets, _ = parsed
    dropped = {}
    found = [r for p in packets for r in readings(p, dropped)]
    assert len(found) == READINGS
    # some stations send one code several times in a packet (B01 thrice): first one kept
    assert dropped == {"repeat": REPEATS}
    # recount: the Rtd (real-time) and Avg (aggregates) fields the packets hold
    rtd = sum(p.cp_text.count("-Rtd=") for p in packets if p.cn == "2011")
    avg = sum(p.cp_text.count("-Avg=") for p in packets if p.cn in ("2051", "2061", "2031"))
    assert len(found) + REPEATS == rtd + avg
    repeats = 0
    for p in packets:
        if p.cn in ("2011", "2051", "2061", "2031"):
            suffix = "-Rtd" if p.cn == "2011" else "-Avg"
            keys = [item.partition("=")[0] for item in p.cp_text.replace(",", ";").split(";")]
            codes = [k for k in keys if k.endswith(suffix)]
            repeats += len(codes) - len(set(codes))
    assert repeats == REPEATS
    codes = Counter(r[1] for r in found)
    assert codes["w01018"] > 0 and "011" not in codes  # old COD code mapped to 2017
    assert all(p.edition == "2005" for p in packets if p.qn is None and p.flag is None)


def test_cns_outside_the_data_kinds_give_no_readings(parsed):
    packets, _ = parsed
    cns = Counter(p.cn for p in packets)
    assert cns["9015"] == 7552 and cns["8013"] == 4579  # CNs 2017 does not define
    assert all(readings(p) == [] for p in packets if p.cn in ("9015", "8013", "2021"))
