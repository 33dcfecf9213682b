"""The webhook settings: read from the environment, an unusable URL refused at start."""

from tests.core.test_settings import _run_python


def test_the_webhook_settings_come_from_the_environment():
    result = _run_python(
        "import huying.settings as s; "
        "print(s.NOTIFY_WEBHOOK_URL, s.NOTIFY_WEBHOOK_TIMEOUT, s.NOTIFY_MAX_ATTEMPTS)",
        HUYING_DEBUG="1",
        HUYING_NOTIFY_WEBHOOK_URL="https://qyapi.example/cgi-bin/webhook/send?key=k",
        HUYING_NOTIFY_WEBHOOK_TIMEOUT="3",
        HUYING_NOTIFY_MAX_ATTEMPTS="5",
    )
    assert result.stdout.split() == ["https://qyapi.example/cgi-bin/webhook/send?key=k", "3", "5"]


def test_the_defaults_are_inbox_only_ten_seconds_eight_attempts():
    result = _run_python(
        "import huying.settings as s; "
        "print(repr(s.NOTIFY_WEBHOOK_URL), s.NOTIFY_WEBHOOK_TIMEOUT, s.NOTIFY_MAX_ATTEMPTS)",
        HUYING_DEBUG="1",
    )
    assert result.stdout.split() == ["''", "10", "8"]


def test_a_webhook_url_that_is_not_http_is_refused():
    result = _run_python(
        "import huying.settings", HUYING_DEBUG="1", HUYING_NOTIFY_WEBHOOK_URL="ftp://gateway/"
    )
    assert result.returncode != 0
    assert "HUYING_NOTIFY_WEBHOOK_URL must start with http:// or https://" in result.stderr
