"""Stable resident ids: which resident each group of linked records is.

Full run: each cluster takes the resident id most of its records were linked to before; when
a resident's records now fall into several clusters (a split), the cluster holding most of
them keeps the id and the others take their next choice or a new id; a resident whose
records all joined another cluster's resident (a merge) is left without records.

Incremental run: records linked before keep their resident (a changed record too). New
records are grouped by their edges among themselves; a group joins the resident of its best
edge to an already linked record, else it becomes a new resident.

Input and output are DuckDB tables on the run's connection:
- `link_previous(unique_id, resident_id, match_probability)`: the links before this run;
- full: `link_clusters(unique_id, cluster_id, match_probability)` (linkage_predict);
- incremental: `link_edges` and `link_fresh(unique_id, …)`, the records no run linked;
- out: `link_assigned(unique_id, cluster_id, resident_id, match_probability)`, where
  `resident_id` is NULL for a group that needs a new resident (cluster_id names the group).
"""

import pyarrow as pa

from huying.datahub import linkage_predict


def assign_full(con) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE id_votes AS "
        "SELECT c.cluster_id, p.resident_id, count(*) AS votes "
        "FROM link_clusters c JOIN link_previous p USING (unique_id) GROUP BY ALL"
    )
    # Nearly every cluster has one candidate which has no other cluster: settled in SQL.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE id_choice AS "
        "SELECT cluster_id, resident_id FROM id_votes "
        "QUALIFY count(*) OVER (PARTITION BY cluster_id) = 1 "
        "AND count(*) OVER (PARTITION BY resident_id) = 1"
    )
    # The rest (splits and merges) greedily: the largest share of a resident's records first.
    contested = con.execute(
        "SELECT cluster_id, resident_id FROM id_votes v "
        "WHERE NOT EXISTS (SELECT 1 FROM id_choice c WHERE c.cluster_id = v.cluster_id) "
        "ORDER BY votes DESC, resident_id, cluster_id"
    ).fetchall()
    taken_clusters, taken_residents, chosen = set(), set(), []
    for cluster_id, resident_id in contested:
        if cluster_id in taken_clusters or resident_id in taken_residents:
            continue
        taken_clusters.add(cluster_id)
        taken_residents.add(resident_id)
        chosen.append((cluster_id, resident_id))
    if chosen:
        clusters, residents = zip(*chosen, strict=True)
        con.register("id_chosen", pa.table({"cluster_id": clusters, "resident_id": residents}))
        con.execute("INSERT INTO id_choice SELECT cluster_id, resident_id FROM id_chosen")
        con.unregister("id_chosen")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_assigned AS "
        "SELECT c.unique_id, c.cluster_id, i.resident_id, c.match_probability "
        "FROM link_clusters c LEFT JOIN id_choice i USING (cluster_id)"
    )


def assign_incremental(con) -> None:
    # Edges between two new records group them; connected components by label propagation
    # (the new records of one load are few, and their groups small).
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fresh_edges AS "
        "SELECT unique_id_l AS a, unique_id_r AS b FROM link_edges "
        "WHERE unique_id_l IN (SELECT unique_id FROM link_fresh) "
        "AND unique_id_r IN (SELECT unique_id FROM link_fresh)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fresh_group AS "
        "SELECT unique_id, unique_id AS cluster_id FROM link_fresh"
    )
    while True:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE fresh_next AS "
            "SELECT g.unique_id, least(g.cluster_id, min(n.cluster_id)) AS cluster_id "
            "FROM fresh_group g LEFT JOIN ("
            "  SELECT e.a AS u, g2.cluster_id FROM fresh_edges e JOIN fresh_group g2 "
            "  ON g2.unique_id = e.b "
            "  UNION ALL SELECT e.b, g2.cluster_id FROM fresh_edges e JOIN fresh_group g2 "
            "  ON g2.unique_id = e.a) n ON n.u = g.unique_id "
            "GROUP BY g.unique_id, g.cluster_id"
        )
        changed = con.execute(
            "SELECT count(*) FROM fresh_next n JOIN fresh_group g USING (unique_id) "
            "WHERE n.cluster_id <> g.cluster_id"
        ).fetchall()[0][0]
        con.execute("CREATE OR REPLACE TEMP TABLE fresh_group AS SELECT * FROM fresh_next")
        if not changed:
            break
    linkage_predict.split_conflicts(con, "fresh_group")
    # Each new record's edges to linked records, oriented (new, old); a group joins the
    # resident of its strongest one (by weight: probabilities all round to 1 up there).
    oriented = (
        "SELECT e.unique_id_{new} AS new_id, p.resident_id, e.match_weight "
        "FROM link_edges e JOIN link_fresh f ON f.unique_id = e.unique_id_{new} "
        "JOIN link_previous p ON p.unique_id = e.unique_id_{old}"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fresh_to_old AS "
        + oriented.format(new="r", old="l")
        + " UNION ALL "
        + oriented.format(new="l", old="r")
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE group_resident AS "
        "SELECT g.cluster_id, arg_max(o.resident_id, o.match_weight) AS resident_id "
        "FROM fresh_to_old o JOIN fresh_group g ON g.unique_id = o.new_id GROUP BY g.cluster_id"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fresh_best AS "
        "SELECT u AS unique_id, max(p) AS match_probability FROM ("
        "  SELECT unique_id_l AS u, match_probability AS p FROM link_edges"
        "  UNION ALL SELECT unique_id_r, match_probability FROM link_edges) GROUP BY u"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE link_assigned AS "
        "SELECT g.unique_id, g.cluster_id, r.resident_id, b.match_probability "
        "FROM fresh_group g LEFT JOIN group_resident r USING (cluster_id) "
        "LEFT JOIN fresh_best b USING (unique_id)"
    )
