"""The HTTP doors: `POST /telemetry` on the ingest process (real sockets, http.client) and
`POST /api/v1/sensing/telemetry` in the web API (Django's test client), both with a device token;
and the same input through HJ 212, MQTT and HTTP gives the same readings."""

import http.client
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections

from huying.core.errors import BusinessError
from huying.sensing import telemetry
from huying.sensing.hj212.encode import data_packet
from huying.sensing.ingest import http_door, tcp_door
from huying.sensing.ingest.directory import directory
from huying.sensing.store import NewSample
from tests.sensing.doors import (
    RUN,
    LoopThread,
    Publisher,
    base_time,
    make_device,
    readings,
    remove_devices,
    running_mqtt_door,
    running_pipeline,
    wait_for,
)


@pytest.fixture(scope="module")
def devices(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        made = {name: make_device(name) for name in ("http", "api", "other", "same-http",
                                                      "same-mqtt")}  # fmt: skip
        made["same-hj212"] = make_device("same-hj212", mn=f"MN{RUN}", hj212_password="123456")
        yield made
        remove_devices([device for device, _ in made.values()])


# Committed for real, as the doors' threads see it: no transaction around the test, and an
# empty `available_apps` so that nothing is flushed after it (the demo district stays).
committed = pytest.mark.django_db(transaction=True, available_apps=[])


@pytest.fixture(scope="module")
def door(devices, django_db_blocker):
    """The HTTP door on a free port, in front of a real pipeline; yields its port."""
    with django_db_blocker.unblock(), running_pipeline() as pipeline:
        loop = LoopThread()
        closer = loop.run(http_door.serve(pipeline, host="127.0.0.1", port=0, idle_seconds=5))
        yield closer.port
        loop.run(closer.close())
        loop.stop()


def post(port, body, token=None, headers=None, connection=None):
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    connection.request("POST", "/telemetry", data, all_headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def batch(start, kinds=("rtd", "hour")):
    return {
        "samples": [
            {"time": (start + timedelta(minutes=i)).isoformat(), "kind": kind,
             "values": {"w01018": 20.5 + i, "w21003": {"value": 0.8, "flag": "D"}}}
            for i, kind in enumerate(kinds)
        ]
    }  # fmt: skip


@committed
def test_upload_is_stored_and_a_resend_counts_as_duplicates(door, devices):
    device, token = devices["http"]
    start = base_time()
    connection = http.client.HTTPConnection("127.0.0.1", door, timeout=20)
    assert post(door, batch(start), token, connection=connection) == (
        200,
        {"stored": 2, "duplicates": 0},
    )
    # the same connection again (keep-alive), the same samples: stored once
    assert post(door, batch(start), token, connection=connection) == (
        200,
        {"stored": 0, "duplicates": 2},
    )
    assert readings(device) == sorted(
        [
            (device.pk, "w01018", start, 20.5, "N"),
            (device.pk, "w21003", start, 0.8, "D"),
            (device.pk, "w01018", start + timedelta(minutes=1), 21.5, "N"),
            (device.pk, "w21003", start + timedelta(minutes=1), 0.8, "D"),
        ]
    )


@committed
def test_a_wrong_token_is_401_and_stores_nothing(door, devices):
    device, _ = devices["other"]
    status, body = post(door, batch(base_time()), "hyd_not-a-token")
    assert status == 401
    assert "令牌" in body["detail"]
    assert post(door, batch(base_time()))[0] == 401
    assert readings(device) == []


@committed
def test_a_wrong_field_is_422_naming_it(door, devices):
    device, token = devices["other"]
    body = batch(base_time(), kinds=("rtd", "rtd", "minute"))
    body["samples"][2]["time"] = "yesterday"
    status, answer = post(door, body, token)
    assert status == 422
    assert answer["errors"][0]["field"] == "samples.2.time"
    assert "samples.2.time" in answer["detail"]
    body = batch(base_time())
    body["samples"][1]["values"]["w01018"] = "12"
    assert post(door, body, token)[1]["errors"][0]["field"] == "samples.1.values.w01018"
    future = {"samples": [{"time": (base_time() + timedelta(days=2)).isoformat(),
                           "values": {"w01018": 1}}]}  # fmt: skip
    assert post(door, future, token)[1]["errors"][0]["field"] == "samples.0.time"
    assert readings(device) == []  # a message with one bad sample is refused whole


def raw_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as peer:
        peer.sendall(request)
        chunks = []
        while chunk := peer.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


@committed
def test_chunked_and_oversized_bodies_are_refused(door, devices):
    _, token = devices["other"]
    chunked = raw_exchange(
        door,
        b"POST /telemetry HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode()
        + b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    )  # fmt: skip
    assert chunked.startswith(b"HTTP/1.1 411 ")
    too_big = raw_exchange(
        door, b"POST /telemetry HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"
    )
    assert too_big.startswith(b"HTTP/1.1 413 ")
    assert "消息太大".encode() in too_big


def test_api_upload_with_a_device_token(api, devices):
    device, token = devices["api"]
    client = api()
    start = base_time()
    url = "/api/v1/sensing/telemetry"
    auth = {"Authorization": f"Bearer {token}"}
    sent = client.post(url, batch(start), content_type="application/json", headers=auth)
    assert sent.status_code == 200, sent.content
    assert sent.json() == {"stored": 2, "duplicates": 0}
    again = client.post(url, batch(start), content_type="application/json", headers=auth)
    assert again.json() == {"stored": 0, "duplicates": 2}
    assert readings(device)[0] == (device.pk, "w01018", start, 20.5, "N")
    wrong = client.post(url, batch(start), content_type="application/json",
                        headers={"Authorization": "Bearer hyd_wrong"})  # fmt: skip
    assert wrong.status_code == 401
    bad = batch(start)
    bad["samples"][0]["values"] = {}
    refused = client.post(url, bad, content_type="application/json", headers=auth)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "samples.0.values", "message": refused.json()["detail"]}
    ]


def test_api_documents_the_upload(api):
    schema = api().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/sensing/telemetry"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert body["example"]["samples"][0]["kind"] == "rtd"
    assert set(operation["responses"]) >= {"200", "401", "413", "422"}


@committed
def test_hj212_mqtt_and_http_give_the_same_readings(devices, door):
    """One hour's values sent by a station over each door: the stored readings are the same."""
    start = base_time().replace(minute=0, second=0)
    values = {"w01018": (231.5, "N"), "w21003": (1.803, "D"), "w01001": (7.25, "N")}
    body = telemetry.dumps([NewSample(0, 3, start, values, "", start)])  # 3: hourly data
    sent = {}
    with running_pipeline() as pipeline:
        loop = LoopThread()
        directory().refresh()  # the HJ 212 door knows the new MN at once
        tcp = loop.run(tcp_door.serve(pipeline, host="127.0.0.1", port=0, idle_seconds=5))
        with socket.create_connection(("127.0.0.1", tcp.port), timeout=20) as station:
            station.sendall(data_packet(f"MN{RUN}", "2061", start, values, pw="123456"))
            assert station.recv(1024).startswith(b"##")  # the reply: only after the commit
        loop.run(tcp.close())
        loop.stop()
        # the directory's database thread keeps its connection; PostgreSQL cannot drop the
        # test database while it is open (Directory has no close of its own yet)
        directory()._pool.submit(connections.close_all).result()
        with running_mqtt_door(pipeline, f"huying-ingest-test-http-{RUN}"):
            publisher = Publisher()
            publisher.send(devices["same-mqtt"][0].code, body)
            publisher.close()
            assert wait_for(lambda: readings(devices["same-mqtt"][0]))
    sent["http"] = post(door, body, devices["same-http"][1])
    assert sent["http"] == (200, {"stored": 1, "duplicates": 0})
    found = {
        name: [r[1:] for r in readings(devices[name][0])]
        for name in ("same-hj212", "same-mqtt", "same-http")
    }
    assert found["same-hj212"] == sorted((code, start, v, f) for code, (v, f) in values.items())
    assert found["same-mqtt"] == found["same-hj212"]
    assert found["same-http"] == found["same-hj212"]


def parse(document, now=None):
    now = now or base_time()
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return telemetry.parse(raw, device_id=7, device_code="dev-7", door="http", received_at=now,
                           now=now)  # fmt: skip


def refusal(document) -> tuple[int, str | None]:
    try:
        parse(document)
    except BusinessError as error:
        return error.status, error.field
    raise AssertionError("accepted")


def test_naive_times_are_beijing_time_and_flags_default_to_n():
    one = {"time": "2026-11-25T10:00:00", "values": {"w01018": 5, "lel": {"value": 1.5}}}
    [sample] = parse({"device": "dev-7", "samples": [one]}, now=datetime(2026, 11, 25, tzinfo=UTC))
    assert sample.time == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert sample.kind == 1  # rtd unless said otherwise
    assert sample.values == {"w01018": (5.0, "N"), "lel": (1.5, "N")}


def test_what_parse_refuses_and_the_field_it_names():
    at = "2026-11-25T10:00:00+08:00"
    one = {"time": at, "values": {"w01018": 1}}
    assert refusal(b"\xff\xfe") == (422, "body")
    assert refusal([one]) == (422, "body")
    assert refusal({"device": "other", "samples": [one]}) == (422, "device")
    assert refusal({"samples": [one], "extra": 1}) == (422, "extra")
    assert refusal({"samples": []}) == (422, "samples")
    assert refusal({"samples": [one, one]}) == (422, "samples.1.time")
    assert refusal({"samples": [{**one, "kind": "week"}]}) == (422, "samples.0.kind")
    for bad in (True, "1", None, float("nan"), 10**400, {"value": 1, "flag": "n"}):
        field = refusal({"samples": [{"time": at, "values": {"w01018": bad}}]})[1]
        assert field.startswith("samples.0.values.w01018"), bad
    assert refusal({"samples": [{"time": at, "values": {"a b": 1}}]}) == (
        422,
        "samples.0.values.a b",
    )
    many = [{"time": at, "values": {"w01018": 1}}] * (telemetry.MAX_SAMPLES + 1)
    assert refusal({"samples": many}) == (413, "samples")
    assert refusal(b" " * (telemetry.MAX_BYTES + 1)) == (413, "body")


def test_dumps_reads_back_to_the_same_samples():
    start = base_time()
    samples = [NewSample(7, 2, start, {"w01018": (2.5, "D")}, "http", start)]
    assert parse(telemetry.dumps(samples), now=start) == samples
