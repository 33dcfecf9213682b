"""A page's form with photos: stage the uploads, then run one action with their ids.

The API takes the two steps in two requests (POST /attachments, then the action). A page sends
both at once, and a refusal must leave nothing behind: the text is checked before any file is
stored, the staging and the action share one transaction, and a refused action deletes the
files it staged (the rows roll back with the transaction; files on disk do not).
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile

from huying.calls import attachments, services, village_requests
from huying.calls.models import Call, VillageRequest
from huying.orgs.models import User

T = TypeVar("T")


def _with_photos(
    actor: User,
    new: services.NewCall,
    uploads: Sequence[UploadedFile],
    action: Callable[[services.NewCall], T],
) -> T:
    services.validate_new_call(new)  # a missing title never costs a stored photo
    return attachments.with_uploads(
        actor, uploads, lambda ids: action(replace(new, attachment_ids=ids))
    )


def call_with_photos(actor: User, new: services.NewCall, uploads: Sequence[UploadedFile]) -> Call:
    """services.create_call, carrying the uploaded photos."""
    return _with_photos(actor, new, uploads, lambda n: services.create_call(actor=actor, new=n))


def request_with_photos(
    actor: User, new: services.NewCall, uploads: Sequence[UploadedFile]
) -> VillageRequest:
    """village_requests.raise_request, carrying the uploaded photos."""
    return _with_photos(
        actor, new, uploads, lambda n: village_requests.raise_request(actor=actor, new=n)
    )
