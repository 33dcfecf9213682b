"""The audit log is append-only and hash-chained; `huying audit verify` catches tampering."""

import itertools

import pytest
from django.db import connection, transaction

from huying import cli
from huying.core import audit
from huying.core.models import AuditEntry, AuditHead
from huying.orgs import services


@pytest.fixture
def chain(db, persona):
    """Five fresh rows on top of the demo district's own."""
    actor = persona("admin")
    return [
        audit.record("test.event", actor=actor, object_repr=f"row {i}", after={"i": i})
        for i in range(5)
    ]


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_intact_chain_verifies(chain):
    report = audit.verify()
    assert report.ok, report.problems
    assert report.checked == AuditEntry.objects.count()
    assert report.checked >= 5


def test_rows_link_to_their_predecessor(chain):
    for previous, entry in itertools.pairwise(chain):
        assert entry.seq == previous.seq + 1
        assert entry.prev_hash == previous.hash


def test_edited_row_is_reported(chain):
    target = chain[2]
    _sql("UPDATE core_auditentry SET reason = %s WHERE id = %s", ["篡改", target.pk])
    report = audit.verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(target.seq, "edited")]


def test_edited_json_payload_is_reported(chain):
    target = chain[1]
    AuditEntry.objects.filter(pk=target.pk).update(after={"i": 999})
    report = audit.verify()
    assert (target.seq, "edited") in [(p.seq, p.kind) for p in report.problems]


def test_deleted_row_is_reported(chain):
    target = chain[2]
    _sql("DELETE FROM core_auditentry WHERE id = %s", [target.pk])
    kinds = {(p.seq, p.kind) for p in audit.verify().problems}
    assert (chain[3].seq, "missing") in kinds
    assert (chain[3].seq, "out_of_order") in kinds


def test_deleted_tail_is_reported(chain):
    _sql("DELETE FROM core_auditentry WHERE id = %s", [chain[-1].pk])
    kinds = [p.kind for p in audit.verify().problems]
    assert kinds == ["truncated"]


def test_row_inserted_out_of_order_is_reported(chain):
    """Slip a forged, self-consistent row in after chain[1], renumbering what follows."""
    after = chain[1]
    later = list(AuditEntry.objects.filter(seq__gt=after.seq).order_by("-seq"))
    for entry in later:  # highest first, so the unique seq never collides
        _sql("UPDATE core_auditentry SET seq = seq + 1 WHERE id = %s", [entry.pk])
    forged = AuditEntry(
        seq=after.seq + 1,
        at=after.at,
        actor_name="伪造者",
        action="test.forged",
        prev_hash=after.hash,
    )
    forged.hash = audit.compute_hash(forged)
    forged.save()
    AuditHead.objects.filter(pk=1).update(seq=AuditEntry.objects.order_by("-seq")[0].seq)
    problems = audit.verify().problems
    moved = after.seq + 2  # the old chain[2]
    assert (moved, "out_of_order") in [(p.seq, p.kind) for p in problems]
    assert forged.seq not in [p.seq for p in problems]  # the forgery itself is consistent...
    assert problems  # ...but the chain around it is not


def test_entry_is_written_in_the_callers_transaction(db, persona):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_org(
            actor=persona("admin"),
            code="440111-test",
            name="测试局",
            kind="department",
            parent=persona("admin").org,
        )
        raise RuntimeError("roll the change back")
    assert AuditEntry.objects.count() == before
    assert audit.verify().ok


def test_entries_cannot_be_changed_or_deleted_through_the_orm(chain):
    entry = chain[0]
    entry.reason = "改一下"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_org_change_records_before_and_after(db, persona, org):
    town = org("云城街道")
    services.update_org(actor=persona("admin"), org=town, contact_name="张三", reason="换联系人")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "orgs.org_updated"
    assert entry.actor_name == persona("admin").display_name
    assert entry.after["contact_name"] == "张三"
    assert entry.before["contact_name"] != "张三"
    assert entry.reason == "换联系人"


def test_cli_verify_exit_codes(chain, capsys):
    assert cli.main(["audit", "verify"]) == 0
    assert "完整" in capsys.readouterr().out
    _sql("UPDATE core_auditentry SET action = %s WHERE id = %s", ["x", chain[0].pk])
    assert cli.main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"第 {chain[0].seq} 条" in out
    assert "被修改" in out


def test_audit_admin_is_read_only(browser_client, chain):
    client = browser_client("admin")
    listing = client.get("/admin/core/auditentry/")
    assert listing.status_code == 200
    assert "test.event" in listing.content.decode()
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    change = client.post(f"/admin/core/auditentry/{chain[0].pk}/change/", {"reason": "x"})
    assert change.status_code == 403
    assert (
        client.post(f"/admin/core/auditentry/{chain[0].pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert audit.verify().ok
