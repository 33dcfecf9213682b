"""Helpers for the calls API tests: one bearer-token client per persona, JSON in and out."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import timezone

from huying.core import clock
from huying.core.models import AuditEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)

# Every demo persona, and the four whose view is the whole district.
PERSONAS = (
    "yuncheng",
    "helong",
    "renhe",
    "renhe-village",
    "yuncheng-community",
    "inspector",
    "chengguan",
    "chengguan-head",
    "zhujian",
    "guihua",
    "shuiwu",
    "huanjing",
    "yingji",
    "command",
    "supervisor",
    "leader",
    "admin",
)
DISTRICT_WIDE = frozenset({"command", "supervisor", "leader", "admin"})

MATTER_CALL = {
    "title": "店外经营占道",
    "description": "云城西路多家店铺占道经营",
    "matter": "ZF-T01",
}
FREE_FORM_CALL = {
    "matter": None,
    "title": "路灯不亮",
    "description": "整条街路灯不亮",
    "domain": "key_work",
    "urgency": "normal",
}


class CallsApi:
    """The calls API as each persona sees it."""

    def __init__(self, api) -> None:
        self._api = api
        self._clients: dict[str, Client] = {}

    def client(self, username: str) -> Client:
        if username not in self._clients:
            # Issued at the real time, so a test that freezes the clock in the past or
            # moves it on by days still holds a valid token.
            with clock.frozen_at(timezone.now()):
                self._clients[username] = self._api(username)
        return self._clients[username]

    def create(self, username: str = "yuncheng", **fields):
        return self.client(username).post(
            "/api/v1/calls", MATTER_CALL | fields, content_type="application/json"
        )

    def create_ok(self, username: str = "yuncheng", **fields) -> dict:
        response = self.create(username, **fields)
        assert response.status_code == 201, response.content.decode()
        return response.json()

    def act(self, username: str, call_id: int, action: str, **body):
        return self.client(username).post(
            f"/api/v1/calls/{call_id}/{action}", body, content_type="application/json"
        )

    def act_ok(self, username: str, call_id: int, action: str, **body) -> dict:
        response = self.act(username, call_id, action, **body)
        assert response.status_code == 200, response.content.decode()
        return response.json()

    def get(self, username: str, call_id: int):
        return self.client(username).get(f"/api/v1/calls/{call_id}")

    def list(self, username: str, **params):
        return self.client(username).get("/api/v1/calls", {"limit": 1000, **params})

    def ids(self, username: str, **params) -> set[int]:
        response = self.list(username, **params)
        assert response.status_code == 200, response.content.decode()
        return {item["id"] for item in response.json()["items"]}


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def last_audit_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def denials_since(seq: int) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(seq__gt=seq, action="core.permission_denied").order_by("seq")
    )
