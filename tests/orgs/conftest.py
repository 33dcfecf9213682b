"""Helpers for the org tests: what the audit log gained during a test."""

import pytest

from huying.core.models import AuditEntry


class AuditLog:
    """The audit rows appended since the fixture was created, oldest first."""

    def __init__(self) -> None:
        self.start = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def new(self, action: str | None = None) -> list[AuditEntry]:
        rows = AuditEntry.objects.filter(seq__gt=self.start).order_by("seq")
        if action is not None:
            rows = rows.filter(action=action)
        return list(rows)

    def actions(self) -> list[str]:
        return [entry.action for entry in self.new()]

    def one(self, action: str) -> AuditEntry:
        rows = self.new(action)
        assert len(rows) == 1, f"expected one {action} row, got {[e.action for e in self.new()]}"
        return rows[0]

    def mark(self) -> None:
        """Forget what was written so far (e.g. the token a client fixture issued)."""
        self.__init__()


@pytest.fixture
def audit_log(db) -> AuditLog:
    return AuditLog()
