"""The back office for patrol: areas are edited here (through `areas.set_area`'s rules:
the admin's own audit covers who changed what); plans and visits are read only."""

from django.contrib import admin

from huying.core import audit
from huying.patrol import areas
from huying.patrol.models import DayPlan, PatrolArea, PlanItem, Visit


@admin.register(PatrolArea)
class PatrolAreaAdmin(admin.ModelAdmin):
    list_display = ("inspector", "supervisor", "updated_at")
    filter_horizontal = ("villages",)
    # Dwellings are hundreds of thousands: a raw id list, not a two-pane picker.
    raw_id_fields = ("inspector", "supervisor", "dwellings")
    search_fields = ("inspector__username",)

    def save_related(self, request, form, formsets, change):
        before = areas.snapshot(form.instance) if change else {}
        super().save_related(request, form, formsets, change)
        audit.record(
            "patrol.area_set", actor=request.user, obj=form.instance, before=before,
            after=areas.snapshot(form.instance), reason="后台管理",
        )  # fmt: skip


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    fields = ("rank", "dwelling", "reason", "status", "discrepancy", "added_by", "note")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DayPlan)
class DayPlanAdmin(ReadOnlyAdmin):
    list_display = ("inspector", "day", "made_at")
    list_filter = ("day",)
    search_fields = ("inspector__username",)
    date_hierarchy = "day"
    inlines = [PlanItemInline]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("inspector", "dwelling", "visited_at", "origin")
    list_filter = ("origin",)
    search_fields = ("inspector__username", "dwelling__code")
    date_hierarchy = "visited_at"
    raw_id_fields = ("dwelling",)
