"""Exit 0 when the PostgreSQL URL given answers, 1 otherwise (used by `make test`)."""

import sys

import psycopg

try:
    with psycopg.connect(sys.argv[1], connect_timeout=3) as conn:
        conn.execute("SELECT 1")
except psycopg.Error as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
