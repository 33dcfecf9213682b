"""The rules, evaluated in the ingest pipeline after each stored batch (helper E builds it)."""

from collections.abc import Sequence

from huying.sensing.store import NewSample


def after_store(samples: Sequence[NewSample]) -> None:
    """Evaluate the active rules against a stored batch (filled in by the rules work)."""
