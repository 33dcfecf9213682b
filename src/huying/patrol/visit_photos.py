"""Photos of a visit's safety check: uploaded one at a time before the visit is sent, then bound
to it by `visits.record_visit`.

Two steps rather than photos inline in the visit's JSON: a phone photo is megabytes (more than
Django's request-body limit once base64'd), and a phone that lost its signal halfway resends
only what is missing. Each photo carries its own key from the browser, so a resend returns the
photo already stored. The type is read from the first bytes (JPEG, PNG, WebP only), never from
the name or the browser's claim; the size limit is the calls' (`HUYING_CALLS_ATTACHMENT_MAX_MB`).
"""

import hashlib
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from huying.calls.attachments import sniff
from huying.core import clock
from huying.core.errors import Conflict, Invalid
from huying.patrol.models import Visit, VisitPhoto

MAX_PER_VISIT = 9  # a phone's photo picker's usual limit
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def stage(actor, key: uuid.UUID, upload: UploadedFile) -> tuple[VisitPhoto, bool]:
    """Store one photo for the actor's next visit; (photo, created). A resent key is a no-op."""
    stored = _stored(actor, key)
    if stored is not None:
        return stored, False
    kind = _check(upload)
    try:
        with transaction.atomic():
            return _create(actor, key, upload, kind), True
    except IntegrityError:  # two resends raced: the other one stored it
        stored = _stored(actor, key)
        if stored is None:
            raise
        return stored, False


def _stored(actor, key: uuid.UUID) -> VisitPhoto | None:
    photo = VisitPhoto.objects.filter(key=key).first()
    if photo is not None and photo.uploaded_by_id != actor.pk:
        raise Conflict("该幂等键已被其他人的照片使用", field="key")
    return photo


def _check(upload: UploadedFile) -> tuple[str, str]:
    limit = settings.CALLS_ATTACHMENT_MAX_MB * 1024 * 1024
    if not upload.size:
        raise Invalid("照片是空的", field="file")
    if upload.size > limit:
        raise Invalid(f"照片超过{settings.CALLS_ATTACHMENT_MAX_MB}MB上限", field="file")
    upload.seek(0)
    kind = sniff(upload.read(16))
    if kind is None or kind[0] not in IMAGE_TYPES:
        raise Invalid("只能上传 JPEG、PNG 或 WebP 照片", field="file")
    return kind


def _create(actor, key: uuid.UUID, upload: UploadedFile, kind: tuple[str, str]) -> VisitPhoto:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    photo = VisitPhoto(
        key=key, content_type=kind[0], size=upload.size, sha256=digest.hexdigest(),
        uploaded_by=actor, uploaded_at=clock.now(),
    )  # fmt: skip
    # Stored under the sniffed suffix, whatever the phone called the file.
    photo.file.save(f"photo{kind[1]}", upload, save=False)
    photo.save()
    return photo


def bind(actor, ids: Sequence[int], visit: Visit) -> list[int]:
    """Attach the actor's unbound photos to the visit (inside record_visit's transaction)."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        return []
    if len(ids) > MAX_PER_VISIT:
        raise Invalid(f"每条巡查记录最多 {MAX_PER_VISIT} 张照片", field="photos")
    free = VisitPhoto.objects.select_for_update().filter(
        pk__in=ids, uploaded_by=actor, visit__isnull=True
    )
    found = set(free.values_list("pk", flat=True))
    if len(found) != len(ids):
        missing = [i for i in ids if i not in found]
        raise Invalid(f"照片 {missing} 不存在、不是您上传的或已被使用", field="photos")
    VisitPhoto.objects.filter(pk__in=ids).update(visit=visit)
    return ids
