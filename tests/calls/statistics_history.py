"""A small history of calls, made through the real services, for the statistics tests.

At NOW (2026-11-17 10:00, Asia/Shanghai) the year holds six calls:
- 2026-11-16, 城管局 (law enforcement, 2 h to respond, 3 working days to resolve):
  云城街道 ×3 — one closed on time and rated 5, one responded late (3 h), one open;
  人和镇's key village ×1 — responded in 30 min, resolved, sent back for a redo;
- 2026-11-16, 云城街道: one free-form key-work call, not yet routed to a department;
- 2026-10-20, 鹤龙街道 ×1 — 城管局 responded in 30 min, closed on time and rated 3.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from huying.calls import services
from huying.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
OCTOBER = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)


def make_history(new_call, free_form, persona) -> dict:
    chengguan = persona("chengguan")
    with clock.frozen_at(OCTOBER):
        october = new_call("helong")
    with clock.frozen_at(OCTOBER + timedelta(minutes=30)):
        services.respond(actor=chengguan, call=october)
        services.resolve(actor=chengguan, call=october, result="已清理")
        services.confirm(
            actor=persona("helong"), call=october, rating=services.RatingInput(3, 3, 3)
        )
    with clock.frozen_at(MONDAY_9):
        november = [new_call(), new_call(), new_call(), new_call("renhe-village")]
        unrouted = free_form()
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=30)):
        services.respond(actor=chengguan, call=november[0])
        services.respond(actor=chengguan, call=november[3])
        services.resolve(actor=chengguan, call=november[0], result="已清理")
        services.confirm(
            actor=persona("yuncheng"), call=november[0], rating=services.RatingInput(5, 4, 5)
        )
        services.resolve(actor=chengguan, call=november[3], result="已清理")
        services.reject(actor=persona("renhe-village"), call=november[3], reason="没好")
    with clock.frozen_at(MONDAY_9 + timedelta(hours=3)):  # past the 2-hour response limit
        services.respond(actor=chengguan, call=november[1])
    return {"october": october, "november": november, "unrouted": unrouted}
