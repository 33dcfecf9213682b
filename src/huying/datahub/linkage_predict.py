# ruff: noqa: S608  (SQL built from our own table and column names; values are bound or ours)
"""Scoring pairs with a trained model and grouping records: everything at once (a full run),
or only new records against those already linked (an incremental run).

Both leave their results as DuckDB tables on the linker's connection:
- `link_edges(unique_id_l, unique_id_r, match_probability, match_weight)`: scored pairs at or
  above the threshold;
- full runs: `link_clusters(unique_id, cluster_id, match_probability)`, every input record
  with its cluster (connected components over the edges) and its best edge's probability.
"""

from huying.datahub.linkage_model import new_linker
from huying.datahub.linkage_spec import ID_NUMBER, LinkSpec


def tf_columns(model: dict) -> list[str]:
    """The columns whose term frequencies the model adjusts by."""
    cols = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            col = level.get("tf_adjustment_column")
            if col and col not in cols:
                cols.append(col)
    return cols


def cluster_all(con, table: str, model: dict, spec: LinkSpec) -> int:
    """Score every blocked pair of `table`, cluster at the spec's threshold and, when the
    spec knows which ID numbers are sound, split the clusters holding two people
    (`split_conflicts`); return how many were split."""
    threshold = spec.threshold
    linker = new_linker(con, table, model)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_edges AS SELECT unique_id_l, unique_id_r, "
        f"match_probability, match_weight FROM {predictions.physical_name}"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_clusters AS "
        "WITH best AS (SELECT u AS unique_id, max(p) AS match_probability FROM ("
        "  SELECT unique_id_l AS u, match_probability AS p FROM link_edges"
        "  UNION ALL SELECT unique_id_r, match_probability FROM link_edges) GROUP BY u) "
        f"SELECT c.unique_id, c.cluster_id, b.match_probability FROM {clusters.physical_name} c "
        "LEFT JOIN best b USING (unique_id)"
    )
    # Splink's intermediate tables hold the whole input several times over: gone before the
    # next stage needs the memory.
    linker.table_management.delete_tables_created_by_splink_from_db()
    ids = [f for f in spec.fields if f.kind == ID_NUMBER and f.valid]
    if not ids:
        return 0
    return split_conflicts(con, "link_clusters", table, ids[0].column, ids[0].valid)


def match_new(con, table: str, existing: str, fresh: str, model: dict, threshold: float) -> int:
    """Score the records of table `fresh` against those of `existing` and among themselves
    (both subsets of `table`, whose term frequencies are used); the edges go to
    `link_edges`. Pairs inside `existing` are not scored again. Returns the edge count."""
    linker = new_linker(con, table, model)
    for col in tf_columns(model):
        linker.table_management.compute_tf_table(col)
    db_api = linker._db_api  # Splink keeps one DuckDBAPI per linker; its tables live there
    left = db_api.register(existing)
    right = db_api.register(fresh)
    between = linker.inference.predict_between(
        left, right, threshold_match_probability=threshold, warning_mode="never"
    )
    within = linker.inference.predict_within(
        right, threshold_match_probability=threshold, warning_mode="never"
    )
    cols = "unique_id_l, unique_id_r, match_probability, match_weight"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_edges AS "
        f"SELECT {cols} FROM {between.physical_name} "
        f"UNION ALL SELECT {cols} FROM {within.physical_name}"
    )
    linker.table_management.delete_tables_created_by_splink_from_db()
    return con.execute("SELECT count(*) FROM link_edges").fetchall()[0][0]


def split_conflicts(
    con,
    groups: str,
    table: str = "link_input",
    id_column: str = "id_number",
    valid_column: str = "id_valid",
) -> int:
    """A person has one ID number: a group holding two different *sound* numbers is two or
    more people joined through a record that matched both (a door card without a number in
    a household of namesakes, a clerk's copy of a housemate's name). Such a group is split
    around its sound numbers: every other record goes to the number its strongest edge leads
    to, nearest first (label propagation over `link_edges`, by match weight); records with
    no path to a number stay together. `groups(unique_id, cluster_id, …)` is rewritten in
    place; `table` gives the numbers and whether they are sound. Returns how many groups
    were split."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE conflict_groups AS SELECT g.cluster_id "
        f"FROM {groups} g JOIN {table} i USING (unique_id) WHERE i.{valid_column} "
        f"GROUP BY g.cluster_id HAVING count(DISTINCT i.{id_column}) > 1"
    )
    split = con.execute("SELECT count(*) FROM conflict_groups").fetchall()[0][0]
    if not split:
        return 0
    con.execute(
        "CREATE OR REPLACE TEMP TABLE conflict_members AS "
        f"SELECT g.unique_id, g.cluster_id, CASE WHEN i.{valid_column} THEN i.{id_column} END "
        f"AS anchor FROM {groups} g JOIN {table} i USING (unique_id) "
        "WHERE g.cluster_id IN (SELECT cluster_id FROM conflict_groups)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE conflict_edges AS "
        "SELECT e.unique_id_l AS a, e.unique_id_r AS b, e.match_weight AS w FROM link_edges e "
        "JOIN conflict_members ma ON ma.unique_id = e.unique_id_l "
        "JOIN conflict_members mb ON mb.unique_id = e.unique_id_r "
        "WHERE ma.cluster_id = mb.cluster_id"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE conflict_labels AS "
        "SELECT unique_id, anchor AS label FROM conflict_members WHERE anchor IS NOT NULL"
    )
    for _round in range(50):  # a group's diameter; bounded all the same
        added = con.execute(
            "INSERT INTO conflict_labels "
            "SELECT d.a, arg_max(l.label, d.w) FROM ("
            "  SELECT a, b, w FROM conflict_edges UNION ALL SELECT b, a, w FROM conflict_edges"
            ") d JOIN conflict_labels l ON l.unique_id = d.b "
            "WHERE d.a NOT IN (SELECT unique_id FROM conflict_labels) GROUP BY d.a"
        ).fetchall()[0][0]
        if not added:
            break
    con.execute(
        "CREATE OR REPLACE TEMP TABLE conflict_split AS "
        "SELECT g.* REPLACE (CASE WHEN m.unique_id IS NULL THEN g.cluster_id "
        "ELSE g.cluster_id || '~' || coalesce(l.label, '') END AS cluster_id) "
        f"FROM {groups} g LEFT JOIN conflict_members m USING (unique_id) "
        "LEFT JOIN conflict_labels l USING (unique_id)"
    )
    con.execute(f"DROP TABLE {groups}")
    con.execute(f"ALTER TABLE conflict_split RENAME TO {groups}")
    return split
