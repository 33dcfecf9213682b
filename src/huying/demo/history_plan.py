"""What the demo's year of calls is made of: who calls, about what, when, and how it goes.

About 440 ordinary calls spread over the twelve months before "now" (a little busier as the
platform took hold, emergencies following the seasons), plus a few set pieces placed on
purpose: calls that got no response until the commission opened a case, perfunctory flags,
and open calls that are overdue today so the boards have something to show.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from huying.calls import services
from huying.calls.choices import Domain, Urgency
from huying.calls.models import Matter
from huying.core import workdays
from huying.demo import district as facts
from huying.demo import history_flows as f
from huying.demo import history_texts as texts
from huying.demo.history_time import at, local, office_moment
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org

ORDINARY_CALLS = 440
FREE_FORM_SHARE = 0.10
KEY_VILLAGE_SHARE = 0.12
DOMAIN_WEIGHTS = {Domain.LAW_ENFORCEMENT: 50, Domain.KEY_WORK: 24, Domain.EMERGENCY: 16}
BUSY_TOWNS = {"云城街道": 2.0, "人和镇": 1.6, "太和镇": 1.6, "钟落潭镇": 1.5, "江高镇": 1.5}


@dataclass(frozen=True)
class Caller:
    org: Org
    town: Org
    places: tuple[str, ...]  # villages and communities the call may be about


class Planner:
    def __init__(self, stage: f.Stage, now: datetime):
        self.stage, self.rng, self.now = stage, stage.rng, now
        self.matters = list(Matter.objects.filter(is_active=True).order_by("code"))
        self.towns, self.key_villages = self._callers()
        self.days = self._working_days()
        self.taken: set[tuple[int, datetime]] = set()

    # --- the parts of a call --------------------------------------------------------------

    def _callers(self) -> tuple[list[Caller], list[Caller]]:
        towns, villages = [], []
        for town in Org.objects.filter(kind__in=(OrgKind.TOWN, OrgKind.STREET)).order_by("code"):
            children = list(town.children.order_by("code"))
            towns.append(Caller(town, town, tuple(c.name for c in children)))
            villages += [Caller(c, town, (c.name,)) for c in children if c.has_calling_right]
        return towns, villages

    def _working_days(self) -> list[date]:
        today = local(self.now).date()
        first = today - timedelta(days=365)
        days = [first + timedelta(days=n) for n in range((today - first).days)]
        return [d for d in days if workdays.is_working_day(d)]

    def _caller(self) -> Caller:
        if self.rng.random() < KEY_VILLAGE_SHARE:
            return self.rng.choice(self.key_villages)
        weights = [BUSY_TOWNS.get(c.town.name, 1.0) for c in self.towns]
        return self.rng.choices(self.towns, weights)[0]

    def _day(self) -> date:
        """Later months a little busier: the platform took hold over the year."""
        n = len(self.days)
        weights = [0.7 + 0.6 * i / n for i in range(n)]
        return self.rng.choices(self.days, weights)[0]

    def _matter(self, domain: str, day: date) -> Matter:
        candidates = [m for m in self.matters if m.domain == domain]
        wet = 4 <= day.month <= 9

        def weight(m: Matter) -> float:
            if m.code in texts.WET_SEASON:
                return 4.0 if wet else 0.3
            if m.code in texts.DRY_SEASON:
                return 0.3 if wet else 3.0
            return 1.0

        return self.rng.choices(candidates, [weight(m) for m in candidates])[0]

    def _when(self, caller_org: Org, day: date, emergency: bool) -> datetime:
        rng = self.rng
        if emergency and rng.random() < 0.35:  # emergencies do not keep office hours
            moment = at(day, rng.randrange(24), rng.randrange(60), rng.randrange(60))
        else:
            moment = office_moment(rng, day)
        while (caller_org.pk, moment) in self.taken:  # one call per caller per instant
            moment += timedelta(seconds=1)
        self.taken.add((caller_org.pk, moment))
        return moment

    def _text(self, pattern: str, caller: Caller) -> tuple[str, str]:
        road = self.rng.choice(texts.ROADS[caller.town.name])
        place = self.rng.choice(caller.places)
        title = pattern.format(road=road, place=place)
        address = f"广州市白云区{caller.town.name}{place}{road}{self.rng.randint(1, 399)}号"
        return title, address

    def _new_call(self, caller: Caller, matter: Matter | None, free=None) -> services.NewCall:
        rng = self.rng
        pattern = rng.choice(texts.TITLES[matter.code]) if matter else free[0]
        title, address = self._text(pattern, caller)
        domain = matter.domain if matter else free[1]
        situation = rng.choice(texts.SITUATIONS[domain])
        if matter:
            lead = matter.lead_department.short_name or matter.lead_department.name
            ask = rng.choice(texts.ASKS).format(lead=lead)
        else:
            ask = texts.ASK_COMMAND
        if matter is None:
            urgency = free[2]
        elif domain == Domain.EMERGENCY:
            urgency = Urgency.EMERGENCY
        else:
            urgency = Urgency.URGENT if rng.random() < 0.15 else Urgency.NORMAL
        lat = float(caller.org.lat or caller.town.lat) + rng.uniform(-0.006, 0.006)
        lon = float(caller.org.lon or caller.town.lon) + rng.uniform(-0.006, 0.006)
        return services.NewCall(
            title=title,
            description=f"位于{address}。{title}，{situation}。{ask}",
            matter=matter,
            urgency=urgency,
            domain=None if matter else domain,
            address=address,
            lat=round(lat, 6),
            lon=round(lon, 6),
        )

    # --- whole calls ------------------------------------------------------------------------

    def script(self, *, day: date | None = None, code: str | None = None, **how) -> f.Script:
        """One call: its caller, matter (or a free-form request), moment and how it goes."""
        day = day or self._day()
        caller = self._caller()
        free = None
        if code:
            matter = next(m for m in self.matters if m.code == code)
        elif self.rng.random() < FREE_FORM_SHARE:
            matter, free = None, self.rng.choice(texts.FREE_FORM)
        else:
            domains = list(DOMAIN_WEIGHTS)
            domain = self.rng.choices(domains, list(DOMAIN_WEIGHTS.values()))[0]
            matter = self._matter(domain, day)
        emergency = (matter.domain if matter else free[1]) == Domain.EMERGENCY
        route_to = _department(free[3]) if free else None
        return f.Script(
            caller=self.stage.cast.caller(caller.org),
            new=self._new_call(caller, matter, free),
            called_at=self._when(caller.org, day, emergency),
            route_to=route_to,
            **how,
        )

    def ordinary(self) -> f.Script:
        """Most calls go well; some are late, returned, redone or withdrawn."""
        script = self.script()
        r = self.rng.random()
        if r < 0.015:
            script.withdraw = True
        elif r < 0.055 and script.route_to is None:
            self._dispute(script)
        elif r < 0.09:
            script.response = f.LATE
        elif r < 0.135:
            script.resolution = f.OVERDUE
        elif r < 0.145:
            script.resolution = f.FAR_OVERDUE
        elif r < 0.18:
            script.redo = True
        return script

    def _dispute(self, script: f.Script) -> None:
        co = list(script.new.matter.co_departments.order_by("code"))
        if co and self.rng.random() < 0.6:
            script.dispute, script.reroute_to = f.REROUTE, self.rng.choice(co)
        else:
            script.dispute = f.UPHOLD

    def set_pieces(self) -> list[f.Script]:
        """Placed on purpose so the year shows every part of the ladder."""
        ago = self._working_days_ago
        scripts = [  # no response until the commission opened a case; then done late
            self.script(day=ago(210), code="ZF-008", response=f.AFTER_CASE, case_outcome=True),
            self.script(day=ago(150), code="ZF-016", response=f.AFTER_CASE, case_outcome=True),
            self.script(day=ago(100), code="ZF-022", response=f.AFTER_CASE, case_outcome=True),
            self.script(day=ago(30), code="ZF-029", response=f.AFTER_CASE),  # case still open
            # perfunctory flags: one confirmed by the commission and closed, one under review
            self.script(
                day=ago(125), code="ZF-001", perfunctory=True, review=True, case_outcome=True
            ),
            self.script(day=ago(60), code="ZF-009", perfunctory=True),
            # open today: no response at all past the grace period (level 2 and a case) ...
            self.script(day=ago(9), code="ZF-014", response=f.NEVER),
            # ... no response yet, a day past the limit (level-1 urging) ...
            self.script(day=ago(2), code="ZD-017", response=f.NEVER),
            # ... the work overdue and stalled, and a return waiting for the command centre
            self.script(day=ago(12), code="ZF-007", resolution=f.STALLED),
            self.script(day=ago(1), code="ZF-002", dispute=f.PENDING),
        ]
        return scripts

    def _working_days_ago(self, n: int) -> date:
        return self.days[-n]


def _department(suffix: str) -> Org:
    return Org.objects.get(code=facts.department_code(suffix))
