"""提醒 (/supervision/reminders/): the commission's list of warnings (open, answered, closed;
answers past their due date stand out), a warning raised by hand, closed after the answer; a
unit's own warnings with the box to answer them. A warning's page is where notices link.

Who sees what: task_selectors.reminders_visible_to; the rules: supervision.reminders.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huying.core import clock
from huying.core.errors import BusinessError
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org
from huying.supervision import reminders, task_selectors
from huying.supervision.choices import FlagKind, WarningStatus

PAGE_SIZE = 50


class RaiseForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("被提醒单位"), queryset=Org.objects.none())
    flag_kind = forms.ChoiceField(label=gettext_lazy("问题类型"), required=False,
                                  choices=[("", "—"), *FlagKind.choices])  # fmt: skip
    text = forms.CharField(label=gettext_lazy("提醒内容"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = (OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.STREET)
        self.fields["unit"].queryset = Org.objects.filter(kind__in=kinds).order_by("kind", "path")


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("答复"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class CloseForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("办结意见"), max_length=300, required=False)


def _is_commission(user) -> bool:
    return user.role == Role.SUPERVISOR


def _mark(items, today):
    for r in items:
        r.late = r.status == WarningStatus.OPEN and r.answer_due < today
        r.answered_late = bool(r.answered_at) and timezone.localdate(r.answered_at) > r.answer_due
    return items


@require_GET
@login_required
def reminder_list(request):
    return _list_page(request)


def _list_page(request, form=None, status_code=200):
    status = request.GET.get("status", "")
    status = status if status in WarningStatus.values else ""
    wanted = task_selectors.ReminderFilter(status=status or None)
    page = Paginator(task_selectors.reminder_list(request.user, wanted), PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    _mark(page.object_list, timezone.localdate(clock.now()))
    commission = _is_commission(request.user)
    context = {"page": page, "status": status, "statuses": WarningStatus.choices,
               "commission": commission, "answer_form": AnswerForm(),
               "form": form or (RaiseForm() if commission else None)}  # fmt: skip
    return render(request, "supervision/reminders.html", context, status=status_code)


@require_POST
@login_required
def reminder_new(request):
    if not _is_commission(request.user):
        raise Http404("未找到，或不在您的可见范围内")
    form = RaiseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            found = reminders.raise_reminder(request.user, d["unit"], d["text"],
                                             flag_kind=d["flag_kind"])  # fmt: skip
            return redirect("supervision:reminder", pk=found.pk)
        except BusinessError as exc:
            form.add_error(None, exc.message)
    return _list_page(request, form=form, status_code=422)


@require_GET
@login_required
def reminder_detail(request, pk: int):
    found = task_selectors.reminder_detail(request.user, pk)
    return render(request, "supervision/reminder_detail.html", _context(request, found))


def _context(request, found, **given) -> dict:
    _mark([found], timezone.localdate(clock.now()))
    own = request.user.org_id == found.unit_id
    return {"r": found, "commission": _is_commission(request.user),
            "may_answer": found.status == WarningStatus.OPEN and own,
            "may_close": found.status == WarningStatus.ANSWERED and _is_commission(request.user),
            "answer_form": given.get("answer") or AnswerForm(),
            "close_form": given.get("close") or CloseForm()}  # fmt: skip


ACTIONS = {
    "answer": (AnswerForm, lambda u, r, d: reminders.answer(u, r, d["text"])),
    "close": (CloseForm, lambda u, r, d: reminders.close(u, r, d["note"])),
}


@require_POST
@login_required
def reminder_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    found = task_selectors.reminder_detail(request.user, pk)
    form_class, act = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(request.user, found, form.cleaned_data)
            return redirect("supervision:reminder", pk=pk)
        except BusinessError as exc:
            form.add_error(None, exc.message)
    found = task_selectors.reminder_detail(request.user, pk)
    context = _context(request, found, **{action: form})
    return render(request, "supervision/reminder_detail.html", context, status=422)
