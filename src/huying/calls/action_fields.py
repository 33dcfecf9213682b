"""Fields shared by the call page's action forms (calls/detail_forms.py)."""

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from huying.calls.call_forms import PhotosField
from huying.orgs.models import Org

STARS = [(n, str(n)) for n in range(1, 6)]


class FilesField(PhotosField):
    """Photos from the camera or the album, or PDF documents: several in one input."""

    def __init__(self, **kwargs):
        super().__init__(label=_("照片或文件"), **kwargs)
        self.widget.attrs["accept"] = "image/*,application/pdf"


def text_field(label, rows: int = 3) -> forms.CharField:
    # Not required here: the service says what is missing, in its words, on the same field.
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


def stars_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        widget=forms.RadioSelect(choices=STARS),
        error_messages={"required": _("请选择 1 到 5 星"), "invalid": _("请选择 1 到 5 星")},
    )


class DepartmentChoice(forms.ChoiceField):
    """A department from the page's list, cleaned to the Org itself."""

    def __init__(self, *, blank_label=None, **kwargs):
        super().__init__(**kwargs)
        self.blank_label = blank_label

    def set_departments(self, departments: Sequence[Org]) -> None:
        self.by_pk = {str(d.pk): d for d in departments}
        blank = [("", self.blank_label)] if self.blank_label else []
        self.choices = blank + [(str(d.pk), d.short_name or d.name) for d in departments]

    def clean(self, value):
        value = super().clean(value)
        return self.by_pk.get(value) if value else None


class DepartmentsChoice(forms.MultipleChoiceField):
    """Several departments from the page's list (checkboxes), cleaned to the Orgs."""

    widget = forms.CheckboxSelectMultiple

    def set_departments(self, departments: Sequence[Org]) -> None:
        self.by_pk = {str(d.pk): d for d in departments}
        self.choices = [(str(d.pk), d.short_name or d.name) for d in departments]

    def clean(self, value):
        return [self.by_pk[v] for v in super().clean(value)]
