"""Back office for supervision: reading the registers (changes go through the services)."""

from django.contrib import admin

from huying.supervision.models import AccountablePerson, FormalismCase, InspectionPlan, PlanItem


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    fk_name = "plan"
    extra = 0


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ["department", "year", "status", "decided_at"]
    list_filter = ["year", "status"]
    inlines = [PlanItemInline]


class AccountablePersonInline(admin.TabularInline):
    model = AccountablePerson
    extra = 0


@admin.register(FormalismCase)
class FormalismCaseAdmin(admin.ModelAdmin):
    list_display = ["number", "unit", "status", "opened_at"]
    list_filter = ["status"]
    search_fields = ["number", "problem"]
    inlines = [AccountablePersonInline]
