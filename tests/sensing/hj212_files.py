"""Where the shared HJ 212 facts live: HUYING_SHARED_DIR, else ../shared beside the repository,
else /work/shared (a fresh clone elsewhere, as `CI=true .ci/run` from /tmp does)."""

import gzip
import os
import re
from pathlib import Path

from huying.paths import BASE_DIR


def _shared_data() -> Path:
    candidates = [BASE_DIR.parent / "shared", Path("/work/shared")]
    if os.environ.get("HUYING_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["HUYING_SHARED_DIR"]))
    found = [c / "data" for c in candidates if (c / "data" / "hj212-vectors.md").exists()]
    return found[0] if found else candidates[0] / "data"  # missing: the tests fail, loudly


SHARED_DATA = _shared_data()
VECTORS = SHARED_DATA / "hj212-vectors.md"
CORPUS = sorted((SHARED_DATA / "hj212-corpus").glob("*.h212.gz"))


def vectors() -> dict[str, tuple[str, str]]:
    """id -> (packet as the table writes it, CRC column) from the vectors file's table."""
    rows = re.findall(r"^\| (\w) \| `([^`]+)` \| (\S+)", VECTORS.read_text(), re.M)
    return {vid: (packet, crc) for vid, packet, crc in rows}


def corpus_lines() -> list[bytes]:
    """Every non-empty line of the corpus, in file order."""
    lines = []
    for path in CORPUS:
        with gzip.open(path, "rb") as f:
            lines += [line for line in f.read().split(b"\n") if line.strip()]
    return lines
