"""The period a report covers: this year by default, a named period, or dates of one's own.

One rule for the statistics page, its Excel export and the API, so that "本月" or "上月" means the
same everywhere. Periods are whole local days (Asia/Shanghai); `end` is exclusive and None means
"up to now". A plain date stands for the whole day, so an end date is included.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core import clock
from huying.core.errors import Invalid

# The named periods, and how the summary sentence opens for each ("今年以来，镇街累计呼叫…").
SINCE = {
    "year": gettext_lazy("今年以来"),
    "quarter": gettext_lazy("本季度以来"),
    "month": gettext_lazy("本月以来"),
    "last_month": gettext_lazy("上月"),
}
CUSTOM = "custom"
KINDS = (*SINCE, CUSTOM)


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime | None = None
    end: datetime | None = None  # exclusive; None: up to now

    @classmethod
    def of(
        cls,
        kind: str = "year",
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        *,
        now: datetime | None = None,
    ) -> "Period":
        """Dates of one's own win over the named period (the API sends only start/end)."""
        if start is not None or end is not None or kind == CUSTOM:
            return cls.between(start, end)
        if kind not in SINCE:
            raise Invalid("统计期间应为 year、quarter、month、last_month 或 custom", field="period")
        return cls._named(kind, timezone.localtime(now or clock.now()))

    @classmethod
    def between(cls, start: date | datetime | None, end: date | datetime | None) -> "Period":
        if start is None and end is None:
            raise Invalid("自定义期间请填写开始日期或结束日期", field="start")
        start_at = _moment(start)
        end_at = _moment(end + timedelta(days=1) if _is_day(end) else end)
        if start_at and end_at and end_at <= start_at:
            raise Invalid("结束时间应晚于开始时间", field="end")
        return cls(CUSTOM, start_at, end_at)

    @classmethod
    def _named(cls, kind: str, now: datetime) -> "Period":
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if kind == "year":
            return cls(kind, today.replace(month=1, day=1))
        if kind == "quarter":
            return cls(kind, today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1))
        month_start = today.replace(day=1)
        if kind == "month":
            return cls(kind, month_start)
        return cls(kind, (month_start - timedelta(days=1)).replace(day=1), month_start)

    @property
    def first_day(self) -> date | None:
        return timezone.localtime(self.start).date() if self.start else None

    @property
    def last_day(self) -> date | None:
        """The last day counted: an end at midnight counts the day before."""
        if self.end is None:
            return None
        return timezone.localtime(self.end - timedelta(microseconds=1)).date()

    @property
    def since(self) -> str:
        """How the summary sentence opens: 今年以来 / 上月 / 2026年3月1日至2026年3月31日."""
        if self.kind in SINCE:
            return str(SINCE[self.kind])
        return self.span

    @property
    def span(self) -> str:
        """The dates covered, for the page and the sheet: 2026年1月1日至今."""
        first, last = self.first_day, self.last_day
        if first and last:
            return _("%(start)s至%(end)s") % {"start": day_text(first), "end": day_text(last)}
        if first:
            return _("%(start)s至今") % {"start": day_text(first)}
        return _("截至%(end)s") % {"end": day_text(last)}


def day_text(day: date) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def _is_day(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _moment(value: date | datetime | None) -> datetime | None:
    """Aware datetimes as they are; naive ones and plain dates in local time."""
    if value is None:
        return None
    if _is_day(value):
        value = datetime(value.year, value.month, value.day)
    return timezone.make_aware(value) if timezone.is_naive(value) else value
