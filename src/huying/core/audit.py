"""The hash-chained audit log: `record` appends, `verify` walks the chain.

Each row's hash is SHA-256 over a canonical JSON of its columns plus the previous row's
hash. `record` runs inside the caller's transaction, so the row commits or rolls back with
the change it describes; the single `AuditHead` row is locked to serialise appends.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction

from huying.core import clock, context
from huying.core.models import GENESIS_HASH, AuditEntry, AuditHead

HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "request_id",
    "ip",
    "prev_hash",
)


def _jsonable(value: Any) -> Any:
    """Normalise to what a JSON column gives back, so the hash survives a round trip."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str, sort_keys=True))


def compute_hash(entry: AuditEntry) -> str:
    payload = {name: getattr(entry, name) for name in HASHED_FIELDS}
    payload["at"] = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def actor_display_name(actor) -> str:
    if actor is None:
        return ""
    return getattr(actor, "display_name", "") or actor.get_username()


def record(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit row in the current transaction (or a new one)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    ctx = context.current()
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=clock.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=actor_display_name(actor)[:150],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            before=_jsonable(before),
            after=_jsonable(after),
            reason=reason,
            request_id=ctx.request_id,
            ip=ctx.ip,
            prev_hash=head.hash,
        )
        entry.hash = compute_hash(entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def record_many(entries: Sequence[Mapping[str, Any]]) -> list[AuditEntry]:
    """Append several rows at once: the same rows, in the same order, as calling `record`
    with each mapping's arguments (`action` plus `record`'s keywords), in three queries.

    The head is locked once, the rows chained in Python and inserted together. Inside the
    caller's transaction it adds no savepoint (a failure rolls back the caller's change
    anyway); outside one it opens its own. Call it last, so the head lock is held briefly.
    """
    if not entries:
        return []
    ctx = context.current()
    now = clock.now()
    rows = []
    for item in entries:
        obj = item.get("obj")
        object_type, object_id = item.get("object_type", ""), item.get("object_id", "")
        object_repr = item.get("object_repr", "")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:200]
        actor = item.get("actor")
        rows.append(
            AuditEntry(
                at=now,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_name=actor_display_name(actor)[:150],
                action=item["action"],
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr[:200],
                before=_jsonable(item.get("before")),
                after=_jsonable(item.get("after")),
                reason=item.get("reason", ""),
                request_id=ctx.request_id,
                ip=ctx.ip,
            )
        )
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        for entry in rows:
            entry.seq, entry.prev_hash = head.seq + 1, head.hash
            entry.hash = compute_hash(entry)
            head.seq, head.hash = entry.seq, entry.hash
        AuditEntry.objects.bulk_create(rows)
        head.save(update_fields=["seq", "hash"])
    return rows


@dataclass(frozen=True)
class Problem:
    seq: int | None
    kind: str  # edited | missing | out_of_order | truncated
    message: str


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(batch_size: int = 5000) -> VerifyReport:
    """Walk the whole chain; report every row that was edited, deleted or slipped in."""
    problems: list[Problem] = []
    prev_seq, prev_hash, checked = 0, GENESIS_HASH, 0
    for entry in _entries_in_order(batch_size):
        checked += 1
        problems.extend(_check_entry(entry, prev_seq, prev_hash))
        prev_seq, prev_hash = entry.seq, entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (prev_seq, prev_hash):
        problems.append(
            Problem(
                head.seq,
                "truncated",
                f"链头记录到第 {head.seq} 条，但日志只连续到第 {prev_seq} 条："
                "末尾的记录被删除或改动",
            )
        )
    return VerifyReport(checked=checked, problems=problems)


def _entries_in_order(batch_size: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size)


def _check_entry(entry: AuditEntry, prev_seq: int, prev_hash: str) -> list[Problem]:
    found = []
    if entry.seq != prev_seq + 1:
        found.append(
            Problem(
                entry.seq,
                "missing",
                f"第 {prev_seq + 1} 条到第 {entry.seq - 1} 条缺失（被删除）",
            )
        )
    if entry.prev_hash != prev_hash:
        found.append(
            Problem(
                entry.seq,
                "out_of_order",
                f"第 {entry.seq} 条与前一条的哈希链接不上（被插入或顺序被改）",
            )
        )
    if compute_hash(entry) != entry.hash:
        found.append(Problem(entry.seq, "edited", f"第 {entry.seq} 条的内容与其哈希不符（被修改）"))
    return found
