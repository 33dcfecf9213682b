"""The linkage model: trained without labels, saved as `models/linkage-v<N>.json` under the
hub's folder, and re-used by later runs until someone asks to retrain.

Training (Splink, DuckDB backend, on the caller's connection):
1. the prior (how likely two random records are the same person) from deterministic rules
   and their assumed recall;
2. u probabilities (how often each level happens by chance) from random pairs;
3. m probabilities (how often each level happens for the same person) by expectation
   maximisation over pairs that share the spec's training blocks.
"""

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from splink import DuckDBAPI, Linker

from huying.datahub.linkage_spec import LinkSpec, blocking_rule

_FILE = re.compile(r"^linkage-v(\d+)\.json$")
# Random pairs for the u probabilities: enough to see the rarer chance agreements (a shared
# dwelling, a one-edit phone) at 2.5 M records, small enough to take seconds.
U_PAIRS = 3e6
SEED = 20261124
EM_PAIRS, EM_SAMPLE_FROM = 2e6, 400_000


def models_dir() -> Path:
    return Path(settings.DATAHUB_DIR) / "models"


def model_path(version: int) -> Path:
    return models_dir() / f"linkage-v{version}.json"


def latest_version() -> int | None:
    folder = models_dir()
    if not folder.is_dir():
        return None
    versions = [int(m.group(1)) for p in folder.iterdir() if (m := _FILE.match(p.name))]
    return max(versions, default=None)


def load(version: int) -> dict:
    return json.loads(model_path(version).read_text(encoding="utf-8"))


def save(model: dict) -> int:
    """Write the model as the next version; the file appears whole or not at all."""
    folder = models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    version = (latest_version() or 0) + 1
    target = model_path(version)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(model, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target)
    return version


def new_linker(con, table: str, model: dict, *, validate: bool = True) -> Linker:
    """A Splink linker over DuckDB table `table` on connection `con`, with `model` (a settings
    dict, trained or not). `validate=False` skips Splink's check of every SQL condition
    against the table's columns (half a second; a saved model has passed it)."""
    db_api = DuckDBAPI(con)
    # Splink logs every step at INFO; the run's own progress says what matters. The level
    # is only set when nobody configured the logger.
    splink_log = logging.getLogger("splink")
    if splink_log.level == logging.NOTSET:
        splink_log.setLevel(logging.WARNING)
    return Linker(db_api.register(table), model, log_level=None, validate_settings=validate)


def train(
    con,
    table: str,
    spec: LinkSpec,
    *,
    u_pairs: float = U_PAIRS,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Train a model for `spec` on `table` and return it (a Splink settings dict)."""
    say = progress or (lambda _stage: None)
    linker = new_linker(con, table, spec.settings())
    splink_log = logging.getLogger("splink")
    level = splink_log.level
    # Splink warns about every level EM does not observe; the starting values in the spec
    # cover those, so the warnings are noise in the worker's log.
    splink_log.setLevel(logging.ERROR)
    try:
        say("估计先验匹配概率")
        rules = [blocking_rule(cols)["blocking_rule"] for cols in spec.prior_rules]
        linker.training.estimate_probability_two_random_records_match(
            rules, recall=spec.prior_recall
        )
        say("随机抽样估计 u 参数")
        linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=SEED)
        records = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
        # Above a few hundred thousand records a sample of the blocked pairs teaches EM as
        # well as all of them (Splink samples records by a hash of their id: deterministic).
        sample = {"max_pairs": EM_PAIRS} if records > EM_SAMPLE_FROM else {}
        for cols in spec.training:
            say(f"EM 估计 m 参数（{'+'.join(cols)}）")
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocking_rule(cols)["blocking_rule"], **sample
            )
    finally:
        splink_log.setLevel(level)
    model = linker.misc.save_model_to_json()
    linker.table_management.delete_tables_created_by_splink_from_db()
    return model
