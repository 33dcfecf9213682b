"""The 云城北二路 story: a road left unbuilt, carried to closure by a coordination meeting.

云城街 calls for the special list's "道路建设推进" (住建局 leads; 规划分局, 城管局 and 交通运输局
assist). The departments sign; 云城街 convenes 住建, 规划 and 城管; each confirms; the minutes
agree three actions with owners and deadlines inside the call's time limit; the owners
complete them over the following weeks; 住建局 resolves and 云城街 confirms and rates.
Mirrors tests/calls/test_meetings.py, a few months back, as one flow of the timeline.
"""

from datetime import date, datetime, timedelta

from huying.calls import meetings, services
from huying.calls.choices import AssignmentRole, Urgency
from huying.calls.models import Matter
from huying.core import clock, workdays
from huying.demo import district as facts
from huying.demo.history_flows import Flow, Stage
from huying.demo.history_time import at, in_office, later, local, next_working_day
from huying.orgs.models import Org, User

TITLE = "云城北二路断头路长期未建成，群众出行不便"
MATTER = "ZD-001"  # 道路建设推进
DAYS_BACK = 120
PLACE = "云城街道办事处三楼会议室"
ACTIONS = (  # owner, what, days before the call's resolution deadline it is due
    ("ghj", "复核云城北二路道路红线，出具规划条件和用地意见", 21),
    ("cgj", "清理沿线临时搭建和占道经营，移交施工作业面", 14),
    ("zjj", "完成剩余 300 米路段施工招标，组织施工单位进场并完成路面施工", 3),
)
DONE_NOTES = {
    "ghj": "已复核红线，出具规划条件和用地意见。",
    "cgj": "沿线 6 处临时搭建和占道经营已清理，作业面已移交施工单位。",
    "zjj": "剩余路段路基、路面和人行道施工完成，已具备通车条件。",
}


def _department(suffix: str) -> Org:
    return Org.objects.get(code=facts.department_code(suffix))


def _monday_before(now: datetime) -> date:
    day = local(now - timedelta(days=DAYS_BACK)).date()
    day -= timedelta(days=day.weekday())
    return day if workdays.is_working_day(day) else next_working_day(day)


def story(stage: Stage, now: datetime) -> Flow:
    cast = stage.cast
    yuncheng = User.objects.get(username="yuncheng")
    day = _monday_before(now)
    yield at(day, 9, 20)
    call = services.create_call(
        actor=yuncheng,
        new=services.NewCall(
            title=TITLE,
            description=(
                "云城北二路（云城东路至齐心路段）规划已多年，约 300 米路段至今未建成，形成断头路，"
                "沿线有临时搭建和占道经营，周边小区居民和学生绕行 1 公里以上。涉及规划红线、"
                "施工组织和沿线清理，街道多次协调未果，请住建局牵头，规划、城管、交通部门协同推进。"
            ),
            matter=Matter.objects.get(code=MATTER),
            urgency=Urgency.NORMAL,
            address="广州市白云区云城街道云城北二路",
            lat=23.1812,
            lon=113.2885,
        ),
    )
    yield at(day, 11, 5)
    zhujian = cast.responder(call.lead_department_id)
    call = services.respond(actor=zhujian, call=call, note="已签收，牵头协调推进。")
    co = call.assignments.filter(role=AssignmentRole.CO, is_active=True).order_by(
        "department__code"
    )
    for n, department_id in enumerate(co.values_list("department_id", flat=True)):
        yield at(day, 14, 10) + timedelta(minutes=25 * n)
        services.respond(actor=cast.responder(department_id), call=call)

    meeting_day = next_working_day(next_working_day(day))
    yield at(next_working_day(day), 10, 0)
    invited = [_department(s) for s in ("zjj", "ghj", "cgj")]
    meeting = meetings.convene(
        actor=yuncheng,
        call=call,
        starts_at=at(meeting_day, 15, 0),
        place=PLACE,
        departments=invited,
        note="研究云城北二路剩余路段建设推进办法，请各部门分管领导参会。",
    )
    for n, department in enumerate(invited):
        yield at(next_working_day(day), 11 + n, 30)
        meetings.confirm_attendance(actor=cast.responder(department.pk), meeting=meeting)

    yield at(meeting_day, 17, 30)
    call.refresh_from_db()
    due = call.resolution_due_at
    meeting = meetings.record_minutes(
        actor=yuncheng,
        meeting=meeting,
        minutes=(
            "会议议定：规划分局复核道路红线并出具规划条件；城管局清理沿线临时搭建和占道经营，"
            "移交施工作业面；住建局组织剩余路段施工，力争在时限内通车。各部门每周向街道报送进展。"
        ),
        actions=[
            {
                "description": what,
                "owner_department": _department(owner),
                "due_at": due - timedelta(days=before, hours=6),
            }
            for owner, what, before in ACTIONS
        ],
    )
    yield from _actions(call, meeting, stage)
    yield later(stage.rng, clock.now(), 16, 24)  # 住建局 reports the road done, in time
    call = services.resolve(
        actor=zhujian,
        call=call,
        result=(
            "云城北二路剩余 300 米路段已完成施工并通车，沿线临时搭建已清理，红线内用地手续已完善。"
        ),
    )
    yield later(stage.rng, clock.now(), 20, 30)
    services.confirm(
        actor=yuncheng,
        call=call,
        note="道路已通车，群众反映良好。感谢各部门协同推进。",
        rating=services.RatingInput(satisfaction=5, timeliness=5, attitude=5),
    )


def _actions(call, meeting, stage: Stage):
    """Each owner completes its action a day or two before it is due; progress in between."""
    items = meeting.action_items.select_related("owner_department")
    by_owner = {i.owner_department.code: i for i in items}
    for owner, _, _ in ACTIONS:
        item = by_owner[facts.department_code(owner)]
        early = item.due_at - timedelta(days=1 + stage.rng.random())
        yield in_office(early, stage.rng, not_after=item.due_at)
        meetings.complete_action(
            actor=stage.cast.responder(item.owner_department_id), item=item, note=DONE_NOTES[owner]
        )
        if owner == "ghj":
            yield clock.now() + timedelta(days=1)
            services.report_progress(
                actor=stage.cast.responder(call.lead_department_id),
                call=call,
                note="规划条件已出具，正在办理施工招标。",
            )
