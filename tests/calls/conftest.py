from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from huying.calls import services
from huying.calls.choices import Domain, Urgency
from huying.calls.models import Matter
from huying.core import clock
from huying.orgs.models import Org


@pytest.fixture
def matter(db):
    """A law-enforcement matter led by 城管局 with 住建局 as co-department: 2 h / 3 working days."""
    item = Matter.objects.create(
        code="ZF-T01",
        domain=Domain.LAW_ENFORCEMENT,
        name="占道经营整治",
        lead_department=Org.objects.get(code="440111-cgj"),
        response_seconds=2 * 3600,
        resolution_working_days=3,
    )
    item.co_departments.add(Org.objects.get(code="440111-zjj"))
    return item


@pytest.fixture
def new_call(persona, matter):
    def make(username="yuncheng", **overrides):
        fields = {
            "title": "店外经营占道",
            "description": "云城西路多家店铺占道经营",
            "matter": matter,
        }
        fields |= overrides
        return services.create_call(actor=persona(username), new=services.NewCall(**fields))

    return make


@pytest.fixture
def free_form(persona):
    def make(urgency=Urgency.NORMAL):
        return services.create_call(
            actor=persona("yuncheng"),
            new=services.NewCall(
                title="路灯不亮",
                description="整条街路灯不亮",
                urgency=urgency,
                domain=Domain.KEY_WORK,
            ),
        )

    return make


@pytest.fixture
def road_call(persona, org):
    """云城街 calls about 云城北二路; the command centre routes it to 住建局, which responds."""
    with clock.frozen_at(datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        call = services.create_call(
            actor=persona("yuncheng"),
            new=services.NewCall(
                title="云城北二路断头路长期未建成",
                description="云城北二路约 300 米路段多年未建成，涉及规划红线、施工和沿线占道。",
                domain=Domain.KEY_WORK,
                address="云城北二路",
            ),
        )
        call = services.transfer(actor=persona("command"), call=call, department=org("440111-zjj"))
        return services.respond(actor=persona("zhujian"), call=call)
