"""Fixtures for the notify tests: a real webhook receiver, a silent port, no webhook."""

import socket

import pytest

from tests.notify.webhook_server import running_receiver


@pytest.fixture
def receiver(settings):
    """A webhook that answers 200; the settings point the outbox at it."""
    with running_receiver() as receiver:
        settings.NOTIFY_WEBHOOK_URL = receiver.url
        yield receiver


@pytest.fixture
def silent_url():
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"


@pytest.fixture
def no_webhook(settings):
    settings.NOTIFY_WEBHOOK_URL = ""
