"""Configuration comes from HUYING_* variables, each documented; unsafe setups are refused."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCES = [
    ROOT / "src/huying/settings.py",
    ROOT / "src/huying/paths.py",
    ROOT / "src/huying/cli.py",
]


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUYING_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "DJANGO_SETTINGS_MODULE": "huying.settings", **env},
    )


def test_every_setting_is_documented_in_the_readme():
    names = set()
    for source in SETTINGS_SOURCES:
        names |= set(re.findall(r"HUYING_[A-Z0-9_]+", source.read_text()))
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(n for n in names if f"`{n}`" not in readme)
    assert not undocumented, f"add these to the README's configuration table: {undocumented}"


def test_placeholder_secret_is_refused_when_debug_is_off():
    result = _run_python("import huying.settings")
    assert result.returncode != 0
    assert "HUYING_SECRET_KEY" in result.stderr


def test_placeholder_secret_is_allowed_in_debug():
    result = _run_python("import huying.settings as s; print(s.DEBUG)", HUYING_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_database_url_selects_postgresql():
    result = _run_python(
        "import huying.settings as s; print(s.DATABASES['default']['ENGINE'])",
        HUYING_DEBUG="1",
        HUYING_DATABASE_URL="postgresql://u@db.example:5432/huying",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_defaults_are_sqlite_and_shanghai_time():
    result = _run_python(
        "import huying.settings as s; print(s.DATABASES['default']['ENGINE'], s.TIME_ZONE,"
        " s.LANGUAGE_CODE)",
        HUYING_DEBUG="1",
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "Asia/Shanghai", "zh-hans"]


def test_bad_number_is_a_clear_configuration_error():
    result = _run_python(
        "import huying.settings", HUYING_DEBUG="1", HUYING_LOGIN_MAX_FAILURES="five"
    )
    assert "HUYING_LOGIN_MAX_FAILURES must be a whole number" in result.stderr


def test_deploy_check_is_clean_for_a_production_configuration():
    """Behind TLS with a real secret, `huying check --deploy --strict` has nothing to say."""
    result = subprocess.run(
        [sys.executable, "-m", "huying.cli", "check", "--deploy", "--strict"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("HUYING_")},
            "HUYING_SECRET_KEY": "a-real-production-secret-" + "x" * 40 + "-Z9!q",
            "HUYING_HTTPS": "1",
            "HUYING_ALLOWED_HOSTS": "huying.example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
