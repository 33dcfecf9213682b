"""Shared fixtures: the demo district loaded once, personas by role, API clients.

Personas are the demo accounts (README): `yuncheng` a street caller, `renhe-village` a key
village cadre, `chengguan` a department responder, `command` the command centre, ...
"""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from huying.calls import read_cache
from huying.demo.services import DEMO_PASSWORD, load_demo_district
from huying.orgs import authentication
from huying.orgs.models import Org, User


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the demo district (each test rolls back its own changes)."""
    with django_db_blocker.unblock():
        load_demo_district()


@pytest.fixture
def password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def persona(db):
    def get(username: str) -> User:
        return User.objects.select_related("org").get(username=username)

    return get


@pytest.fixture
def org(db):
    def get(name_or_code: str) -> Org:
        return Org.objects.filter(code=name_or_code).first() or Org.objects.get(name=name_or_code)

    return get


@pytest.fixture
def api(db):
    """An HTTP client for the JSON API, signed in as a persona with a bearer token."""

    def client_for(username: str | None = None) -> Client:
        if username is None:
            return Client()
        user = User.objects.get(username=username)
        raw, _ = authentication.issue_token(user)
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return client_for


@pytest.fixture
def browser_client(db):
    """A page client with a signed-in session (Django's login, as the login page does)."""

    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(
            User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
        )
        return client

    return client_for


@pytest.fixture(scope="session")
def live_huying(tmp_path_factory):
    """The base URL of a real `huying serve` over the demo district (see tests/live.py)."""
    from tests.live import running_huying

    with running_huying(tmp_path_factory.mktemp("huying-live")) as url:
        yield url


@pytest.fixture(autouse=True)
def _default_language():
    """A page requested in English activates English for the thread; the next test must
    start in the default language whatever order the tests run in."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_read_cache():
    """The calls read cache lives in the process; each test's database starts over (ids and
    the read generation with it), so no entry may outlive the test that made it."""
    read_cache.clear()
    yield
    read_cache.clear()
