"""GB/T 28181 alarm notifications: the XML, the category mapping and the SIP door over UDP."""

import asyncio
import queue
import threading
from concurrent.futures import Executor, Future
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from huying.core.errors import Invalid, NotFound
from huying.sensing import gb28181
from huying.sensing.choices import VideoSource
from huying.sensing.ingest import sip_door
from huying.sensing.models import VideoEvent
from tests.sensing.video_scene import camera

GB_ID = "44011100001320000001"


def notify(description="游商小贩", *, encoding="UTF-8", method="5", info="", device=GB_ID,
           when="2026-11-20T09:15:30") -> bytes:  # fmt: skip
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\r\n<Notify>\r\n<CmdType>Alarm</CmdType>\r\n'
        f"<SN>17</SN>\r\n<DeviceID>{device}</DeviceID>\r\n<AlarmPriority>3</AlarmPriority>\r\n"
        f"<AlarmMethod>{method}</AlarmMethod>\r\n<AlarmTime>{when}</AlarmTime>\r\n"
        f"<AlarmDescription>{description}</AlarmDescription>\r\n"
        "<Longitude>113.29</Longitude>\r\n<Latitude>23.176</Latitude>\r\n"
        f"<Info>\r\n<AlarmType>2</AlarmType>{info}\r\n</Info>\r\n</Notify>\r\n"
    )
    return text.encode("gb2312" if encoding.upper() == "GB2312" else "utf-8")


@pytest.fixture
def cam(db):
    return camera(gb=GB_ID)


def test_a_utf8_notification_parses():
    alarm = gb28181.parse(notify())
    assert (alarm.sn, alarm.device_id, alarm.priority, alarm.method) == ("17", GB_ID, "3", "5")
    assert alarm.at == datetime(2026, 11, 20, 9, 15, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (alarm.description, alarm.alarm_type, alarm.lon, alarm.lat) == (
        "游商小贩", "2", 113.29, 23.176,
    )  # fmt: skip
    assert alarm.confidence == 1.0


def test_a_gb2312_notification_parses_as_its_declaration_says():
    body = notify("发现余泥渣土运输车辆未密闭", encoding="GB2312")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # really GB2312 bytes
    assert gb28181.parse(body).description == "发现余泥渣土运输车辆未密闭"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"<Notify><CmdType>Alarm</CmdType>", "body"),  # not well-formed
        (notify(method="2"), "AlarmMethod"),  # a device alarm, not video
        (notify(when="yesterday"), "AlarmTime"),
        (notify(device=""), "DeviceID"),
        (notify(info="<Confidence>1.5</Confidence>"), "Info/Confidence"),
        (b'<?xml version="1.0"?><Query><CmdType>Catalog</CmdType></Query>', "CmdType"),
        (b'<?xml version="1.0" encoding="x-nonsense"?><Notify/>', "body"),
    ],
)
def test_bad_notifications_are_refused_naming_the_element(body, field):
    with pytest.raises(Invalid) as refused:
        gb28181.parse(body)
    assert refused.value.field == field


def test_a_doctype_is_refused_before_any_entity_can_expand():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<Notify><CmdType>Alarm</CmdType><AlarmDescription>&lol2;</AlarmDescription></Notify>"
    )
    with pytest.raises(Invalid) as refused:
        gb28181.parse(bomb)
    assert "DOCTYPE" in refused.value.message


def test_category_from_extension_code_name_or_description(cam):
    assert gb28181.category_for(gb28181.parse(notify("x", info="<Category>littering</Category>")))
    cases = {
        notify("x", info="<Category>littering</Category>"): "littering",
        notify("analyser category=muck_truck score 0.8"): "muck_truck",
        notify("bin_overflow"): "bin_overflow",
        notify("路口发现沿街晾晒衣物"): "street_laundry",
    }
    for body, code in cases.items():
        assert gb28181.category_for(gb28181.parse(body)).code == code
    with pytest.raises(Invalid) as unknown:
        gb28181.category_for(gb28181.parse(notify("移动侦测")))
    assert unknown.value.field == "AlarmDescription"
    with pytest.raises(Invalid):
        gb28181.category_for(gb28181.parse(notify(info="<Category>nope</Category>")))


def test_ingest_records_a_detection_for_the_camera(cam):
    alarm, recorded = gb28181.ingest(notify(info="<Confidence>0.75</Confidence>"))
    event = recorded.event
    assert (event.camera, event.category.code, event.source) == (cam, "street_vendor", "gb28181")
    assert (event.confidence, event.first_at) == (0.75, alarm.at)
    assert gb28181.ingest(notify(when="2026-11-20T09:20:00"))[1].event == event  # de-duplicated


def test_an_unknown_camera_is_not_found(cam):
    with pytest.raises(NotFound) as missing:
        gb28181.ingest(notify(device="44011100001320009999"))
    assert missing.value.field == "DeviceID"


# --- the SIP door over a real UDP socket -------------------------------------------------------


class OnTestThread(Executor):
    """Runs the recording in the test's own thread, so it sees the test's transaction (the
    real door uses worker threads; the door and its socket run on a loop in another thread)."""

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        self.jobs.put((future, fn, args, kwargs))
        return future

    def work_until(self, done: threading.Event) -> None:
        while not done.is_set():
            try:
                future, fn, args, kwargs = self.jobs.get(timeout=0.05)
            except queue.Empty:
                continue
            future.set_result(fn(*args, **kwargs))


def sip_message(body: bytes, *, content_type="Application/MANSCDP+xml", method="MESSAGE"):
    head = (
        f"{method} sip:34020000002000000001@3402000000 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK1234\r\n"
        "From: <sip:44011100001320000001@3402000000>;tag=abc123\r\n"
        "To: <sip:34020000002000000001@3402000000>\r\n"
        "Call-ID: 9876@192.0.2.10\r\n"
        "CSeq: 20 MESSAGE\r\n"
        f"Content-Type: {content_type}\r\n"
        "Max-Forwards: 70\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Client(asyncio.DatagramProtocol):
    def __init__(self):
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data, addr):
        self.replies.put_nowait(data)


async def _exchange(datagrams: list[bytes], executor: Executor) -> list[bytes]:
    door = await sip_door.serve(None, host="127.0.0.1", port=0, executor=executor)
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_datagram_endpoint(
        Client, remote_addr=("127.0.0.1", door.port)
    )
    replies = []
    try:
        for datagram in datagrams:
            transport.sendto(datagram)
            replies.append(await asyncio.wait_for(client.replies.get(), timeout=10))
    finally:
        transport.close()
        await door.close()
    return replies


def exchange(datagrams: list[bytes]) -> list[bytes]:
    """Send each datagram to a real door on a UDP port and collect the replies."""
    executor, done, result = OnTestThread(), threading.Event(), {}

    def loop():
        try:
            result["replies"] = asyncio.run(_exchange(datagrams, executor))
        except BaseException as exc:  # re-raised in the test's thread
            result["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=loop)
    thread.start()
    executor.work_until(done)
    thread.join(timeout=30)
    if "error" in result:
        raise result["error"]
    return result["replies"]


def headers(reply: bytes) -> dict[str, str]:
    lines = reply.decode().split("\r\n")
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}


def test_the_sip_door_records_and_answers_200_with_the_copied_headers(cam):
    body = notify("游商小贩", encoding="GB2312")
    [reply] = exchange([sip_message(body)])
    assert reply.startswith(b"SIP/2.0 200 OK\r\n")
    found = headers(reply)
    assert found["Via"] == "SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK1234"
    assert found["From"] == "<sip:44011100001320000001@3402000000>;tag=abc123"
    assert found["To"].startswith("<sip:34020000002000000001@3402000000>;tag=")
    assert (found["Call-ID"], found["CSeq"], found["Content-Length"]) == (
        "9876@192.0.2.10", "20 MESSAGE", "0",
    )  # fmt: skip
    event = VideoEvent.objects.get()
    assert (event.camera, event.category.code, event.source) == (
        cam, "street_vendor", VideoSource.GB28181,
    )  # fmt: skip


def test_the_sip_door_answers_errors(cam):
    replies = exchange([
        sip_message(b"<Notify><CmdType>Alarm"),
        sip_message(notify(device="44011100001320009999")),
        sip_message(notify(), content_type="application/sdp"),
        sip_message(b"", method="OPTIONS"),
    ])  # fmt: skip
    assert [r.split(b"\r\n", 1)[0] for r in replies] == [
        b"SIP/2.0 400 Bad Request",
        b"SIP/2.0 404 Not Found",
        b"SIP/2.0 415 Unsupported Media Type",
        b"SIP/2.0 405 Method Not Allowed",
    ]
    assert not VideoEvent.objects.exists()
