"""The back office for the special list (专项清单); every save goes through calls.matters.

Limits are typed as people write them ("30分钟", "PT2H", "3个工作日"); the change page shows
the matter's history of edits (its audit rows); matters are deactivated, never deleted; the
list can be exported to Excel, and imported from it (all or nothing), from the change list.
"""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from huying.calls import excel, matters
from huying.calls.choices import Domain
from huying.calls.limit_text import HINT, limit_text, parse_limit_text
from huying.calls.limits import parse_limit
from huying.calls.models import Matter
from huying.core.errors import BusinessError, Invalid
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org

MODEL_FIELDS = (
    "code",
    "domain",
    "name",
    "description",
    "lead_department",
    "co_departments",
    "legal_basis",
    "is_active",
)
LIMIT_FIELDS = ("response_limit", "resolution_limit")
# The admin is Chinese-only (like the models' verbose names): its templates take their words
# from here, so the page templates' translation catalogue stays the pages' own.
IMPORT_PAGE_WORDS = {
    "home": "首页",
    "intro": "下载导入模板（或导出现有清单）填写后上传。编号已存在的事项将被更新，新编号将新建；"
    "只要有一行有误，就不导入任何事项，并列出每一处错误。",
    "row": "行",
    "column": "列",
    "reason": "原因",
    "submit": "导入",
}


class MatterForm(forms.ModelForm):
    """Limits as text; the services' rules run at validation so errors land on their field."""

    response_limit = forms.CharField(label="响应时限", max_length=40, help_text=HINT)
    resolution_limit = forms.CharField(label="办结时限", max_length=40, help_text=HINT)
    reason = forms.CharField(
        label="修改原因", required=False, max_length=200, help_text="可不填；记入修改记录"
    )

    class Meta:
        model = Matter
        fields = MODEL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in LIMIT_FIELDS:
                # A row written around the services may lack a limit: the admin fixes it here.
                with contextlib.suppress(ValueError):
                    self.initial.setdefault(name, limit_text(getattr(self.instance, name)))

    def clean_response_limit(self):
        return self._limit("response_limit")

    def clean_resolution_limit(self):
        return self._limit("resolution_limit")

    def _limit(self, name: str):
        try:
            return parse_limit_text(self.cleaned_data.get(name), name)
        except Invalid as exc:
            raise forms.ValidationError(exc.message) from None

    def _post_clean(self):
        super()._post_clean()  # copies the cleaned data onto self.instance
        if self.errors:
            return
        for name in LIMIT_FIELDS:
            which, limit = name.removesuffix("_limit"), self.cleaned_data[name]
            setattr(self.instance, f"{which}_seconds", limit.seconds)
            setattr(self.instance, f"{which}_working_days", limit.working_days)
        try:
            matters.validate_matter(self.instance, self.cleaned_data.get("co_departments") or [])
        except BusinessError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)

    def service_fields(self) -> dict:
        names = (*MODEL_FIELDS, *LIMIT_FIELDS)
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    form = MatterForm
    list_display = (
        "code",
        "name",
        "domain",
        "lead_department",
        "response_limit_label",
        "resolution_limit_label",
        "is_active",
    )
    list_display_links = ("code", "name")
    list_filter = ("domain", "is_active", ("lead_department", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("lead_department",)
    search_fields = (
        "code",
        "name",
        "description",
        "legal_basis",
        "lead_department__name",
        "lead_department__short_name",
    )
    filter_horizontal = ("co_departments",)
    readonly_fields = ("history", "created_at", "updated_at")
    actions = ("deactivate", "activate", "export_selected")
    ordering = ("domain", "code")

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("code", "domain", "name", "description", "legal_basis")}),
            ("承办部门", {"fields": ("lead_department", "co_departments")}),
            ("时限", {"fields": LIMIT_FIELDS}),
            ("状态", {"fields": ("is_active",)}),
        ]
        if obj is not None:
            fieldsets.append(
                ("修改", {"fields": ("reason", "history", "created_at", "updated_at")})
            )
        return fieldsets

    def _departments(self):
        return Org.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).order_by("sort_order")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_department":
            kwargs["queryset"] = self._departments()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "co_departments":
            kwargs["queryset"] = self._departments()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        fields = form.service_fields()
        if change:
            reason = form.cleaned_data.get("reason", "")
            matters.update_matter(request.user, obj, reason=reason, **fields)
        else:
            obj.pk = matters.create_matter(request.user, **fields).pk

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the co-departments

    def has_delete_permission(self, request, obj=None):
        return False  # deactivated, never deleted: calls refer to matters

    # --- columns and the history ---------------------------------------------------------------

    @admin.display(description="响应时限")
    def response_limit_label(self, obj: Matter) -> str:
        return _describe(obj, "response_limit")

    @admin.display(description="办结时限")
    def resolution_limit_label(self, obj: Matter) -> str:
        return _describe(obj, "resolution_limit")

    @admin.display(description="修改记录")
    def history(self, obj: Matter):
        entries = list(matters.matter_history(obj)) if obj.pk else []
        if not entries:
            return "—"
        names = dict(Org.objects.filter(kind=OrgKind.DEPARTMENT).values_list("code", "name"))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><ul>{}</ul></td><td>{}</td></tr>",
            (
                (
                    localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                    e.actor_name or "系统",
                    "新建" if e.action == matters.CREATED else "修改",
                    _changes_html(e, names),
                    e.reason,
                )
                for e in entries
            ),
        )
        return format_html(
            '<table class="matter-history"><thead><tr><th>时间</th><th>操作人</th><th>操作</th>'
            "<th>内容</th><th>原因</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    # --- actions -------------------------------------------------------------------------------

    @admin.action(description="停用所选事项")
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description="启用所选事项")
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, active: bool) -> None:
        reason = "后台批量启用" if active else "后台批量停用"
        changed = sum(
            matters.apply_update(request.user, m, reason=reason, is_active=active) for m in queryset
        )
        self.message_user(request, f"已{'启用' if active else '停用'} {changed} 项")

    @admin.action(description="导出所选事项到 Excel")
    def export_selected(self, request, queryset):
        return excel.xlsx_response(excel.export_workbook(_for_export(queryset)), "专项清单.xlsx")

    # --- Excel views ---------------------------------------------------------------------------

    def _excel_links(self, request: HttpRequest, with_import: bool) -> list[tuple[str, str]]:
        links = [
            (reverse("admin:calls_matter_export"), "导出 Excel"),
            (reverse("admin:calls_matter_template"), "下载导入模板"),
        ]
        if with_import and self.has_add_permission(request):
            links.append((reverse("admin:calls_matter_import"), "从 Excel 导入"))
        return links

    def changelist_view(self, request, extra_context=None):
        extra = {"excel_links": self._excel_links(request, with_import=True)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="calls_matter_import"),
            path("export.xlsx", wrap(self.export_view), name="calls_matter_export"),
            path("template.xlsx", wrap(self.template_view), name="calls_matter_template"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return excel.xlsx_response(
            excel.export_workbook(_for_export(Matter.objects.all())), "专项清单.xlsx"
        )

    def template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return excel.xlsx_response(excel.template_workbook(), "专项清单导入模板.xlsx")

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list = []
        if request.method == "POST" and form.is_valid():
            try:
                result = excel.import_workbook(request.user, form.cleaned_data["file"])
            except excel.ImportRejected as exc:
                form.add_error(None, exc.message)
                errors = exc.errors
            except BusinessError as exc:
                form.add_error("file", exc.message)
            else:
                self.message_user(request, result.describe(), messages.SUCCESS)
                return redirect(reverse("admin:calls_matter_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "从 Excel 导入专项清单",
            "form": form,
            "row_errors": errors,
            "excel_links": self._excel_links(request, with_import=False),
            "words": IMPORT_PAGE_WORDS,
        }
        return TemplateResponse(request, "admin/calls/matter/import.html", context)


def _for_export(queryset):
    return (
        queryset.select_related("lead_department")
        .prefetch_related("co_departments")
        .order_by("domain", "code")
    )


def _describe(obj: Matter, name: str) -> str:
    try:
        return getattr(obj, name).describe()
    except ValueError:
        return "（未设置）"


def _changes_html(entry, department_names: dict[str, str]):
    if entry.action == matters.CREATED:
        return format_html("<li>{}</li>", "新建事项")
    return format_html_join(
        "",
        "<li>{}：{} → {}</li>",
        (
            (label, _show(label, old, department_names), _show(label, new, department_names))
            for label, old, new in matters.describe_changes(entry)
        ),
    )


def _show(label: str, value, department_names: dict[str, str]) -> str:
    """A snapshot value in words: departments by name, limits described, flags as 是/否."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if label == "领域" and value in Domain.values:
        return str(Domain(value).label)
    if label in ("牵头部门", "协办部门"):
        codes = value if isinstance(value, list) else [value]
        return "、".join(department_names.get(c, c) for c in codes)
    if label in ("响应时限", "办结时限"):
        try:
            return parse_limit(value, "limit").describe()
        except Invalid:
            return str(value)
    return str(value)
