"""Where Huying keeps its files; importable before Django is set up."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("HUYING_DATA_DIR") or BASE_DIR / "var").resolve()
