"""Photos and documents on calls: staged by the uploader, then bound to the step that uses them.

Two steps, so that the API can take files as multipart uploads and the actions stay JSON:
`stage` stores the file and returns its id; an action (create, progress, resolve, …) names the
ids it carries and `bind` attaches them to its event inside the action's transaction. The type is
read from the file's first bytes, never from the name or the browser's claim.
"""

import hashlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from huying.calls.models import Attachment, Call, CallEvent, VillageRequest
from huying.core import clock
from huying.core.errors import Invalid
from huying.orgs.models import User

MAX_PER_STEP = 9  # a phone's photo picker's usual limit, and enough for evidence
STAGED_KEEP = timedelta(days=1)  # an upload no step used within a day is dropped
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and suffix the first bytes prove, or None."""
    for magic, content_type, suffix in SIGNATURES:
        if head.startswith(magic):
            return content_type, suffix
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


@transaction.atomic
def stage(*, actor: User, upload: UploadedFile) -> Attachment:
    """Store one uploaded file for the actor's next step (422 naming `file` if refused)."""
    limit = settings.CALLS_ATTACHMENT_MAX_MB * 1024 * 1024
    if upload.size is None or upload.size == 0:
        raise Invalid("文件是空的", field="file")
    if upload.size > limit:
        raise Invalid(f"文件超过{settings.CALLS_ATTACHMENT_MAX_MB}MB上限", field="file")
    upload.seek(0)
    kind = sniff(upload.read(16))
    if kind is None:
        raise Invalid("只能上传照片（JPEG、PNG、WebP）或PDF文件", field="file")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    attachment = Attachment(
        name=name,
        content_type=kind[0],
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    # The stored name takes the sniffed suffix, whatever the uploader called the file.
    attachment.file.save(f"upload{kind[1]}", upload, save=False)
    attachment.save()
    return attachment


T = TypeVar("T")


def with_uploads(actor: User, uploads: Sequence[UploadedFile], run: Callable[[list[int]], T]) -> T:
    """A page's one request: stage each upload, then run the action with their ids, in one
    transaction. A refusal rolls the rows back, and the files already written are deleted
    (the disk is not transactional)."""
    staged: list[Attachment] = []
    try:
        with transaction.atomic():
            for upload in uploads:
                staged.append(stage(actor=actor, upload=upload))
            return run([a.pk for a in staged])
    except Exception:
        for attachment in staged:
            attachment.file.delete(save=False)
        raise


def _staged(actor: User, ids: Sequence[int]) -> list[Attachment]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    if len(ids) > MAX_PER_STEP:
        raise Invalid(f"每一步最多附{MAX_PER_STEP}个文件", field="attachment_ids")
    found = list(
        Attachment.objects.select_for_update().filter(
            pk__in=ids,
            uploaded_by=actor,
            call__isnull=True,
            event__isnull=True,
            village_request__isnull=True,
        )
    )
    if len(found) != len(ids):
        missing = sorted(set(ids) - {a.pk for a in found})
        raise Invalid(f"附件{missing}不存在、不是您上传的或已被使用", field="attachment_ids")
    return found


def check(actor: User, ids: Sequence[int]) -> None:
    """Refuse bad attachment ids before an action changes anything."""
    if ids:
        _staged(actor, ids)


def bind_to_event(actor: User, ids: Sequence[int], *, call: Call, event: CallEvent) -> list[int]:
    if not ids:
        return []
    found = _staged(actor, ids)
    Attachment.objects.filter(pk__in=[a.pk for a in found]).update(call=call, event=event)
    return [a.pk for a in found]


def bind_to_request(actor: User, ids: Sequence[int], request: VillageRequest) -> list[int]:
    if not ids:
        return []
    found = _staged(actor, ids)
    Attachment.objects.filter(pk__in=[a.pk for a in found]).update(village_request=request)
    return [a.pk for a in found]


def carry_to_call(request: VillageRequest, *, call: Call, event: CallEvent) -> list[int]:
    """A forwarded request's photos become the new call's (they stay on the request too)."""
    rows = request.attachments.all()
    ids = [a.pk for a in rows]
    rows.update(call=call, event=event)
    return ids


def prune_staged() -> int:
    """Drop uploads no step used within a day (files and rows)."""
    stale = Attachment.objects.filter(
        call__isnull=True,
        village_request__isnull=True,
        uploaded_at__lt=clock.now() - STAGED_KEEP,
    )
    count = 0
    for attachment in stale.iterator():
        attachment.file.delete(save=False)
        attachment.delete()
        count += 1
    return count
