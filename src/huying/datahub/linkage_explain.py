"""Why a resident's records were linked: for each record, how it compares with the resident's
best record, field by field, with the saved model's levels and match weights (Splink's
waterfall data).

The resident's best record is made of its best values (residents.py), each taken from the
record that supplied it, as the last run saw them (linkage_snapshot). `explain` returns
plain data for the resident page; it holds no values, only levels and weights, so the page
decides what to show and mask.
"""

from django.utils.translation import gettext as _
from splink.internals.waterfall_chart import records_to_waterfall_data

from huying.datahub import linkage_model, linkage_snapshot, store
from huying.datahub.linkage_spec import HUB

# The fields of a resident's best record -> the provenance entry that names their record.
_PROVIDER = {
    "name": "name",
    "name_pinyin": "name",
    "surname": "name",
    "id_number": "id_number",
    "id_valid": "id_number",
    "id_head": "id_number",
    "id_tail": "id_number",
    "birth_date": "birth_date",
    "gender": "gender",
    "phone": "phone",
    "dwelling_code": "dwelling_code",
    "address": "current_address",
}


def field_labels() -> dict[str, str]:
    return {
        "name": _("姓名"),
        "id_number": _("身份证号"),
        "birth_date": _("出生日期"),
        "gender": _("性别"),
        "phone": _("电话"),
        "dwelling_code": _("出租屋"),
        "address": _("地址"),
    }


def level_labels() -> dict[str, str]:
    return {
        "null": _("缺少，不计"),
        "exact_valid": _("相同且号码有效"),
        "exact": _("完全相同"),
        "pinyin": _("同音（拼音相同）"),
        "similar": _("相近"),
        "similar_2": _("略相近"),
        "one_edit": _("差一位或相邻两位颠倒"),
        "other_valid": _("两个不同的有效号码"),
        "else": _("不同"),
    }


def explain(resident) -> dict:
    """{model_version, threshold, records: [{source, source_key, match_probability,
    match_weight, comparisons: [{field, field_label, level, level_label, match_weight}]}]}
    — one entry per record of the resident, compared with the resident's best record."""
    from huying.datahub.linkage import last_run

    run = last_run()
    links = list(resident.records.order_by("source", "source_key"))
    result = {
        "model_version": run.model_version if run else None,
        "threshold": HUB.threshold,
        "records": [],
    }
    if run is None or not links:
        return result
    rows = linkage_snapshot.read([f"{r.source}:{r.source_key}" for r in links])
    if not rows:
        return result
    model = linkage_model.load(run.model_version)
    best = _best_record(resident, {row["unique_id"]: row for row in rows})
    scored = _score(model, best, rows)
    by_id = {r.source + ":" + r.source_key: r for r in links}
    fields, levels = field_labels(), level_labels()
    for record in scored:
        link = by_id[record["unique_id"]]
        comparisons = [
            {
                "field": step["column_name"],
                "field_label": fields.get(step["column_name"], step["column_name"]),
                "level": step["label_for_charts"],
                "level_label": levels.get(step["label_for_charts"], step["label_for_charts"]),
                "match_weight": round(step["weight"], 2),
            }
            for step in record["steps"]
        ]
        result["records"].append(
            {
                "source": link.source,
                "source_key": link.source_key,
                "match_probability": link.match_probability,
                "match_weight": round(record["match_weight"], 2),
                "comparisons": comparisons,
            }
        )
    return result


def _best_record(resident, rows: dict[str, dict]) -> dict:
    record = {"unique_id": f"resident:{resident.pk}"}
    for column, entry in _PROVIDER.items():
        prov = (resident.provenance or {}).get(entry) or {}
        row = rows.get(f"{prov.get('source')}:{prov.get('key')}") or {}
        record[column] = row.get(column)
        tf = f"tf_{column}"
        if any(tf in r for r in rows.values()):
            record[tf] = row.get(tf)
    return record


def _score(model: dict, best: dict, rows: list[dict]) -> list[dict]:
    """Each row scored against `best`: its final weight and, per comparison, the level and
    the weight it adds (the term-frequency adjustment folded into its comparison)."""
    con = store.connect()
    try:
        linker = linkage_model.new_linker(con, _register(con, rows), model, validate=False)
        scored = linker.inference.score_pairs([best], rows).as_record_list()
        steps = records_to_waterfall_data(scored, linker._settings_obj, hide_details=True)
    finally:
        con.close()
    out = []
    for i, record in enumerate(scored):
        mine = [s for s in steps if s["record_number"] == i]
        per_field: dict[str, dict] = {}
        for step in mine:
            name = step["column_name"]
            if name in ("Prior", "Final score"):
                continue
            if step["term_frequency_adjustment"]:
                per_field[name.removeprefix("tf_")]["weight"] += step["log2_bayes_factor"]
                continue
            per_field[name] = {
                "column_name": name,
                "label_for_charts": step["label_for_charts"],
                "weight": step["log2_bayes_factor"],
            }
        other = record["unique_id_r"] if record["unique_id_l"] == best["unique_id"] else None
        out.append(
            {
                "unique_id": other or record["unique_id_l"],
                "match_weight": record["match_weight"],
                "steps": list(per_field.values()),
            }
        )
    return out


def _register(con, rows: list[dict]) -> str:
    import pyarrow as pa

    con.register("explain_rows", pa.Table.from_pylist(rows))
    return "explain_rows"
