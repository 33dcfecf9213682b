"""What linkage compares, as data: a small field spec turned into Splink settings.

Each field has a *kind* (a person's name, an ID number, a date, a phone, a place or code, an
address); the kind decides the comparison levels. The hub's person records are one spec
(`HUB`); another dataset (FEBRL4 in bench/linkage.py) is linked through the same code by a
spec of its own columns. Level labels are short codes (`exact`, `pinyin`, `one_edit`, ...):
the saved model keeps them and `linkage_explain` turns them into words for the page.

Why the levels are what they are:
- a name is compared on its characters and on its pinyin, so that a homophone typed for the
  right character (李丽/李莉) still counts as the same name, weaker than an exact match;
- an ID number that matches and is sound is the strongest evidence there is; one
  substitution or one swap of neighbouring digits (what a clerk gets wrong) is a level of its
  own, so that a record with a wrong check digit still links through its other fields. Two
  *sound* numbers can never be one edit apart (the check digit catches every single error and
  swap), so this level never joins twins or siblings with real numbers of their own; two
  different sound numbers are a level of their own too, the strongest evidence against;
- a date and a phone: exact, one edit apart (a digit mistyped, dropped or doubled), else;
- places and codes: exact or not, with term frequencies where values are shared by many
  (a dwelling of a group rental says less than one with a single tenant).

Family members share a surname, a dwelling, an address and often a phone; what keeps them
apart is a different given name (the name's `else` level), a different birth date and, when
both have one, two different sound ID numbers (`other_valid`, the strongest evidence against
a match). Twins share the birth date too: their ID numbers and given names keep them apart,
and should a record that matches both (a door card without a number) still join them, the
cluster holds two sound numbers and is split around them (linkage_predict.split_conflicts).
Two records of twins with no ID number and the same name cannot be told apart by any field.

The SQL is written for one engine at a time (`dialect`): DuckDB by default, which trains the
model and links on one machine; Spark for a cluster (linkage_spark), where `in_dialect` puts
a saved model's trained parameters onto the same levels written in Spark SQL.
"""

import copy
from dataclasses import dataclass

PERSON_NAME = "person_name"
ID_NUMBER = "id_number"
DATE = "date"
PHONE = "phone"
CODE = "code"
ADDRESS = "address"
KINDS = (PERSON_NAME, ID_NUMBER, DATE, PHONE, CODE, ADDRESS)

# Starting m probabilities per level code (EM re-estimates every level it observes; a level
# too rare to observe in training keeps this value instead of Splink's flat default).
# ("else" starts low: a disagreeing birth date or gender is rare for the same person, and a
# small dataset may hold no such pair to learn from.)
_START_M = {
    "exact_valid": 0.85,
    "exact": 0.85,
    "pinyin": 0.03,
    "similar": 0.02,
    "similar_2": 0.01,
    "one_edit": 0.02,
    "other_valid": 0.0001,
    "else": 0.01,
}
# Starting u probabilities for levels random pairs almost never reach (random sampling may
# see none of them; a zero would make the level infinitely strong).
_START_U = {"exact_valid": 1e-7, "exact": 1e-5, "pinyin": 1e-5, "one_edit": 1e-6}


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines in the levels' SQL."""

    name: str  # Splink's sql_dialect
    quote: str  # around identifiers (Spark reads "x" as a string)
    jaro_winkler: str  # DuckDB's built-in; on Spark the UDF from Splink's jar
    text: str  # the type a date is cast to, to compare its digits


DUCKDB = Dialect("duckdb", '"', "jaro_winkler_similarity", "VARCHAR")
SPARK = Dialect("spark", "`", "jaro_winkler", "STRING")
DIALECTS = {d.name: d for d in (DUCKDB, SPARK)}


@dataclass(frozen=True)
class Field:
    column: str
    kind: str
    tf: bool = False  # adjust the exact level by how common the value is
    pinyin: str = ""  # PERSON_NAME: the column holding the name's pinyin
    valid: str = ""  # ID_NUMBER: a boolean column, true when the number is sound
    similar: tuple[float, ...] = ()  # PERSON_NAME / ADDRESS: Jaro-Winkler thresholds
    fuzzy: bool = False  # CODE: add a one-edit level (a postcode typed wrong)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


@dataclass(frozen=True)
class LinkSpec:
    """A dataset's fields and rules. Blocking and training rules name columns that must all
    be equal (`("name_pinyin", "birth_date")`)."""

    fields: tuple[Field, ...]
    blocking: tuple[tuple[str, ...], ...]
    training: tuple[tuple[str, ...], ...]
    prior_rules: tuple[tuple[str, ...], ...]
    prior_recall: float
    extra_columns: tuple[str, ...] = ()  # used by blocking rules only (e.g. surname)
    name: str = "hub"
    threshold: float = 0.9

    @property
    def columns(self) -> list[str]:
        cols = ["unique_id"]
        for f in self.fields:
            cols += [c for c in (f.column, f.pinyin, f.valid) if c and c not in cols]
        cols += [c for c in self.extra_columns if c not in cols]
        return cols

    def field(self, column: str) -> Field:
        return next(f for f in self.fields if f.column == column)

    def settings(self, dialect: Dialect = DUCKDB) -> dict:
        """The Splink settings (untrained) as a plain dict."""
        return {
            "link_type": "dedupe_only",
            "unique_id_column_name": "unique_id",
            "comparisons": [comparison(f, dialect) for f in self.fields],
            "blocking_rules_to_generate_predictions": [
                blocking_rule(cols, dialect) for cols in self.blocking
            ],
            "retain_matching_columns": False,
            "retain_intermediate_calculation_columns": False,
            "em_convergence": 0.001,
            "max_iterations": 20,
        }


def in_dialect(model: dict, spec: LinkSpec, dialect: Dialect) -> dict:
    """A saved model (trained on DuckDB) for another engine: every level keeps its trained
    m and u probabilities and the prior stays, while its SQL is the spec's SQL for `dialect`.
    Refused when the model was not made from `spec` (other comparisons or levels)."""
    target = spec.settings(dialect)
    out = copy.deepcopy(model)
    if [c["output_column_name"] for c in out["comparisons"]] != [
        c["output_column_name"] for c in target["comparisons"]
    ]:
        raise ValueError(f"the model's comparisons are not those of spec {spec.name!r}")
    for mine, theirs in zip(out["comparisons"], target["comparisons"], strict=True):
        labels = [level.get("label_for_charts") for level in mine["comparison_levels"]]
        wanted = [level["label_for_charts"] for level in theirs["comparison_levels"]]
        if labels != wanted:
            raise ValueError(f"{mine['output_column_name']}: levels {labels}, spec {wanted}")
        for level, new in zip(mine["comparison_levels"], theirs["comparison_levels"], strict=True):
            level["sql_condition"] = new["sql_condition"]
    out["blocking_rules_to_generate_predictions"] = target["blocking_rules_to_generate_predictions"]
    out["sql_dialect"] = dialect.name
    return out


def blocking_rule(columns: tuple[str, ...], dialect: Dialect = DUCKDB) -> dict:
    q = dialect.quote
    return {
        "blocking_rule": " AND ".join(f"l.{q}{c}{q} = r.{q}{c}{q}" for c in columns),
        "sql_dialect": dialect.name,
    }


def _q(column: str, side: str, dialect: Dialect = DUCKDB) -> str:
    return f"{dialect.quote}{column}_{side}{dialect.quote}"


def one_edit_sql(a: str, b: str, dialect: Dialect = DUCKDB) -> str:
    """True when two strings are one substitution, one insertion or deletion, or one swap of
    neighbouring characters apart. DuckDB's damerau_levenshtein costs ~8 µs a pair, so it only
    runs on the rare pairs that differ in exactly two places. Spark has no hamming: there the
    (restricted) Damerau-Levenshtein distance of Splink's jar decides every pair whose lengths
    differ by at most one, which is the same test (two strings of one length are one edit
    apart exactly when one substitution or one swap separates them)."""
    if dialect != DUCKDB:
        return (
            f"CASE WHEN {a} = {b} THEN true "
            f"WHEN abs(length({a}) - length({b})) <= 1 THEN damerau_levenshtein({a}, {b}) <= 1 "
            "ELSE false END"
        )
    return (
        f"CASE WHEN {a} = {b} THEN true "
        f"WHEN length({a}) = length({b}) THEN CASE WHEN hamming({a}, {b}) <= 1 THEN true "
        f"WHEN hamming({a}, {b}) = 2 THEN damerau_levenshtein({a}, {b}) <= 1 ELSE false END "
        f"WHEN abs(length({a}) - length({b})) = 1 THEN levenshtein({a}, {b}) <= 1 "
        "ELSE false END"
    )


def _level(sql: str, code: str, **extra) -> dict:
    level = {"sql_condition": sql, "label_for_charts": code, **extra}
    if code in _START_M:
        level["m_probability"] = _START_M[code]
    if code in _START_U:
        level["u_probability"] = _START_U[code]
    return level


def _null(col: str, d: Dialect) -> dict:
    left, right = _q(col, "l", d), _q(col, "r", d)
    return _level(f"{left} IS NULL OR {right} IS NULL", "null", is_null_level=True)


def _exact(
    col: str, d: Dialect, code: str = "exact", tf: bool = False, extra_sql: str = ""
) -> dict:
    extra = {"tf_adjustment_column": col, "tf_adjustment_weight": 1.0} if tf else {}
    return _level(f"{_q(col, 'l', d)} = {_q(col, 'r', d)}{extra_sql}", code, **extra)


def _else() -> dict:
    return _level("ELSE", "else")


def comparison(f: Field, d: Dialect = DUCKDB) -> dict:
    c = f.column
    left, right = _q(c, "l", d), _q(c, "r", d)
    levels = [_null(c, d)]
    if f.kind == PERSON_NAME:
        levels.append(_exact(c, d, tf=f.tf))
        spoken = f.pinyin or c
        if f.pinyin:
            levels.append(_exact(f.pinyin, d, "pinyin", tf=f.tf))
        levels += _similar(_q(spoken, "l", d), _q(spoken, "r", d), f.similar, d)
    elif f.kind == ID_NUMBER:
        sound = f" AND {_q(f.valid, 'l', d)} AND {_q(f.valid, 'r', d)}" if f.valid else ""
        if f.valid:
            levels.append(_exact(c, d, "exact_valid", extra_sql=sound))
        levels.append(_exact(c, d))
        levels.append(_level(one_edit_sql(left, right, d), "one_edit"))
        if f.valid:
            # Two different sound numbers: two people (twins and siblings, most of all).
            levels.append(_level(f"{left} <> {right}{sound}", "other_valid"))
    elif f.kind == DATE:
        levels.append(_exact(c, d, tf=f.tf))
        text_l, text_r = f"CAST({left} AS {d.text})", f"CAST({right} AS {d.text})"
        levels.append(_level(one_edit_sql(text_l, text_r, d), "one_edit"))
    elif f.kind in (PHONE, CODE):
        levels.append(_exact(c, d, tf=f.tf))
        if f.kind == PHONE or f.fuzzy:
            levels.append(_level(one_edit_sql(left, right, d), "one_edit"))
    elif f.kind == ADDRESS:
        levels.append(_exact(c, d, tf=f.tf))
        levels += _similar(left, right, f.similar, d)
    levels.append(_else())
    return {"output_column_name": c, "comparison_levels": levels, "comparison_description": f.kind}


def _similar(left: str, right: str, thresholds: tuple[float, ...], d: Dialect) -> list[dict]:
    return [
        _level(
            f"{d.jaro_winkler}({left}, {right}) >= {t}",
            "similar" if i == 0 else f"similar_{i + 1}",
        )
        for i, t in enumerate(thresholds)
    ]


# The hub's person records (persons.person_records), linked into residents.
HUB = LinkSpec(
    fields=(
        Field("name", PERSON_NAME, tf=True, pinyin="name_pinyin", similar=(0.92,)),
        Field("id_number", ID_NUMBER, valid="id_valid"),
        Field("birth_date", DATE),
        Field("gender", CODE),
        Field("phone", PHONE),
        Field("dwelling_code", CODE, tf=True),
        Field("address", ADDRESS, similar=(0.95,)),
    ),
    # Each rule keeps its blocks small at 2.5 M records: an ID number, a phone and a
    # (pinyin, birth date) are shared by a handful of records; a dwelling by its household
    # (and a group rental's tenants), narrowed by surname.
    # A door card often has no birth date and an old phone or none: its name's sound with
    # either half of its ID number (one typo or swap leaves one half whole) still finds it.
    blocking=(
        ("id_number",),
        ("name_pinyin", "birth_date"),
        ("phone",),
        ("dwelling_code", "surname"),
        ("name_pinyin", "id_head"),
        ("name_pinyin", "id_tail"),
    ),
    # EM over two independent views: records sharing an ID number teach the name, date,
    # phone and place levels; records sharing a name's sound and a birth date teach the ID.
    training=(("id_number",), ("name_pinyin", "birth_date")),
    prior_rules=(("id_number",),),
    prior_recall=0.8,
    extra_columns=("surname", "id_head", "id_tail"),
    name="hub",
    threshold=0.9,
)
