"""API pagination with bounded numbers: a huge offset is a 422 naming it, never a 500."""

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
