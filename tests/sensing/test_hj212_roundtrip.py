"""What the project writes as HJ 212 parses back to the same values, flags and times (property
tests); split messages reassemble; replies answer exactly the packets that ask for one."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from huying.sensing.hj212.codes import FLAGS, KNOWN_CODES, OLD_CODES
from huying.sensing.hj212.encode import data_packet, encode, reply_for, split_packet
from huying.sensing.hj212.packet import SHANGHAI, has_parts, needs_reply, parse_line, readings
from huying.sensing.hj212.reassembly import Reassembler

KIND_OF = {"2011": "rtd", "2051": "minute", "2061": "hour", "2031": "day"}
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

mns = st.text(ALNUM, min_size=1, max_size=24)
codes = st.one_of(
    st.sampled_from(sorted(KNOWN_CODES)),
    st.text(ALNUM, min_size=1, max_size=8).filter(lambda c: c not in OLD_CODES),
)
# what instruments report: up to 1e9, six decimals (exponent-sized values would not fit 9999 B)
numbers = st.floats(min_value=-1e9, max_value=1e9).map(lambda v: round(v, 6))
flags = st.sampled_from(sorted(FLAGS))
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda t: t.replace(microsecond=0, tzinfo=SHANGHAI)
)
cns = st.sampled_from(sorted(KIND_OF))


def _expected(mn, cn, when, values):
    kind = KIND_OF[cn]
    return [(mn, code, kind, when, float(v), f) for code, (v, f) in values.items()]


@settings(max_examples=300, deadline=None)
@given(mns, cns, times, st.dictionaries(codes, st.tuples(numbers, flags), max_size=25))
def test_a_data_packet_parses_back_to_the_same_readings(mn, cn, when, values):
    packet = parse_line(data_packet(mn, cn, when, values))
    assert (packet.mn, packet.cn, packet.flag, packet.edition) == (mn, cn, 5, "2017")
    assert packet.data_time == when
    assert readings(packet) == _expected(mn, cn, when, values)


@settings(max_examples=100, deadline=None)
@given(mns, times, st.dictionaries(codes, st.tuples(st.tuples(numbers, numbers, numbers), flags)))
def test_aggregates_keep_min_avg_and_max(mn, when, values):
    packet = parse_line(data_packet(mn, "2061", when, values))
    for code, ((low, _, high), _) in values.items():
        assert float(packet.field(f"{code}-Min")) == low
        assert float(packet.field(f"{code}-Max")) == high
    assert [(r[1], r[4], r[5]) for r in readings(packet)] == [
        (code, avg, flag) for code, ((_, avg, _), flag) in values.items()
    ]


@settings(max_examples=100, deadline=None)
@given(
    mns,
    cns,
    times,
    st.dictionaries(codes, st.tuples(numbers, flags), min_size=1, max_size=60),
    st.integers(min_value=60, max_value=600),
    st.randoms(use_true_random=False),
)
def test_split_packets_reassemble_in_any_order(mn, cn, when, values, max_cp, rng):
    parts = [parse_line(p) for p in split_packet(mn, cn, when, values, max_cp=max_cp)]
    if len(parts) > 1:
        assert all(has_parts(p) and p.pnum == len(parts) for p in parts)
        assert [p.pno for p in parts] == list(range(1, len(parts) + 1))
    rng.shuffle(parts)
    reassembler = Reassembler()
    results = [reassembler.add(p, now=0.0) for p in parts]
    whole = results[-1]
    assert all(r is None for r in results[:-1]) or len(parts) == 1
    assert not has_parts(whole)
    assert readings(whole) == _expected(mn, cn, when, values)
    assert reassembler.pending == {}


def test_unsplit_packets_pass_through_the_reassembler():
    packet = parse_line(data_packet("M", "2011", datetime.now(SHANGHAI), {"lel": (3, "N")}))
    assert Reassembler().add(packet) is packet


def _parts(qn: str, n_codes: int = 40) -> list:
    values = {f"c{i}": (float(i), "N") for i in range(n_codes)}
    when = datetime(2026, 11, 25, 8, tzinfo=SHANGHAI)
    return [parse_line(p) for p in split_packet("MN9", "2011", when, values, qn=qn, max_cp=100)]


def test_incomplete_messages_are_dropped_after_the_timeout_and_counted():
    reassembler = Reassembler(timeout=30)
    parts = _parts("1")
    assert reassembler.add(parts[0], now=100.0) is None
    assert reassembler.expire(now=129.0) == 0
    assert reassembler.expire(now=130.0) == 1
    assert reassembler.counts["expired"] == 1
    assert reassembler.pending == {}


def test_pending_messages_are_bounded_the_oldest_evicted():
    reassembler = Reassembler(max_pending=3)
    for qn in range(5):
        reassembler.add(_parts(str(qn))[0], now=float(qn))
    assert len(reassembler.pending) == 3
    assert reassembler.counts["evicted"] == 2
    assert [key[1] for key in reassembler.pending] == ["2", "3", "4"]


def test_a_repeated_part_is_counted_and_the_message_still_completes():
    parts = _parts("7", n_codes=12)
    reassembler = Reassembler()
    reassembler.add(parts[0], now=0)
    reassembler.add(parts[0], now=0)
    results = [reassembler.add(p, now=0) for p in parts[1:]]
    assert reassembler.counts["duplicate"] == 1
    assert len(readings(results[-1])) == 12


def test_replies_follow_the_flag_and_the_cn():
    when = datetime(2026, 11, 25, 9, tzinfo=SHANGHAI)
    upload = parse_line(data_packet("MN7", "2011", when, {"temp": (21.5, "N")}, qn="Q1"))
    assert needs_reply(upload)
    reply = parse_line(reply_for(upload))
    assert (reply.qn, reply.st, reply.cn, reply.pw, reply.mn, reply.flag, reply.cp_text) == (
        "Q1",
        "91",
        "9014",
        "123456",
        "MN7",
        4,
        "",
    )
    quiet = parse_line(data_packet("MN7", "2011", when, {"temp": (1, "N")}, flag=4))
    assert reply_for(quiet) is None
    for cn in ("1062", "3032"):
        command = parse_line(encode(f"QN=Q2;ST=32;CN={cn};PW=1;MN=MN7;Flag=5;CP=&&X=1&&"))
        answer = parse_line(reply_for(command))
        assert (answer.cn, answer.qn, answer.cp) == ("9011", "Q2", [("QnRtn", "1")])
    for cn in ("9014", "9011"):
        assert reply_for(parse_line(encode(f"QN=Q;ST=91;CN={cn};PW=1;MN=M;Flag=5;CP=&&&&"))) is None


def test_a_bad_value_drops_only_that_reading_and_is_counted():
    segment = "ST=32;CN=2011;PW=1;MN=M;CP=&&DataTime=20261125100000;a-Rtd=x;b-Rtd=nan;c-Rtd=2&&"
    dropped = {}
    found = readings(parse_line(encode(segment)), dropped)
    assert [(r[1], r[4]) for r in found] == [("c", 2.0)]
    assert dropped == {"value": 2}


def test_a_repeated_code_keeps_the_first_value_and_its_flag():
    cp = "DataTime=20160824004926000;B01-Rtd=19.52,B01-Flag=D;B01-Rtd=16.34;011-Rtd=61.0"
    dropped = {}
    found = readings(parse_line(encode(f"ST=32;CN=2011;PW=1;MN=M;CP=&&{cp}&&")), dropped)
    assert [(r[1], r[4], r[5]) for r in found] == [("w00000", 19.52, "D"), ("w01018", 61.0, "N")]
    assert dropped == {"repeat": 1}


def test_data_without_datatime_gives_no_readings_and_is_counted():
    dropped = {}
    packet = parse_line(encode("ST=32;CN=2051;PW=1;MN=M;CP=&&a-Avg=1;b-Avg=2&&"))
    assert readings(packet, dropped) == [] and dropped == {"no_time": 2}


def test_times_are_written_and_read_in_shanghai_time_whatever_the_writer_zone():
    utc = datetime(2026, 11, 24, 18, 0, 7, tzinfo=UTC)
    packet = parse_line(data_packet("M", "2011", utc, {}))
    assert packet.field("DataTime") == "20261125020007"
    assert packet.data_time == utc
    assert packet.data_time.utcoffset() == timedelta(hours=8)
