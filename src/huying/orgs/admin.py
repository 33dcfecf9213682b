"""The back office for the org tree and users; every save goes through orgs.services."""

from django import forms
from django.contrib import admin

from huying.core.errors import BusinessError
from huying.orgs import services
from huying.orgs.models import ApiToken, Org, User


class ServiceValidatedForm(forms.ModelForm):
    """Runs the service's rules at form validation, so the admin shows them on the field."""

    validator = None

    def _post_clean(self):
        super()._post_clean()  # copies the cleaned data onto self.instance
        if self.errors:
            return
        try:
            type(self).validator(self.instance)
        except BusinessError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class OrgForm(ServiceValidatedForm):
    validator = staticmethod(services.validate_org)

    class Meta:
        model = Org
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "is_key_village",
            "has_calling_right",
            "contact_name",
            "contact_phone",
            "address",
            "lat",
            "lon",
            "sort_order",
            "is_active",
        )


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    form = OrgForm
    list_display = (
        "name",
        "code",
        "kind",
        "parent",
        "is_key_village",
        "has_calling_right",
        "is_active",
    )
    list_filter = ("kind", "is_key_village", "has_calling_right", "is_active")
    search_fields = ("name", "code", "short_name")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "created_at", "updated_at")
    ordering = ("path",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.update_org(actor=request.user, org=obj, **fields)
        else:
            data = {f: form.cleaned_data[f] for f in form.cleaned_data}
            saved = services.create_org(actor=request.user, **data)
            obj.pk, obj.path = saved.pk, saved.path

    def has_delete_permission(self, request, obj=None):
        return False  # units are deactivated, never deleted: calls and audit refer to them


class UserForm(ServiceValidatedForm):
    validator = staticmethod(lambda user: services.validate_user_org(user.role, user.org))

    class Meta:
        model = User
        fields = ("username", "full_name", "phone", "org", "role", "is_active")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserForm
    list_display = (
        "username",
        "full_name",
        "role",
        "org",
        "is_active",
        "locked_until",
        "last_login",
    )
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "org__name")
    autocomplete_fields = ("org",)
    readonly_fields = ("last_login", "date_joined", "failed_login_count", "locked_until")
    actions = ("unlock",)

    @admin.action(description="解除所选用户的登录锁定")
    def unlock(self, request, queryset):
        unlocked = sum(services.unlock_user(actor=request.user, user=u) for u in queryset)
        self.message_user(request, f"已解除 {unlocked} 个账号的锁定")

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.update_user(actor=request.user, user=obj, **fields)
        else:
            # New users get an unusable password until `huying createuser` or a reset.
            data = form.cleaned_data
            saved = services.create_user(
                actor=request.user,
                username=data["username"],
                password=None,
                role=data["role"],
                org=data["org"],
                full_name=data["full_name"],
                phone=data["phone"],
            )
            obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = (
        "user",
        "key_hash",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )

    def has_add_permission(self, request):
        return False
