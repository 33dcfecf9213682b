"""The back office for the sensing registry and its rules (rules are data: edited here)."""

from django.contrib import admin, messages

from huying.sensing import tokens
from huying.sensing.models import (
    Alarm,
    AlarmEvent,
    Device,
    Enterprise,
    River,
    Rule,
    Sensor,
    Station,
    VideoCategory,
)


@admin.register(River)
class RiverAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "water_body", "length_km"]
    search_fields = ["code", "name"]
    filter_horizontal = ["towns"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "section_level", "target_class", "river", "town"]
    list_filter = ["kind", "section_level", "town"]
    search_fields = ["code", "name", "river__name"]
    autocomplete_fields = ["river"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "town", "risk", "contact_name"]
    list_filter = ["risk", "town"]
    search_fields = ["code", "name"]


class SensorInline(admin.TabularInline):
    model = Sensor
    extra = 0


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "door", "mn", "town", "last_seen_at", "is_active"]
    list_filter = ["kind", "door", "is_active", "town"]
    search_fields = ["code", "name", "mn", "mqtt_client", "gb28181_id"]
    exclude = ["token_hash"]  # tokens are issued by sensing.devices, shown once
    readonly_fields = ["last_seen_at"]
    inlines = [SensorInline]
    actions = ["issue_tokens"]

    @admin.action(description="签发新令牌（旧令牌作废，新令牌只显示一次）")
    def issue_tokens(self, request, queryset):
        if queryset.count() > 20:
            self.message_user(request, "一次最多为 20 台设备签发令牌", level=messages.ERROR)
            return
        for device in queryset:
            token = tokens.issue_token(device, actor=request.user)
            # Shown once: only its sha256 is kept, so it cannot be shown again.
            self.message_user(request, f"{device.code}：{token}", level=messages.WARNING)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "device_kind", "parameter", "threshold", "severity", "dispatch"]
    list_filter = ["kind", "device_kind", "severity", "dispatch", "is_active"]
    search_fields = ["name", "parameter"]


class AlarmEventInline(admin.TabularInline):
    model = AlarmEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "actor", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # the history is append-only, written by the alarm services


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    """Read-only here: an alarm changes state through sensing's services (its history)."""

    list_display = ["title", "device", "status", "severity", "escalation", "raised_at"]
    list_filter = ["status", "severity", "escalation"]
    inlines = [AlarmEventInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(VideoCategory)
class VideoCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "dedup_minutes", "is_active"]
