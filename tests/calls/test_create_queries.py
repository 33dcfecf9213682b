"""What creating a call costs in statements, pinned so it cannot creep back.

Each row kind is one INSERT, whatever the batch's size; the call is not written twice (on
PostgreSQL its id is drawn first, on SQLite its number is set in one UPDATE after the insert);
no savepoint nests inside the creation's own transaction. Counts are taken inside the test's
transaction, so `create_call`'s own atomic block shows as one SAVEPOINT and its RELEASE.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huying.calls import services
from huying.calls.choices import Domain

# SAVEPOINT; co-departments; [PG: ids | SQLite: —]; INSERT call; [PG: — | SQLite: UPDATE number];
# INSERT assignments; INSERT event; SELECT staff; INSERT notifications;
# UPDATE read generation (calls.read_cache); SELECT … FOR UPDATE audit head; INSERT audit row;
# UPDATE audit head; RELEASE.
WITH_MATTER = 13
# No matter: no departments to look up or assign, nobody to tell yet (the command centre
# routes it).
FREE_FORM = 9
WAS = 16  # before the batch path (INSERT + full UPDATE of the call, two more savepoints)


def statements(run) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return [q["sql"] for q in ctx.captured_queries]


def test_creating_a_call_with_a_matter_takes_thirteen_statements(persona, matter):
    actor = persona("yuncheng")
    new = services.NewCall("店外占道", "云城西路多家店铺占道经营", matter=matter)
    sql = statements(lambda: services.create_call(actor=actor, new=new))
    assert len(sql) == WITH_MATTER < WAS, "\n".join(sql)
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1  # create_call's own, nothing nested
    assert sum(s.startswith("UPDATE") and "calls_call" in s.split()[1] for s in sql) <= 1
    # The head is locked last: its SELECT, the row, its UPDATE, then the commit (RELEASE here).
    assert sql[-4].startswith("SELECT") and "core_audithead" in sql[-4]


def test_a_free_form_call_takes_nine(persona):
    actor = persona("yuncheng")
    new = services.NewCall("路灯不亮", "整条街路灯不亮", domain=Domain.KEY_WORK)
    sql = statements(lambda: services.create_call(actor=actor, new=new))
    assert len(sql) == FREE_FORM, "\n".join(sql)


def test_the_outbox_adds_one_insert(persona, matter, settings):
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    actor = persona("yuncheng")
    new = services.NewCall("店外占道", "云城西路多家店铺占道经营", matter=matter)
    sql = statements(lambda: services.create_call(actor=actor, new=new))
    assert len(sql) == WITH_MATTER + 1, "\n".join(sql)


@pytest.mark.parametrize("size", [1, 20])
def test_a_batch_takes_as_many_statements_as_one_call(persona, matter, size):
    actor = persona("yuncheng")
    items = [
        services.NewCall(f"占道 {i}", "夜市占道", matter=matter)
        if i % 2
        else services.NewCall(f"路灯 {i}", "路灯不亮", domain=Domain.KEY_WORK)
        for i in range(size)
    ]
    sql = statements(lambda: services.create_calls(actor=actor, items=items))
    assert len(sql) == (WITH_MATTER if size > 1 else FREE_FORM), "\n".join(sql)
