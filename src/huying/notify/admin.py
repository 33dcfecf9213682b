"""Read-only back office for the inbox and the outbox; dead messages can be sent again."""

from django.contrib import admin

from huying.notify import services
from huying.notify.choices import OutboxStatus
from huying.notify.models import Notification, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username", "recipient__full_name")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "channel",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "channel")
    search_fields = ("recipient__username", "recipient__full_name", "last_error")
    list_select_related = ("recipient",)
    actions = ("retry",)

    @admin.display(description="最近错误")
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:80]

    @admin.action(description="重新发送所选的失败消息")
    def retry(self, request, queryset):
        retried = services.retry_dead(request.user, queryset.filter(status=OutboxStatus.DEAD))
        self.message_user(request, f"已重新排队 {retried} 条失败消息")
