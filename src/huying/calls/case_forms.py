"""The supervisor's form for a case's outcome and the people held accountable.

The form only collects text: `accountability.record_outcome` is where the rules are (outcome
required, each person named, a level from the list), and its errors land on the field they
name (`outcome`, `people.<i>.name`, `people.<i>.level`).
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huying.calls.accountability import ACCOUNTABILITY_LEVELS
from huying.core.errors import BusinessError

PEOPLE_ROWS = 3
# How the service names a person's field: people.<index among the filled rows>.<field>.
PERSON_FIELD = re.compile(r"people\.(\d+)\.(name|post|level)")

# The levels are stored in Chinese (the service's values); marked here so that makemessages
# extracts them and the page can show them translated (a test holds the two lists equal).
LEVEL_LABELS = (
    gettext_noop("提醒谈话"),
    gettext_noop("批评教育"),
    gettext_noop("责令检查"),
    gettext_noop("诫勉"),
    gettext_noop("通报批评"),
    gettext_noop("党纪政务处分"),
)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("处理结果"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    post = forms.CharField(label=_("职务"), required=False, max_length=100)
    # Not a ChoiceField: the service checks the level, so the rule and its message live once.
    level = forms.CharField(
        label=_("问责方式"),
        required=False,
        widget=forms.Select(choices=[("", "—"), *((v, _(v)) for v in ACCOUNTABILITY_LEVELS)]),
    )

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(f) or "").strip() for f in self.fields)


PeopleFormSet = forms.formset_factory(PersonForm, extra=PEOPLE_ROWS, max_num=10)


def people_rows(formset) -> tuple[list[dict], list[PersonForm]]:
    """The filled rows, as the service takes them, and the form each came from."""
    filled = [f for f in formset.forms if not f.is_blank()]
    people = [
        {k: (f.cleaned_data.get(k) or "").strip() for k in ("name", "post", "level")}
        for f in filled
    ]
    return people, filled


def place_error(exc: BusinessError, form: OutcomeForm, rows: list[PersonForm]) -> None:
    """Put a service error on the field it names, or on the form when it names none of them."""
    match = PERSON_FIELD.fullmatch(exc.field or "")
    if match and int(match[1]) < len(rows):
        rows[int(match[1])].add_error(match[2], exc.message)
        return
    form.add_error("outcome" if exc.field == "outcome" else None, exc.message)
