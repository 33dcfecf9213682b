"""Creating calls in batches (`services.create_calls`) records exactly what one at a time does.

The oracle is the way `create_call` worked before it shared the batch path: insert the call,
number it, assign the matter's departments, then `append_event(CREATED)`. Each call made by
the batch is compared with the same call made that way: its stored state and deadlines, its
departments, its event, the notices (and outbox rows) and its audit row.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from huying.calls import attachments, services
from huying.calls.choices import AssignmentRole, CallStatus, Domain, EventKind, Urgency
from huying.calls.models import Attachment, Call, CallAssignment, Matter
from huying.core import audit, clock
from huying.core.errors import Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.notify.models import Notification, OutboxMessage
from tests.calls.test_attachments import upload
from tests.calls.test_workflow import assert_replay_matches

MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FRIDAY_17 = datetime(2026, 11, 20, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def old_create_call(actor, new: services.NewCall) -> Call:
    """`create_call` as it was before the batch path (the oracle)."""
    caller_org, now, matter = actor.org, clock.now(), new.matter
    response = matter.response_limit if matter else services.URGENCY_RESPONSE[Urgency(new.urgency)]
    resolution = matter.resolution_limit if matter else services.DEFAULT_RESOLUTION
    call = Call.objects.create(
        number=f"tmp-{now.timestamp()}-{actor.pk}",
        title=new.title.strip(),
        description=new.description.strip(),
        matter=matter,
        domain=matter.domain if matter else new.domain,
        urgency=new.urgency,
        source=new.source,
        caller_org=caller_org,
        caller=actor,
        lead_department=matter.lead_department if matter else None,
        address=new.address,
        lat=new.lat,
        lon=new.lon,
        called_at=now,
        response_clock_from=now,
        response_due_at=response.due_from(now),
        response_seconds=response.seconds,
        response_working_days=response.working_days,
        resolution_seconds=resolution.seconds,
        resolution_working_days=resolution.working_days,
    )
    call.number = f"HY{timezone.localtime(now).year}{call.pk:07d}"
    departments = []
    if matter is not None:
        rows = [
            CallAssignment(call=call, department=matter.lead_department, role=AssignmentRole.LEAD)
        ]
        rows += [
            CallAssignment(call=call, department=d, role=AssignmentRole.CO)
            for d in matter.co_departments.exclude(pk=matter.lead_department_id)
        ]
        CallAssignment.objects.bulk_create(rows)
        departments = [row.department_id for row in rows]
    services.append_event(
        call,
        EventKind.CREATED,
        actor,
        to_status=CallStatus.CALLED,
        now=now,
        restarted=True,
        data={
            "lead_department_id": call.lead_department_id,
            "departments": departments,
            "response_clock_from": now.isoformat(),
            "response_due_at": call.response_due_at.isoformat(),
        },
        attachment_ids=new.attachment_ids,
    )
    return call


@pytest.fixture
def matters(matter, org):
    """Three shapes: lead + co-department (2 h / 3 wd), lead only (1 wd / 5 wd), lead + two."""
    solo = Matter.objects.create(
        code="ZF-T02",
        domain=Domain.KEY_WORK,
        name="井盖缺失",
        lead_department=org("440111-zjj"),
        response_working_days=1,
        resolution_working_days=5,
    )
    wide = Matter.objects.create(
        code="YJ-T03",
        domain=Domain.EMERGENCY,
        name="内涝抢险",
        lead_department=org("440111-zjj"),
        response_seconds=1800,
        resolution_seconds=86400,
    )
    wide.co_departments.add(org("440111-cgj"), org("440111-zjj"))  # the lead is left out
    return [matter, solo, wide]


def items(matters, photos=()) -> list[services.NewCall]:
    matter, solo, wide = matters
    return [
        services.NewCall(
            "店外占道", " 云城西路多家店铺占道经营 ", matter=matter, address="云城西路"
        ),
        services.NewCall("井盖缺失", "社区门口井盖缺失", matter=solo, lat=23.1, lon=113.2),
        services.NewCall("路灯不亮", "整条街路灯不亮", domain=Domain.KEY_WORK),
        services.NewCall("内涝", "地下通道积水", matter=wide, urgency=Urgency.EMERGENCY),
        services.NewCall("塌方", "山体滑坡", domain=Domain.EMERGENCY, urgency=Urgency.EMERGENCY),
        services.NewCall("占道", "夜市占道", matter=matter, attachment_ids=photos),
    ]


def staged(actor, n):
    return [attachments.stage(actor=actor, upload=upload()).pk for _ in range(n)]


CALL_FIELDS = [
    f.attname for f in Call._meta.concrete_fields if f.attname not in ("id", "number", "updated_at")
]


def numbered(text: str, call: Call) -> str:
    """Text with the call's own number and id replaced, to compare two calls' records."""
    return text.replace(call.number, "<number>").replace(f"/calls/{call.pk}/", "/calls/<id>/")


def _photo_ids(call: Call) -> bool:
    """The event and the audit row name the call's photos (ids differ between two calls)."""
    ids = sorted(Attachment.objects.filter(call=call).values_list("pk", flat=True))
    event = call.events.get(seq=1)
    row = AuditEntry.objects.get(object_type="calls.call", object_id=str(call.pk))
    return event.data.get("attachment_ids", []) == row.after.get("attachment_ids", []) == ids


def _without_photo_ids(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "attachment_ids"}


def record_of(call: Call) -> dict:
    """Everything creating `call` recorded, with its own number and id taken out."""
    call = Call.objects.get(pk=call.pk)
    assert re.fullmatch(r"HY2026\d{7}", call.number) and call.number == f"HY2026{call.pk:07d}"
    link = f"/calls/{call.pk}/"
    notes = Notification.objects.filter(link=link)
    return {
        "call": {name: getattr(call, name) for name in CALL_FIELDS},
        "photo_ids": _photo_ids(call),
        "assignments": list(
            call.assignments.order_by("pk").values_list(
                "department_id", "role", "signed_at", "is_active"
            )
        ),
        "events": [
            (*row[:-1], _without_photo_ids(row[-1]))
            for row in call.events.order_by("seq").values_list(
                "seq",
                "kind",
                "at",
                "actor_id",
                "actor_name",
                "actor_org_id",
                "from_status",
                "to_status",
                "note",
                "data",
            )
        ],
        "photos": sorted(Attachment.objects.filter(call=call).values_list("event__seq", "name")),
        "notices": sorted(
            (n.recipient_id, n.kind, n.title, numbered(n.body, call), n.created_at) for n in notes
        ),
        "outbox": sorted(
            (
                m.recipient_id,
                m.channel,
                numbered(m.payload["body"], call),
                m.payload["kind"],
                m.payload["link"] == link,
            )
            for m in OutboxMessage.objects.filter(payload__link=link)
        ),
        "audit": [
            (
                e.action,
                e.actor_id,
                e.actor_name,
                e.object_type,
                numbered(e.object_repr, call),
                e.before,
                _without_photo_ids(e.after),
                e.reason,
                e.at,
            )
            for e in AuditEntry.objects.filter(object_type="calls.call", object_id=str(call.pk))
        ],
    }


@pytest.mark.parametrize("moment", [MONDAY_9, FRIDAY_17], ids=["monday", "friday-evening"])
def test_a_batch_records_what_one_call_at_a_time_did(persona, org, matters, settings, moment):
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # outbox rows too
    actor = persona("yuncheng")
    with clock.frozen_at(moment):
        one_by_one = [old_create_call(actor, new) for new in items(matters, staged(actor, 2))]
        batch = services.create_calls(actor=actor, items=items(matters, staged(actor, 2)))
        singles = [services.create_call(actor=actor, new=new) for new in items(matters)[:5]]
    assert len(batch) == 6
    for old, new in zip(one_by_one, batch, strict=True):
        assert record_of(new) == record_of(old)
        assert_replay_matches(Call.objects.get(pk=new.pk))
    for old, new in zip(one_by_one, singles, strict=False):
        assert record_of(new) == record_of(old)
    expected = record_of(one_by_one[0])  # the comparison compares something
    assert expected["assignments"] == [
        (org("440111-cgj").pk, "lead", None, True),
        (org("440111-zjj").pk, "co", None, True),
    ]
    assert len(expected["notices"]) == len(expected["outbox"]) == 3  # 城管局 ×2, 住建局
    assert len(record_of(one_by_one[5])["photos"]) == len(record_of(batch[5])["photos"]) == 2
    assert audit.verify().ok


def test_the_batch_keeps_the_items_order_and_returns_the_stored_calls(persona, matters):
    batch = services.create_calls(actor=persona("yuncheng"), items=items(matters))
    assert [c.title for c in batch] == [new.title for new in items(matters)]
    assert [c.pk for c in batch] == sorted(c.pk for c in batch)
    stored = {c.pk: c for c in Call.objects.filter(pk__in=[c.pk for c in batch])}
    for call in batch:
        assert (call.number, call.next_alert_at) == (
            stored[call.pk].number,
            stored[call.pk].next_alert_at,
        )
    rows = AuditEntry.objects.filter(object_type="calls.call", object_id__in=[c.pk for c in batch])
    seqs = list(rows.order_by("seq").values_list("object_id", flat=True))
    assert seqs == [str(c.pk) for c in batch]  # one audit row per call, in the items' order


def test_a_bad_item_is_named_by_its_index_and_nothing_is_written(persona, matters):
    actor = persona("yuncheng")
    bad = items(matters)
    bad[3] = services.NewCall("内涝", "   ", matter=matters[2])
    calls, notes, seq = Call.objects.count(), Notification.objects.count(), audit_seq()
    with pytest.raises(Invalid) as refused:
        services.create_calls(actor=actor, items=bad)
    assert (refused.value.field, refused.value.message) == ("items.3.description", "请描述情况")
    assert (Call.objects.count(), Notification.objects.count(), audit_seq()) == (calls, notes, seq)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: services.NewCall("自由呼叫", "未选领域"), "items.1.domain"),
        (
            lambda m: services.NewCall("x", "y", domain="key_work", urgency="soon"),
            "items.1.urgency",
        ),
        (lambda m: services.NewCall("", "y", matter=m[0]), "items.1.title"),
    ],
)
def test_each_rule_of_one_call_holds_in_a_batch(persona, matters, change, field):
    batch = [items(matters)[0], change(matters)]
    with pytest.raises(Invalid) as refused:
        services.create_calls(actor=persona("yuncheng"), items=batch)
    assert refused.value.field == field


def test_a_stopped_matter_is_refused_in_a_batch(persona, matters):
    Matter.objects.filter(pk=matters[1].pk).update(is_active=False)
    matters[1].refresh_from_db()
    with pytest.raises(Invalid) as refused:
        services.create_calls(actor=persona("yuncheng"), items=items(matters))
    assert refused.value.field == "items.1.matter"


def test_one_photo_cannot_go_on_two_calls_of_a_batch(persona, matters):
    actor = persona("yuncheng")
    photo = staged(actor, 1)
    batch = [services.NewCall("a", "b", matter=matters[0], attachment_ids=photo)] * 2
    with pytest.raises(Invalid) as refused:
        services.create_calls(actor=actor, items=batch)
    assert refused.value.field == "items.1.attachment_ids"
    assert Attachment.objects.get(pk=photo[0]).call_id is None


def test_someone_elses_photo_is_refused_naming_the_item(persona, matters):
    theirs = staged(persona("helong"), 1)
    batch = [
        *items(matters)[:2],
        services.NewCall("a", "b", matter=matters[0], attachment_ids=theirs),
    ]
    with pytest.raises(Invalid) as refused:
        services.create_calls(actor=persona("yuncheng"), items=batch)
    assert refused.value.field == "items.2.attachment_ids"


@pytest.mark.parametrize("count", [0, 501])
def test_a_batch_holds_1_to_500_calls(persona, matters, count):
    batch = (items(matters) * 100)[:count]
    with pytest.raises(Invalid) as refused:
        services.create_calls(actor=persona("yuncheng"), items=batch)
    assert refused.value.field == "items"


@pytest.mark.parametrize("username", ["chengguan", "command", "yuncheng-community"])
def test_only_a_unit_with_the_calling_right_creates_a_batch(persona, matters, username):
    with pytest.raises(Forbidden):
        services.create_calls(actor=persona(username), items=items(matters))
    assert not Call.objects.filter(title="井盖缺失").exists()


def test_the_full_500_in_one_batch(persona, matters):
    batch = services.create_calls(actor=persona("renhe-village"), items=(items(matters) * 84)[:500])
    assert len({c.number for c in batch}) == 500
    assert Notification.objects.filter(kind="call.created").count() == sum(
        {0: 3, 1: 1, 2: 0, 3: 3, 4: 0, 5: 3}[i % 6] for i in range(500)
    )  # the staff of each call's departments (see test_a_batch_records_what_…)
    assert audit.verify().ok


def audit_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
