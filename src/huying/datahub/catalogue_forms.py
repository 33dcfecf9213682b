"""The catalogue pages' forms. They only shape input; the services check it (and name the
field), so a page and the API refuse the same things with the same words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from huying.core.errors import BusinessError
from huying.datahub.models import Category


class _ServiceErrors:
    # The services' field names that the form calls otherwise.
    renamed: dict[str, str] = {}

    def add_service_error(self, exc: BusinessError) -> None:
        name = self.renamed.get(exc.field, exc.field)
        self.add_error(name if name in self.fields else None, exc.message)


class AccessRequestForm(_ServiceErrors, forms.Form):
    # "fields" would shadow the form's own `fields` in templates.
    renamed = {"fields": "items"}

    purpose = forms.CharField(
        label=_("申请用途"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("例如：核对辖内出租屋底数")}),
    )
    items = forms.MultipleChoiceField(
        label=_("申请的数据项（不选为全部）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_until = forms.DateField(
        label=_("希望的有效期至（可不填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, category: Category, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(f.name, f.label) for f in category.fields.all()]


class ApproveForm(_ServiceErrors, forms.Form):
    note = forms.CharField(
        label=_("审批意见（可不填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    valid_until = forms.DateField(
        label=_("授权有效期至（不填则按申请）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReasonForm(_ServiceErrors, forms.Form):
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclineForm(ReasonForm):
    reason = forms.CharField(
        label=_("驳回理由（必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
