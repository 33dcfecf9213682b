"""API pagination with bounded numbers: a huge offset is a 422 naming it, never a 500."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 1000  # the whole org tree of a district fits in one page
MAX_OFFSET = 1_000_000_000


class BoundedLimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"每页条数，1–{MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


COUNT_CAP = 1000


class CappedCountLimitOffset(BoundedLimitOffset):
    """For lists that grow with history (calls): an exact COUNT(*) over half a million rows
    costs more than the page itself, on every request. Past COUNT_CAP rows the count stops
    and says so; nobody pages through a thousand calls (they filter instead)."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(description=f"总条数；超过 {COUNT_CAP} 条时只计到 {COUNT_CAP}")
        count_capped: bool = Field(description=f"true：实际多于 {COUNT_CAP} 条")

    def paginate_queryset(
        self, queryset: QuerySet, pagination, request, *, counted: QuerySet | None = None, **params
    ) -> dict:
        """The page of `queryset` and its count; `counted`, when given, is the same rows in
        the order that counts them fastest (see `calls.selectors.counted`)."""
        page = super().paginate_queryset(queryset, pagination, request, **params)
        # COUNT over a LIMIT subquery of ids, keeping the list's order: the database then walks
        # the index the page uses and stops at the cap (unordered, PostgreSQL chose a scan).
        rows = (queryset if counted is None else counted).values("pk")[: COUNT_CAP + 1].count()
        return page | {"count": min(rows, COUNT_CAP), "count_capped": rows > COUNT_CAP}

    def _items_count(self, queryset: QuerySet) -> int:
        return 0  # counted, capped, in paginate_queryset


def paged(item_schema: type[Schema], paginator: type[LimitOffsetPagination]) -> type[Schema]:
    """The page schema `@paginate(paginator)` documents for `response=list[item_schema]`
    (`Paged<Item>`: the paginator's Output with typed items), for a handler that pages its
    list itself and returns the rendered page."""
    return type(
        f"Paged{item_schema.__name__}",
        (paginator.Output,),
        {"__annotations__": {"items": list[item_schema]}},
    )
