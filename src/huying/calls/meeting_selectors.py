"""Reads of coordination meetings and their action items, always through the user's scope.

A meeting is visible with its call (`selectors.calls_visible_to`), and also to the departments
invited to it, which need not be assigned to the call; an action item likewise, and to its
owner department.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from huying.calls import selectors
from huying.calls.models import ActionItem, Call, CoordinationMeeting, MeetingInvitation
from huying.core.scoping import get_visible_or_404
from huying.orgs.models import User


def _invited(user: User) -> Q:
    invited = MeetingInvitation.objects.filter(meeting=OuterRef("pk"), department_id=user.org_id)
    return Q(Exists(invited)) if user.org_id else Q(pk__in=[])


def meetings_visible_to(user: User) -> QuerySet[CoordinationMeeting]:
    calls = selectors.calls_visible_to(user).values("pk")
    return CoordinationMeeting.objects.filter(Q(call__in=calls) | _invited(user))


def action_items_visible_to(user: User) -> QuerySet[ActionItem]:
    meetings = meetings_visible_to(user).values("pk")
    owned = Q(owner_department_id=user.org_id) if user.org_id else Q(pk__in=[])
    return ActionItem.objects.filter(Q(meeting__in=meetings) | owned)


def with_details(meetings: QuerySet[CoordinationMeeting]) -> QuerySet[CoordinationMeeting]:
    """Meetings with their call, convener, invited departments and action items: 3 queries."""
    return meetings.select_related("call", "convened_by").prefetch_related(
        Prefetch(
            "invitations",
            queryset=MeetingInvitation.objects.select_related("department").order_by("pk"),
        ),
        Prefetch(
            "action_items",
            queryset=ActionItem.objects.select_related("owner_department").order_by("due_at", "pk"),
        ),
    )


def call_meetings(call: Call) -> QuerySet[CoordinationMeeting]:
    return with_details(call.meetings.order_by("starts_at", "pk"))


def my_meetings(user: User) -> QuerySet[CoordinationMeeting]:
    return with_details(meetings_visible_to(user).order_by("-starts_at", "-pk"))


def meeting_detail(user: User, pk: int) -> CoordinationMeeting:
    return get_visible_or_404(with_details(meetings_visible_to(user)), user, pk=pk)


def action_item_detail(user: User, pk: int) -> ActionItem:
    visible = action_items_visible_to(user).select_related("call", "owner_department")
    return get_visible_or_404(visible, user, pk=pk)
