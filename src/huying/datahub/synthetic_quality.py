# ruff: noqa: S608  (SQL built from the caller's own table and column names)
"""How well a linkage agrees with the synthetic extract's truth: pairwise counts, shared by the
linkage tests and bench/linkage.py so that every figure is computed the same way."""


def pair_counts(con, table: str, found: str, true: str) -> tuple[int, int, int]:
    """(pairs in both, pairs `found` puts together, pairs `true` puts together) over the rows of
    DuckDB table `table`, whose columns `found` and `true` name each row's group."""

    def pairs(by: str) -> int:
        return con.execute(
            "SELECT coalesce(sum(n * (n - 1) // 2), 0)::BIGINT FROM "
            f"(SELECT count(*) AS n FROM {table} GROUP BY {by})"
        ).fetchall()[0][0]

    return pairs(f"{found}, {true}"), pairs(found), pairs(true)
