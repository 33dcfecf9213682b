"""巡查计划 (/patrol/): the inspector's households of the day in order, phone-first.

Supervisors and the command centre open an inspector's plan with `?inspector=<username>`;
`?day=YYYY-MM-DD` shows a past day's plan (only today's is made on request).
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huying.core import clock
from huying.patrol import plan_selectors, plans
from huying.patrol.api_plans import inspector_for


def _day(text: str | None, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


@require_GET
@login_required
def plan_page(request):
    now = clock.now()
    whose = inspector_for(request.user, request.GET.get("inspector"))
    day = _day(request.GET.get("day"), timezone.localdate(now))
    plan = plans.plan_for(whose, day, now)
    rows = plan_selectors.plan_rows(plan) if plan else []
    return render(
        request,
        "patrol/plan.html",
        {
            "whose": whose,
            "day": day,
            "plan": plan,
            "rows": rows,
            "visited": sum(1 for r in rows if r.visited),
            "others": plan_selectors.managed_inspectors(request.user),
        },
    )
