"""Test settings: the real settings module, with a test secret and debug off.

Set before huying.settings is read, so the suite runs as production would (debug off).
HUYING_DATABASE_URL picks the database: SQLite by default, PostgreSQL when given.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("HUYING_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("HUYING_DEBUG", "0")

from huying.settings import *  # noqa: F403

# Two suites at once (a developer and CI, or parallel sessions) must not share PostgreSQL's
# test database: each run gets its own name, dropped at the end as usual.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = os.environ.get(  # noqa: F405
        "HUYING_TEST_DB_NAME", f"test_huying_{os.getpid()}"
    )

# Uploaded files from tests go to a throwaway folder, never into var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="huying-test-media-"))
DATAHUB_DIR = Path(tempfile.mkdtemp(prefix="huying-test-datahub-"))
