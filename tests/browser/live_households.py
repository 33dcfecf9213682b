"""Households for the patrol's browser tests, made in the live server's own database.

The live server runs the demo without the hub's departmental data (tests/live.py: the
extract would make every live session slower), so a test that needs a household of the demo
inspector writes one here: a dwelling of 云城街道 with its occupants, in the inspector's area
and, when asked, on the inspector's plan of today (added the way a supervisor would add it,
should the day's plan already have been made by an earlier test).
"""

import json
import subprocess
import sys

from tests.live import LIVE_ENV

SEED = """
import django, json, sys
django.setup()
from datetime import date
from django.utils import timezone
from huying.core import clock
from huying.core.idnumbers import check_digit, gender_of
from huying.datahub.models import Dwelling, Occupancy, Resident
from huying.datahub.persons import name_pinyin
from huying.orgs.models import Org, User
from huying.patrol import plans
from huying.patrol.models import PatrolArea
spec = json.loads(sys.argv[1])
town = Org.objects.get(name="云城街道")
village = town.children.order_by("code").first()
now = clock.now()
place, made = Dwelling.objects.get_or_create(code=spec["code"], defaults=dict(
    address=spec["address"], town=town, village=village, rooms=2, max_occupants=spec["max"],
    occupants=len(spec["occupants"]), owner_name="房东甲", owner_phone="13900139000",
    load_id=1, updated_at=now))
for n, (name, number, phone) in enumerate(spec["occupants"] if made else []):
    number = number if len(number) == 18 else number + check_digit(number)
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    person = Resident.objects.create(
        name=name, name_pinyin=name_pinyin(name), id_number=number,
        id_number_valid=number[17] == check_digit(number[:17]), gender=gender_of(number),
        birth_date=born, phone=phone, dwelling=place, town=town, village=village,
        updated_at=now)
    Occupancy.objects.create(dwelling=place, resident=person, basis="registration",
                             source_key=f"{spec['code']}-{n}")
inspector = User.objects.get(username="inspector")
area, _ = PatrolArea.objects.get_or_create(inspector=inspector)
area.dwellings.add(place)
if spec["on_plan"]:
    plan = plans.plan_for(inspector, timezone.localdate(now), now)
    if not plan.items.filter(dwelling=place).exists():
        plans.add_item(User.objects.get(username="admin"), inspector, plan.day, place.code,
                       "浏览器测试", now)
print(place.pk)
"""


def seed_household(
    code: str,
    address: str,
    occupants: list[tuple[str, str, str]],
    *,
    max_occupants: int = 2,
    on_plan: bool = False,
) -> int:
    """The dwelling's id. `occupants`: (name, ID number, phone); a 17-digit number gets its
    check digit, an 18-digit one is stored as given (a wrong number on file)."""
    spec = {"code": code, "address": address, "occupants": occupants, "max": max_occupants,
            "on_plan": on_plan}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", SEED, json.dumps(spec)], env=LIVE_ENV,
                          check=True, capture_output=True, text=True, timeout=60)  # fmt: skip
    return int(done.stdout.split()[-1])
