"""Test settings: the real settings module, with a test secret and debug off.

Set before huying.settings is read, so the suite runs as production would (debug off).
HUYING_DATABASE_URL picks the database: SQLite by default, PostgreSQL when given.
"""

import os

os.environ.setdefault("HUYING_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("HUYING_DEBUG", "0")

from huying.settings import *  # noqa: F403
