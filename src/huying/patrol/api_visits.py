"""Visits through the API (/api/v1/patrol/visits, /photos, /id-check): the household page and
a patrol device record a visit the same way, offline-first.

A client makes a uuid `key` per visit (and per photo) and may resend it as often as the signal
forces it to: the first send stores it (201), every resend returns what was stored (200) and
writes nothing. Photos go first (multipart, one each), the visit names their ids.

Errors: 403 not the household's inspector, 404 a household or person not in view (audited),
409 a key used by someone else, 422 a field is wrong, named (`occupants.N.id_number`).
"""

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from huying.core.errors import Forbidden
from huying.core.masking import mask_id_number, mask_phone
from huying.datahub.models import AccessVia
from huying.orgs.choices import Role
from huying.patrol import household, visit_photos
from huying.patrol.api_plans import ERRORS, Id
from huying.patrol.choices import OccupantOutcome, VisitOrigin
from huying.patrol.visits import record_visit

router = Router(tags=["出租屋巡查"])


class ChecklistIn(Schema):
    fire_exit: bool | None = Field(default=None, description="消防通道畅通")
    not_overcrowded: bool | None = Field(default=None, description="未超员居住")
    no_hazard: bool | None = Field(default=None, description="无安全隐患")
    hazard_notes: str = Field(default="", max_length=500, description="隐患说明")


class OccupantIn(Schema):
    resident: Id | None = Field(
        default=None, description="平台人员编号（本户住户，或按身份证号查到的人）"
    )
    outcome: OccupantOutcome = Field(description="confirmed / differs / moved_out / new")
    name: str = Field(default="", max_length=50, description="姓名（信息有误时为正确的姓名）")
    id_number: str = Field(default="", max_length=24, description="身份证号（完整，只在请求体中）")
    phone: str = Field(default="", max_length=24)


class VisitIn(Schema):
    key: uuid.UUID = Field(description="浏览器或终端生成的幂等键：重发同一条记录用同一个键")
    dwelling: Id = Field(description="出租屋编号")
    visited_at: datetime = Field(description="巡查时间（ISO 8601，带时区）")
    origin: Literal["page", "offline", "api"] = Field(
        default="api", description="page / offline / api"
    )
    occupants: list[OccupantIn] = Field(default=[], max_length=100)
    checklist: ChecklistIn = Field(default_factory=ChecklistIn)
    notes: str = Field(default="", max_length=1000)
    photos: list[Id] = Field(default=[], description="先上传的照片编号（POST /photos）")


class OccupantOut(Schema):
    resident: int | None
    outcome: str
    name: str
    id_number: str = Field(description="遮蔽")
    phone: str = Field(description="遮蔽")


class VisitOut(Schema):
    id: int
    key: uuid.UUID
    dwelling: int
    visited_at: datetime
    recorded_at: datetime
    origin: str
    occupants: list[OccupantOut]
    checklist: dict
    notes: str
    photos: list[int]


class PhotoOut(Schema):
    id: int
    key: uuid.UUID
    content_type: str
    size: int


class IdCheckIn(Schema):
    id_number: str = Field(max_length=24, description="现场录入的身份证号（只在请求体中）")
    resident: Id | None = Field(
        default=None, description="正在更正的住户：用其登记的出生日期和性别定位录错的位"
    )
    birth_date: date | None = Field(default=None, description="证件上的出生日期（可选）")


class FindingOut(Schema):
    code: str
    message: str
    severity: str


class ResidentFoundOut(Schema):
    id: int
    name: str
    gender: str
    id_number: str = Field(description="遮蔽")
    phone: str = Field(description="遮蔽")
    dwelling: int | None


class IdCheckOut(Schema):
    number: str = Field(description="规范化后的号码（15 位旧号码升级为 18 位）")
    valid: bool
    findings: list[FindingOut]
    hints: list[str] = Field(description="可能录错的位")
    resident: ResidentFoundOut | None = Field(description="平台中该号码的人员（遮蔽）")


@router.post(
    "/visits",
    response={200: VisitOut, 201: VisitOut, **ERRORS},
    summary="记录一次入户巡查（幂等：同一 key 重发返回已存的记录，200）",
)
def post_visit(request: HttpRequest, payload: VisitIn):
    user = request.auth
    dwelling = household.household_for(user, payload.dwelling)
    if not household.may_record(user, dwelling):
        raise Forbidden("只有该户所在责任区的巡查员可以记录巡查")
    visit = record_visit(
        user, dwelling, payload.visited_at, VisitOrigin(payload.origin), key=payload.key,
        checklist=payload.checklist.model_dump(), notes=payload.notes.strip(),
        occupants=[o.model_dump() for o in payload.occupants], photos=payload.photos,
    )  # fmt: skip
    return Status(201 if visit.created else 200, visit_out(visit))


@router.get(
    "/visits", response={200: list[VisitOut], **ERRORS}, summary="某户最近的巡查记录（最多 50 条）"
)
def get_visits(request: HttpRequest, dwelling: Query[Id]):
    place = household.household_for(request.auth, dwelling)
    return [visit_out(v) for v in household.recent_visits(place)]


@router.post(
    "/photos",
    response={200: PhotoOut, 201: PhotoOut, **ERRORS},
    summary="上传一张巡查照片（JPEG/PNG/WebP；幂等：同一 key 重发返回已存的照片）",
)
def post_photo(request: HttpRequest, key: Form[uuid.UUID], file: File[UploadedFile]):
    if request.auth.role != Role.INSPECTOR:
        raise Forbidden("只有巡查员可以上传巡查照片")
    photo, created = visit_photos.stage(request.auth, key, file)
    body = {"id": photo.pk, "key": photo.key, "content_type": photo.content_type,
            "size": photo.size}  # fmt: skip
    return Status(201 if created else 200, body)


@router.post(
    "/id-check", response={200: IdCheckOut, **ERRORS}, summary="现场核验身份证号并在平台中查找"
)
def post_id_check(request: HttpRequest, payload: IdCheckIn):
    found = household.id_check(
        request.auth, payload.id_number, resident_id=payload.resident,
        birth_date=payload.birth_date, via=AccessVia.API,
    )  # fmt: skip
    check, person = found.check, found.resident
    return {
        "number": check.number,
        "valid": check.valid,
        "findings": [asdict(f) for f in check.findings],
        "hints": found.hints,
        "resident": person and {
            "id": person.pk, "name": person.name, "gender": person.gender,
            "id_number": mask_id_number(person.id_number), "phone": mask_phone(person.phone),
            "dwelling": person.dwelling_id,
        },
    }  # fmt: skip


def visit_out(visit) -> dict:
    return {
        "id": visit.pk, "key": visit.key, "dwelling": visit.dwelling_id,
        "visited_at": visit.visited_at, "recorded_at": visit.recorded_at, "origin": visit.origin,
        "occupants": [
            {"resident": o.resident_id, "outcome": o.outcome, "name": o.name,
             "id_number": mask_id_number(o.id_number), "phone": mask_phone(o.phone)}
            for o in sorted(visit.occupants.all(), key=lambda o: o.pk)
        ],
        "checklist": visit.checklist, "notes": visit.notes,
        "photos": [p.pk for p in visit.photos.all()],
    }  # fmt: skip
