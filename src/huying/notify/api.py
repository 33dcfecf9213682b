"""Thin API handlers for the caller's own inbox (mounted at /api/v1/notifications)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from huying.notify import selectors, services

router = Router(tags=["消息"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(examples=["call.urged"])
    title: str = Field(examples=["呼叫已超时，请尽快响应"])
    body: str
    link: str = Field(description="本站路径", examples=["/calls/42/"])
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class UnreadOut(Schema):
    unread: int


class MarkReadIn(Schema):
    ids: list[int] = Field(description="消息编号，至多 500 个", examples=[[12, 13]])


class MarkedOut(Schema):
    marked: int = Field(description="本次新标为已读的条数")
    unread: int = Field(description="剩余未读条数")


@router.get("", response=list[NotificationOut], summary="我的消息（最新在前）")
@paginate
def list_notifications(request: HttpRequest, unread: bool = False):
    return selectors.inbox(request.auth, unread=unread)


@router.get("/unread-count", response=UnreadOut, summary="我的未读消息数")
def unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(request.auth)}


@router.post("/read", response=MarkedOut, summary="把我的几条消息标为已读")
def mark_read(request: HttpRequest, payload: MarkReadIn):
    marked = services.mark_read(request.auth, payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(request.auth)}


@router.post("/read-all", response=MarkedOut, summary="把我的全部消息标为已读")
def mark_all_read(request: HttpRequest):
    marked = services.mark_all_read(request.auth)
    return {"marked": marked, "unread": selectors.unread_count(request.auth)}


@router.get("/{notification_id}", response=NotificationOut, summary="我的一条消息")
def get_notification(request: HttpRequest, notification_id: int):
    return selectors.notification_detail(request.auth, notification_id)
