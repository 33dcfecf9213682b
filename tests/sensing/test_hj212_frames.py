"""The stream framer: any split of the bytes gives the same frames; garbage, bad lengths, a
missing CR LF, a bad CRC and a flood without frames are reported, never raised."""

import contextlib
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from huying.sensing.hj212.encode import data_packet, encode
from huying.sensing.hj212.errors import MESSAGES, FrameError
from huying.sensing.hj212.frames import Frame, Framer
from huying.sensing.hj212.packet import SHANGHAI, parse_line, parse_segment
from tests.sensing.hj212_files import vectors

VECTORS = vectors()
WHEN = datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)


def good(vid: str) -> bytes:
    packet, crc_text = VECTORS[vid]
    return (packet + crc_text + "\r\n").encode()


def feed_all(framer: Framer, chunks) -> list:
    out = []
    for chunk in chunks:
        out += framer.feed(chunk)
    return out


def kinds(items) -> list[str]:
    return [
        "frame:" + parse_segment(i.segment).cn if isinstance(i, Frame) else i.reason for i in items
    ]


def test_a_stream_split_at_every_byte_boundary_gives_the_same_frames():
    stream = good("A") + good("C") + good("E")
    whole = kinds(Framer().feed(stream))
    assert whole == ["frame:1062", "frame:2011", "frame:3032"]
    for cut in range(1, len(stream)):
        assert kinds(feed_all(Framer(), [stream[:cut], stream[cut:]])) == whole, cut
    assert kinds(feed_all(Framer(), [bytes([b]) for b in stream])) == whole


def test_garbage_before_a_packet_is_skipped_and_reported_once():
    noise = b"\x00\xff hello #"
    items = feed_all(Framer(), [noise[:4], noise[4:], good("A")])
    assert kinds(items) == ["garbage", "frame:1062"]
    assert items[0].raw == b"\x00\xff h"  # reported when it started, with what was seen
    assert items[0].message.startswith("包头 ##")


def test_a_non_numeric_length_resyncs_on_the_next_packet():
    items = Framer().feed(b"##12a4QN=1;CP=&&&&0000\r\n" + good("C"))
    assert kinds(items) == ["length", "garbage", "frame:2011"]


def test_an_absurd_short_length_is_an_error():
    items = Framer().feed(b"##0003CP=XXXX\r\n" + good("E"))
    assert kinds(items)[0] == "length"
    assert kinds(items)[-1] == "frame:3032"


def test_a_wrong_length_misses_the_crlf_and_resyncs():
    bad = good("C").replace(b"##0139", b"##0137")
    items = Framer().feed(bad + good("A"))
    assert kinds(items) == ["no_crlf", "garbage", "frame:1062"]


def test_a_crc_mismatch_is_reported_and_the_next_packet_still_read():
    packet, _ = VECTORS["X"]
    items = Framer().feed(packet.encode() + b"\r\n" + good("A"))
    assert kinds(items) == ["crc", "frame:1062"]
    assert items[0].detail == "4980 ≠ 3C00"


def test_lower_case_crc_is_accepted():
    items = Framer().feed(good("E").replace(b"0F00", b"0f00"))
    assert kinds(items) == ["frame:3032"]


def test_64_kib_without_a_frame_is_reported_for_the_caller_to_act():
    framer = Framer()
    items = feed_all(framer, [b"x" * 4096] * 15)
    assert kinds(items) == ["garbage"]  # one run of garbage, reported once
    items = feed_all(framer, [b"x" * 4096] * 2)
    assert kinds(items) == ["too_long"]
    assert len(framer.buffer) <= 1  # garbage is not kept


def test_a_packet_that_never_ends_does_not_grow_the_buffer_without_bound():
    framer = Framer()
    framer.feed(b"##9999QN=")
    items = feed_all(framer, [b"A" * 8192] * 9)
    assert "too_long" in kinds(items)
    assert len(framer.buffer) < 9999 + 12


def test_a_good_frame_resets_the_flood_counter():
    framer = Framer(max_without_frame=1000)
    packet = data_packet("MN1", "2011", WHEN, {"w01018": (12.5, "N")})
    for _ in range(50):
        assert kinds(framer.feed(b"##" + b"9" * 3 + packet)) == ["length", "garbage", "frame:2011"]


def test_encode_output_frames_back():
    segment = "ST=32;CN=2011;PW=123456;MN=X;CP=&&DataTime=20261125103000;w01018-Rtd=1&&"
    (frame,) = Framer().feed(encode(segment))
    assert frame.segment.decode() == segment


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_no_bytes_make_the_framer_or_parser_raise(data):
    """Random damage to real packets: only frames and FrameErrors come out, never a crash."""
    stream = bytearray(good("A") + good("C") + good("E"))
    for _ in range(data.draw(st.integers(0, 8))):
        at = data.draw(st.integers(0, len(stream) - 1))
        stream[at] = data.draw(st.integers(0, 255))
    stream += data.draw(st.binary(max_size=50))
    cut = data.draw(st.integers(0, len(stream)))
    for item in feed_all(Framer(), [bytes(stream[:cut]), bytes(stream[cut:])]):
        if isinstance(item, Frame):
            with contextlib.suppress(FrameError):
                parse_segment(item.segment)
        else:
            assert isinstance(item, FrameError) and item.message
    for line in bytes(stream).split(b"\n"):
        try:
            parse_line(line)
        except FrameError as exc:
            assert exc.reason in MESSAGES
