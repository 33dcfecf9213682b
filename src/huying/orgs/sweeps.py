"""Periodic housekeeping of the orgs app, run by the worker."""

from datetime import timedelta

from huying.core import clock
from huying.orgs.models import ApiToken

# Expired and revoked tokens are kept a while so the admin can see recent use.
TOKEN_KEEP = timedelta(days=30)


def prune_api_tokens() -> int:
    cutoff = clock.now() - TOKEN_KEEP
    expired = ApiToken.objects.filter(expires_at__lt=cutoff).delete()[0]
    revoked = ApiToken.objects.filter(revoked_at__lt=cutoff).delete()[0]
    return expired + revoked
