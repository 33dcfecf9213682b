"""Resident search's lookups (datahub/search_lookups.py): what they match on both databases, and
that every query a search makes is answered from an index, never by reading the whole table
(the issue's 50 ms over a million residents: bench/lookup.py)."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from huying.core.masking import mask_id_number
from huying.datahub import hub_selectors
from huying.datahub.models import Resident
from huying.datahub.search_lookups import IdEnds, Prefix, glob_literal
from tests.datahub.factories import resident

LI_ID = "44011119851120456X"


def _names(*lookups) -> set[str]:
    return set(Resident.objects.filter(*lookups).values_list("name", flat=True))


def test_prefix_takes_wildcards_literally_and_minds_case(db):
    for name in ("李*丽", "李[丽", "李?", "李丽", "李%", "李_", "Anna", "anna"):
        resident(name)
    assert _names(Prefix(F("name"), "李*")) == {"李*丽"}
    assert _names(Prefix(F("name"), "李[")) == {"李[丽"}
    assert _names(Prefix(F("name"), "李?")) == {"李?"}
    assert _names(Prefix(F("name"), "李%")) == {"李%"}
    assert _names(Prefix(F("name"), "李_")) == {"李_"}
    assert _names(Prefix(F("name"), "李")) == {"李*丽", "李[丽", "李?", "李丽", "李%", "李_"}
    assert _names(Prefix(F("name"), "An")) == {"Anna"}  # as PostgreSQL's LIKE, on SQLite too


def test_glob_literal_wraps_each_wildcard():
    assert glob_literal("a*b?c[d]") == "a[*]b[?]c[[]d]"


def test_id_ends_matches_the_head_and_tail_of_the_number(db):
    resident("李丽", id_number=LI_ID)
    resident("李四", id_number="440111199001011234")
    resident("王五", id_number="440111850101123")  # the old 15-digit form
    resident("赵六", id_number="")
    assert _names(IdEnds(F("id_number"), ("440111", "456X"))) == {"李丽"}
    assert _names(IdEnds(F("id_number"), ("440111", "1123"))) == {"王五"}
    assert _names(IdEnds(F("id_number"), ("440112", "456X"))) == set()


def _full_scans(sql: str) -> list[str]:
    """The plan's lines that read datahub_resident whole (no index)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            lines = [row[-1] for row in cursor.fetchall()]
            return [line for line in lines if line.startswith("SCAN datahub_resident")]
        # A handful of rows: the planner would rightly scan. Forbid it, and see whether an
        # index can answer at all (else it scans anyway).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        lines = [row[0] for row in cursor.fetchall()]
        return [line for line in lines if "Seq Scan on datahub_resident" in line]


@pytest.mark.parametrize(
    "query",
    ["李丽", "李", "lili", "li", LI_ID, mask_id_number(LI_ID), "13712340099", "4401111985"],
)
def test_every_search_query_uses_an_index(db, persona, query):
    resident("李丽", id_number=LI_ID, phone="13712340099")
    resident("王五")
    with CaptureQueriesContext(connection) as captured:
        found = hub_selectors.search(persona("command"), query)
    assert found.residents or query == "4401111985"
    searched = [q["sql"] for q in captured if "datahub_resident" in q["sql"]]
    assert searched
    for sql in searched:
        assert not _full_scans(sql), sql
