"""Stable ids and conflict splitting on their own: DuckDB tables in, DuckDB tables out (no
database, no model)."""

import duckdb
import pytest

from huying.datahub import linkage_ids, linkage_predict
from huying.datahub.linkage_spec import HUB, one_edit_sql


def table(con, name: str, columns: str, rows: list[tuple]) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    for row in rows:
        con.execute(f"INSERT INTO {name} VALUES ({', '.join('?' * len(row))})", list(row))


def assigned(con) -> dict[str, int | None]:
    return dict(con.execute("SELECT unique_id, resident_id FROM link_assigned").fetchall())


def test_a_cluster_keeps_the_id_most_of_its_records_had_and_a_split_keeps_the_larger_part():
    con = duckdb.connect()
    table(con, "link_previous", "unique_id VARCHAR, resident_id BIGINT, match_probability DOUBLE", [
        ("a", 1, None), ("b", 1, None), ("c", 2, None),  # 1 and 2 turn out to be one person
        ("d", 3, None), ("e", 3, None), ("f", 3, None), ("g", 3, None),  # 3 is two people
    ])  # fmt: skip
    table(con, "link_clusters", "unique_id VARCHAR, cluster_id VARCHAR, match_probability DOUBLE", [
        ("a", "A", 0.99), ("b", "A", 0.99), ("c", "A", 0.99),
        ("d", "D", 0.99), ("e", "D", 0.99), ("f", "D", 0.99),
        ("g", "G", None),
        ("h", "H", None),  # a record no run linked before
    ])  # fmt: skip
    linkage_ids.assign_full(con)
    ids = assigned(con)
    assert ids["a"] == ids["b"] == ids["c"] == 1  # merged: the majority's id; 2 is left empty
    assert ids["d"] == ids["e"] == ids["f"] == 3  # split: the larger part keeps the id
    assert ids["g"] is None and ids["h"] is None  # the smaller part and the newcomer: new ids


def test_a_tie_goes_to_the_older_resident():
    con = duckdb.connect()
    table(con, "link_previous", "unique_id VARCHAR, resident_id BIGINT, match_probability DOUBLE",
          [("a", 7, None), ("b", 5, None)])  # fmt: skip
    table(con, "link_clusters", "unique_id VARCHAR, cluster_id VARCHAR, match_probability DOUBLE",
          [("a", "X", 0.9), ("b", "X", 0.9)])  # fmt: skip
    linkage_ids.assign_full(con)
    assert set(assigned(con).values()) == {5}


def test_a_group_holding_two_sound_numbers_is_split_around_them():
    con = duckdb.connect()
    table(con, "link_input", "unique_id VARCHAR, id_number VARCHAR, id_valid BOOLEAN", [
        ("ps:1", "430102199001010011", True), ("mr:1", "430102199001010011", True),
        ("ps:2", "430102199505050022", True),
        ("card:1", None, False),  # the same name and dwelling as both; the phone of person 1
        ("card:2", "430102199505050023", False),  # person 2's number, mistyped
    ])  # fmt: skip
    table(con, "link_edges", "unique_id_l VARCHAR, unique_id_r VARCHAR, "
          "match_probability DOUBLE, match_weight DOUBLE", [
        ("ps:1", "mr:1", 1.0, 30.0),
        ("card:1", "ps:1", 0.999, 20.0), ("card:1", "ps:2", 0.95, 6.0),
        ("card:2", "ps:2", 0.999, 18.0),
    ])  # fmt: skip
    members = [(u, "G", 0.99) for u in ("ps:1", "mr:1", "ps:2", "card:1", "card:2")]
    columns = "unique_id VARCHAR, cluster_id VARCHAR, match_probability DOUBLE"
    table(con, "groups", columns, [*members, ("x", "X", None)])
    assert linkage_predict.split_conflicts(con, "groups") == 1
    group = dict(con.execute("SELECT unique_id, cluster_id FROM groups").fetchall())
    assert group["ps:1"] == group["mr:1"] == group["card:1"]
    assert group["ps:2"] == group["card:2"] != group["ps:1"]
    assert group["x"] == "X"  # groups without a conflict are left alone


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("110105194912310021", "110105194912310021", True),
        ("110105194912310021", "110105194912310028", True),  # one digit (the check digit)
        ("110105194912310021", "110105194921310021", True),  # neighbours swapped
        ("110105194912310021", "110105194921310012", False),  # two swaps
        ("13800138000", "1380013800", True),  # a digit dropped
        ("13800138000", "138001380000", True),  # a digit doubled
        ("13800138000", "13900139000", False),
    ],
)
def test_one_edit_is_one_substitution_insertion_deletion_or_swap(a, b, near):
    con = duckdb.connect()
    sql = f"SELECT {one_edit_sql('a', 'b')} FROM (SELECT ?::VARCHAR AS a, ?::VARCHAR AS b)"
    assert con.execute(sql, [a, b]).fetchall()[0][0] is near


def test_the_hub_spec_blocks_and_compares_columns_that_exist():
    columns = set(HUB.columns)
    assert {c for rule in HUB.blocking + HUB.training + HUB.prior_rules for c in rule} <= columns
    settings = HUB.settings()
    assert [c["output_column_name"] for c in settings["comparisons"]] == [
        f.column for f in HUB.fields
    ]
    name = settings["comparisons"][0]["comparison_levels"]
    assert [level["label_for_charts"] for level in name] == [
        "null", "exact", "pinyin", "similar", "else",
    ]  # fmt: skip
