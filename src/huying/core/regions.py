"""Region codes on resident ID numbers: was the code in use for someone born in a year?

The region table is python-stdnum's copy of GB/T 2260 with each code's years of validity.
A code must not have been abolished before the birth year; a code created after it is fine,
because a number is issued (and re-issued) years after birth with the code of that day: Baiyun
(440111) dates from 1987, and its residents born in 1982 rightly carry 440111. Requiring the
code to exist *in* the birth year, as python-stdnum's `validate` does, would flag them all.
"""

from functools import lru_cache

from stdnum import numdb


def verdict(code: str, year: int | None) -> str | None:
    """None when the code could be on a number of someone born in `year`; otherwise why not."""
    ends = _county_ends(code)
    if ends is None:
        return f"地区码 {code} 不存在"
    if year is None:
        return None
    for end in ends:
        if end is None or year <= end:  # still in use in the birth year or created later
            return None
    return f"地区码 {code} 在出生年份 {year} 年之前已撤销"


@lru_cache(maxsize=65536)
def _county_ends(code: str) -> tuple[int | None, ...] | None:
    """The last year of each county the code has named (None: still in use, or no dates
    known); None when it never named one. Cached per code, not per (code, birth year): a
    load sees a few thousand codes but tens of thousands of pairs."""
    table = _county_table()
    if table is None:
        parts = numdb.get("cn/loc").info(code)
        counties = {k: v for _part, props in parts for k, v in props.items()}.get("county")
    else:
        counties = table.get(code)
    if not counties:
        return None
    ends: list[int | None] = []
    for county in counties.split(","):
        if not county.startswith("["):
            ends.append(None)
            continue
        span, _name = county[1:].split("]", 1)
        _start, end = span.split("-")
        ends.append(int(end) if end else None)
    return tuple(ends)


@lru_cache(maxsize=1)
def _county_table() -> dict[str, str] | None:
    """Every code of the region table with its `county` value, read from the table's tree in
    one walk: asking the table code by code costs ~40 µs a code, and a load with mistyped
    numbers asks about thousands of them (each correction tried has its own code). None if
    the table is not shaped as province (2 digits) then county (4 digits): then ask it."""
    table: dict[str, dict[str, str]] = {}
    for length, low, high, props, children in numdb.get("cn/loc").prefixes:
        if length != 2 or low != high or "county" in props:
            return None
        for child_length, child_low, child_high, child_props, grandchildren in children:
            if child_length != 4 or child_low != child_high or grandchildren:
                return None
            table.setdefault(low + child_low, {}).update(child_props)
    return {code: props["county"] for code, props in table.items() if props.get("county")}
