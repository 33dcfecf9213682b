"""Reads of village requests and attachments, always through the user's scope."""

from django.db.models import Q, QuerySet

from huying.calls.choices import VillageRequestStatus
from huying.calls.models import Attachment, VillageRequest
from huying.calls.selectors import calls_visible_to
from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.models import User


def requests_visible_to(user: User) -> QuerySet[VillageRequest]:
    """A village sees its own requests, a town those of its villages, district-wide roles all."""
    return scope_for(user).filter(VillageRequest.objects.all(), "village")


def request_list(user: User, *, status: str | None = None) -> QuerySet[VillageRequest]:
    requests = requests_visible_to(user).select_related("village", "town", "matter", "call")
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-raised_at", "-pk")


def pending_for_town(user: User) -> QuerySet[VillageRequest]:
    """What the town has still to decide, oldest first (the town workbench)."""
    return (
        request_list(user, status=VillageRequestStatus.PENDING)
        .filter(town_id=user.org_id)
        .order_by("raised_at", "pk")
    )


def request_detail(user: User, pk: int) -> VillageRequest:
    return get_visible_or_404(
        requests_visible_to(user).select_related("village", "town", "matter", "call", "raised_by"),
        user,
        pk=pk,
    )


def attachment_for(user: User, pk: int) -> Attachment:
    """A file the user may open: their own upload, or one on a call or request they can see."""
    visible = Attachment.objects.filter(
        Q(uploaded_by=user)
        | Q(call__in=calls_visible_to(user))
        | Q(village_request__in=requests_visible_to(user))
    )
    return get_visible_or_404(visible, user, pk=pk)
