# The calls app's factories: the feed is read from calls made through the real services.
from tests.calls.conftest import free_form, matter, new_call  # noqa: F401
