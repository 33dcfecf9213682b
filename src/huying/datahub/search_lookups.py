"""Two lookups for resident search that an index answers on SQLite as well as PostgreSQL.

Django's `startswith` is `LIKE 'x%' ESCAPE '\\'`. On SQLite LIKE ignores ASCII case, so a plain
(BINARY) index cannot answer it and SQLite reads the whole table: 100–400 ms over a million
residents (bench/lookup.py), as was the masked-ID form's `substr(...) = ?` with bound numbers.
GLOB is case-sensitive, as PostgreSQL's LIKE is, and SQLite answers `col GLOB 'x*'` with a range
on the column's index (its "LIKE optimisation", which covers GLOB on a BINARY index, bound
parameters included). PostgreSQL keeps LIKE and the expression index: see each lookup.

Used as expressions: `visible.filter(Prefix(F("name"), q))`.
"""

from django.db.models import Lookup
from django.db.models.lookups import StartsWith


def glob_literal(text: str) -> str:
    """`text` matched literally by GLOB: its wildcard characters each in a one-character set."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


class Prefix(StartsWith):
    """The column starts with the given text (case-sensitive on both databases). PostgreSQL:
    LIKE, answered by the varchar_pattern_ops "_like" index Django adds to an indexed CharField
    (or by the plain index under a C collation). Keeps the lookup name "startswith": the
    backends' operator tables are keyed by it."""

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} GLOB %s", [*params, glob_literal(str(self.rhs)) + "*"]


class IdEnds(Lookup):
    """An ID number as masked (440111********1234): its first six and last four characters,
    given as the pair (head, tail). PostgreSQL: equality on exactly the expressions of the
    index migration 0003 creates (`datahub_resident_id_ends`). SQLite: GLOB 'head*tail', a
    range on the id_number index over the numbers of that region (a covering index: a few ms
    for the largest region among a million residents)."""

    lookup_name = "id_ends"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        head, tail = self.rhs
        sql = f'substring({lhs}, 1, 6) = %s AND "right"({lhs}, 4) = %s'
        return sql, [*params, head, *params, tail]

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        head, tail = self.rhs
        return f"{lhs} GLOB %s", [*params, f"{glob_literal(head)}*{glob_literal(tail)}"]
