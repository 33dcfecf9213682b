from django.contrib import admin

from huying.core.models import AuditEntry, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_name", "action", "object_repr", "reason", "ip")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_repr", "object_id", "request_id")
    ordering = ("-seq",)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "pid", "started_at", "beat_at", "beats")
