"""Migration 0005 moves the lookup log's old `resident` / `resident_ids` into subject rows
and gives each row its kind; 0006 drops the old columns; going back restores them. Run on a
fresh database in a child process (SQLite, or a throw-away PostgreSQL database on the
PostgreSQL pass), so the session's test database is never migrated back and forth."""

import json
import os
import subprocess
import sys

from tests.live import _database

SCRIPT = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("datahub", "0004_person_access_subjects")
AFTER = ("datahub", "0006_drop_access_resident_list")

def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps

apps = migrate(BEFORE)
Resident, Access = apps.get_model("datahub", "Resident"), apps.get_model("datahub", "PersonAccess")
def person(name):
    return Resident.objects.create(name=name, name_pinyin="x", updated_at="2026-11-01T00:00Z").pk
li, zhao, gone = person("李丽"), person("赵敏"), 999999
def access(**kw):
    kw = {"at": "2026-11-01T00:00Z", "user_name": "u", "purpose": "p", "via": "page",
          "kind": "view", **kw}
    return Access.objects.create(**kw).pk
rows = {
    "view": access(resident_id=li, fields=["name"]),
    "reveal": access(resident_id=li, fields=["phone"], unmasked=True),
    "export": access(resident_id=zhao, fields=["name"], via="export"),
    "search": access(resident_ids=[li, zhao, gone], fields=["name"]),
    "dwelling": access(resident_ids=[zhao], fields=["name", "basis"]),
}
apps = migrate(AFTER)
Access = apps.get_model("datahub", "PersonAccess")
Subject = apps.get_model("datahub", "PersonAccessSubject")
after = {
    name: [Access.objects.get(pk=pk).kind,
           sorted(Subject.objects.filter(access_id=pk).values_list("resident_id", flat=True))]
    for name, pk in rows.items()
}
apps = migrate(BEFORE)
Access = apps.get_model("datahub", "PersonAccess")
back = {name: [Access.objects.get(pk=pk).resident_id, Access.objects.get(pk=pk).resident_ids]
        for name, pk in rows.items()}
print(json.dumps({"ids": [li, zhao], "after": after, "back": back}))
"""


def test_old_rows_get_their_subjects_and_kinds_and_come_back(tmp_path):
    env = {**os.environ, "HUYING_DATA_DIR": str(tmp_path), "HUYING_DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "huying.settings"}  # fmt: skip
    env.pop("HUYING_DATABASE_URL", None)
    with _database(os.environ.get("HUYING_DATABASE_URL", "")) as pg_url:
        if pg_url:
            env["HUYING_DATABASE_URL"] = pg_url
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    li, zhao = out["ids"]
    assert out["after"] == {
        "view": ["view", [li]],
        "reveal": ["reveal", [li]],
        "export": ["export", [zhao]],
        "search": ["search", [li, zhao]],  # the id of a resident since gone is dropped
        "dwelling": ["view", [zhao]],
    }
    assert out["back"] == {
        "view": [li, []],
        "reveal": [li, []],
        "export": [zhao, []],
        "search": [None, [li, zhao]],
        "dwelling": [None, [zhao]],
    }
