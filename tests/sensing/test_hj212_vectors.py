"""The published vectors: each good one parses with its fields and CRC; X is refused for its
CRC; and the CRC is the standard's Appendix A routine, not CRC-16/MODBUS."""

import os
from datetime import datetime

import pytest

from huying.sensing.hj212 import crc
from huying.sensing.hj212.errors import FrameError
from huying.sensing.hj212.packet import SHANGHAI, needs_reply, parse_line, readings
from tests.sensing.hj212_files import vectors

VECTORS = vectors()


def _line(vid: str) -> bytes:
    packet, crc_text = VECTORS[vid]
    return (packet + crc_text + "\r\n").encode()


def modbus(data: bytes) -> int:
    """CRC-16/MODBUS, to show the standard's routine is a different one."""
    reg = 0xFFFF
    for byte in data:
        reg ^= byte
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


def test_the_vectors_file_has_the_four_vectors():
    assert sorted(VECTORS) == ["A", "C", "E", "X"]


@pytest.mark.parametrize("vid", ["A", "C", "E"])
def test_each_good_vector_has_the_crc_the_table_gives(vid):
    packet, crc_text = VECTORS[vid]
    segment = packet[6:].encode()
    assert int(packet[2:6]) == len(segment)
    for routine in (crc.crc_bitwise, crc.crc_table, crc.crc16):
        assert f"{routine(segment):04X}" == crc_text


def test_vector_a_the_standards_example():
    p = parse_line(_line("A"))
    assert (p.qn, p.st, p.cn, p.pw, p.mn, p.flag) == (
        "20160801085857223",
        "32",
        "1062",
        "100000",
        "010000A8900016F000169DC0",
        5,
    )
    assert p.cp == [("RtdInterval", "30")]
    assert p.edition == "2017"
    assert needs_reply(p)
    assert readings(p) == []  # a command, not data


def test_vector_c_2005_real_time_data_with_millisecond_time():
    p = parse_line(_line("C"))
    assert (p.qn, p.flag, p.cn, p.mn, p.edition) == (None, None, "2011", "LD130133000015", "2005")
    assert p.data_time == datetime(2016, 8, 24, 0, 38, 17, tzinfo=SHANGHAI)
    assert p.field("011-Rtd") == "231.0"
    assert not needs_reply(p)
    t = p.data_time
    assert readings(p) == [
        ("LD130133000015", "w00000", "rtd", t, 36.91, "N"),
        ("LD130133000015", "w01018", "rtd", t, 231.0, "N"),
        ("LD130133000015", "w21003", "rtd", t, 1.803, "N"),
    ]


def test_vector_e_a_control_command():
    p = parse_line(_line("E"))
    assert (p.qn, p.cn, p.mn, p.flag, p.data_time) == (
        "20210118201054000",
        "3032",
        "20210107123456",
        5,
        None,
    )
    assert p.cp == [("PolId", "a34004"), ("MB_BgnAddr", "192"), ("MB_Wrt", "5")]


def test_lower_case_crc_hex_is_accepted():
    packet, crc_text = VECTORS["E"]
    assert parse_line(packet + crc_text.lower()).cn == "3032"


def test_vector_x_is_refused_naming_the_crc():
    packet, _ = VECTORS["X"]
    with pytest.raises(FrameError) as caught:
        parse_line(packet)
    assert caught.value.reason == "crc"
    assert caught.value.detail == "4980 ≠ 3C00"  # what it declares, what its bytes give
    assert "CRC" in caught.value.message


def test_modbus_gives_0759_for_vector_a_and_ours_differs():
    segment = VECTORS["A"][0][6:].encode()
    assert f"{modbus(segment):04X}" == "0759"
    assert crc.crc16(segment) != modbus(segment)


def test_the_table_is_the_bitwise_routine_for_every_byte_and_random_data():
    for byte in range(256):
        assert crc.crc_table(bytes([byte])) == crc.crc_bitwise(bytes([byte]))
    for size in range(0, 300):
        data = os.urandom(size)
        assert crc.crc16(data) == crc.crc_table(data) == crc.crc_bitwise(data), size


def test_the_folding_shortcut_rests_on_m_being_invertible_of_order_8():
    """crc16's proof needs both facts about M (x -> TABLE[x] >> 8): check them."""
    high = [t >> 8 for t in crc.TABLE]
    assert sorted(high) == list(range(256))  # a bijection
    x = list(range(256))
    for _ in range(8):
        x = [high[v] for v in x]
    assert x == list(range(256))
