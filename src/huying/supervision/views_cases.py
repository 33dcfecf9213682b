"""问题台账 (/supervision/cases/): the commission's register of formalism cases, a case's page
with its evidence linked to the calls, tasks and assessments it rests on and the people held
accountable, and the commission's actions (open, add evidence, add a person, conclude).

Who sees what: case_selectors; the rules and who may write: supervision.cases.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huying.core.errors import BusinessError
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org
from huying.supervision import case_selectors, cases
from huying.supervision.choices import (
    AccountabilityLevel,
    AccountabilityMeasure,
    CaseStatus,
    EvidenceKind,
)

PAGE_SIZE = 50
UNIT_KINDS = (OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.STREET)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("证据类型"), choices=EvidenceKind.choices)
    ref = forms.IntegerField(label=gettext_lazy("记录 ID"), required=False, min_value=1)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=300)

    def item(self) -> dict:
        d = self.cleaned_data
        key = {EvidenceKind.OVERDUE_CALL: "call", EvidenceKind.PERFUNCTORY_CALL: "call",
               EvidenceKind.UNPLANNED_ASSESSMENT: "assessment"}.get(d["kind"], "task")  # fmt: skip
        return {"kind": d["kind"], key: d["ref"], "note": d["note"]}


class CaseForm(EvidenceForm):
    field_order = ["problem", "unit", "kind", "ref", "note"]
    problem = forms.CharField(label=gettext_lazy("问题"), max_length=2000, widget=forms.Textarea)
    unit = forms.ModelChoiceField(label=gettext_lazy("责任单位"), queryset=Org.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("证据类型"), required=False,
                             choices=[("", "—"), *EvidenceKind.choices])  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Org.objects.filter(kind__in=UNIT_KINDS, is_active=True).order_by("kind", "path")
        self.fields["unit"].queryset = units


class PersonForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    position = forms.CharField(label=gettext_lazy("职务"), max_length=80, required=False)
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=AccountabilityLevel.choices)
    measure = forms.ChoiceField(
        label=gettext_lazy("处理方式"), choices=AccountabilityMeasure.choices
    )
    decided_at = forms.DateField(label=gettext_lazy("处理日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=gettext_lazy("处理结果"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


@require_GET
@login_required
def case_list(request):
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    found = case_selectors.case_list(request.user, case_selectors.CaseFilter(status=status))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    may_write = case_selectors.may_write(request.user)
    context = {"page": page, "status": status, "statuses": CaseStatus.choices,
               "may_write": may_write, "form": CaseForm() if may_write else None}  # fmt: skip
    return render(request, "supervision/cases.html", context)


@require_POST
@login_required
def case_new(request):
    if not case_selectors.may_write(request.user):
        raise Http404("未找到，或不在您的可见范围内")
    form = CaseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        evidence = [form.item()] if d["kind"] else []
        try:
            case = cases.open_case(request.user, d["problem"], d["unit"], evidence)
            return redirect("supervision:case", pk=case.pk)
        except BusinessError as exc:
            form.add_error(None, exc.message)
    found = case_selectors.case_list(request.user)
    page = Paginator(found, PAGE_SIZE).get_page(1)
    context = {"page": page, "status": "", "statuses": CaseStatus.choices,
               "may_write": True, "form": form}  # fmt: skip
    return render(request, "supervision/cases.html", context, status=422)


@require_GET
@login_required
def case_detail(request, pk: int):
    case = case_selectors.case_detail(request.user, pk)
    return render(request, "supervision/case_detail.html", _detail_context(request, case))


# Where each kind of evidence links to: the page of the call, task or assessment.
LINKS = (("call_id", "calls:detail"), ("task_id", "supervision:task"),
         ("assessment_id", "supervision:assessment"))  # fmt: skip


def _link(evidence) -> str:
    for attr, url_name in LINKS:
        if getattr(evidence, attr):
            try:
                return reverse(url_name, args=[getattr(evidence, attr)])
            except NoReverseMatch:  # that page is not mounted: the evidence stays unlinked
                return ""
    return ""


def _detail_context(request, case, **forms_given) -> dict:
    for evidence in case.evidence.all():
        evidence.url = _link(evidence)
    may_act = case_selectors.may_write(request.user) and case.status == CaseStatus.OPEN
    return {
        "case": case, "may_act": may_act,
        "evidence_form": forms_given.get("evidence") or EvidenceForm(),
        "person_form": forms_given.get("person") or PersonForm(),
        "outcome_form": forms_given.get("outcome") or OutcomeForm(),
    }  # fmt: skip


ACTIONS = {
    "evidence": (EvidenceForm, lambda user, case, f: cases.add_evidence(user, case, f.item())),
    "person": (PersonForm, lambda user, case, f: cases.add_person(user, case, f.cleaned_data)),
    "outcome": (OutcomeForm,
                lambda user, case, f: cases.conclude(user, case, f.cleaned_data["outcome"])),
}  # fmt: skip


@require_POST
@login_required
def case_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    case = case_selectors.case_detail(request.user, pk)
    if not case_selectors.may_write(request.user):
        raise Http404("未找到，或不在您的可见范围内")
    form_class, act = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(request.user, case, form)
            return redirect("supervision:case", pk=pk)
        except BusinessError as exc:
            form.add_error(None, exc.message)
    case = case_selectors.case_detail(request.user, pk)
    context = _detail_context(request, case, **{action: form})
    return render(request, "supervision/case_detail.html", context, status=422)
