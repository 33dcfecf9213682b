"""填表报数任务 (/supervision/tasks/): a department's tasks and the form to draft a new one
(field rows added and removed in the page, recipients picked by town with its villages); a
task's page with its fields (those the hub already shares marked), the burden checks' flags
with their evidence and a box to justify each, registering, and who has sent what.

Who sees which task: task_selectors; the rules: supervision.tasks.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huying.core import clock
from huying.core.errors import BusinessError
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org
from huying.supervision import inbox, task_selectors, tasks
from huying.supervision.choices import FieldType, Frequency, TaskStatus

TOWN_KINDS = (OrgKind.TOWN, OrgKind.STREET)


def _towns() -> list[tuple[Org, list[Org]]]:
    """Towns with their villages, for the recipients picker."""
    orgs = list(Org.objects.filter(kind__in=tasks.RECIPIENT_KINDS, is_active=True).order_by("path"))
    villages: dict[int, list[Org]] = {}
    for org in orgs:
        if org.kind not in TOWN_KINDS:
            villages.setdefault(org.parent_id, []).append(org)
    return [(t, villages.get(t.pk, [])) for t in orgs if t.kind in TOWN_KINDS]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str) -> int | None:
    return int(text) if (text or "").strip().isdigit() else None


def _posted_task(post) -> dict:
    names, meanings, kinds = (
        post.getlist(k) for k in ("field_name", "field_meaning", "field_type")
    )
    rows = [{"name": n, "meaning": m, "field_type": k}
            for n, m, k in zip(names, meanings, kinds, strict=False) if n.strip()]  # fmt: skip
    return {
        "title": post.get("title", ""), "basis": post.get("basis", ""),
        "frequency": post.get("frequency", ""), "due_day": _int(post.get("due_day", "")),
        "due_date": _date(post.get("due_date", "")), "starts_on": _date(post.get("starts_on", "")),
        "ends_on": _date(post.get("ends_on", "")), "guidance": post.get("guidance", ""),
        "recipients": [int(i) for i in post.getlist("recipients") if i.isdigit()], "fields": rows,
    }  # fmt: skip


def _list_context(request, data=None, error=None) -> dict:
    may_issue = (
        request.user.role in tasks.STAFF
        and request.user.org
        and (request.user.org.kind == OrgKind.DEPARTMENT)
    )
    wanted = task_selectors.TaskFilter(status=request.GET.get("status") or None)
    return {
        "tasks": task_selectors.task_list(request.user, wanted)[:200],
        "may_issue": may_issue, "towns": _towns() if may_issue else [],
        "frequencies": Frequency.choices, "field_types": FieldType.choices,
        "statuses": TaskStatus.choices, "status": request.GET.get("status", ""),
        "data": data or {"fields": [{"name": "", "meaning": "", "field_type": "number"}],
                         "frequency": "monthly", "recipients": []},
        "error": error,
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def task_list(request):
    if request.method == "GET":
        return render(request, "supervision/task_list.html", _list_context(request))
    data = _posted_task(request.POST)
    try:
        task = tasks.create_task(request.user, data)
    except BusinessError as exc:
        context = _list_context(request, data, exc)
        return render(request, "supervision/task_list.html", context, status=exc.status)
    messages.success(request, _("已保存草稿，请运行负担检查"))
    return redirect("supervision:task", pk=task.pk)


@require_GET
@login_required
def task_detail(request, pk: int):
    task = task_selectors.task_detail(request.user, pk)
    today = timezone.localdate(clock.now())
    issuer = request.user.org_id == task.issuer_id
    context = {
        "task": task, "fields": task.fields.all(), "flags": task.flags.all(), "issuer": issuer,
        "editable": task.status in tasks.EDITABLE,
        "progress": inbox.progress(task, today) if task.status == TaskStatus.REGISTERED else [],
    }  # fmt: skip
    return render(request, "supervision/task_detail.html", context)


@require_POST
@login_required
def task_act(request, pk: int, action: str):
    task = task_selectors.task_detail(request.user, pk)
    try:
        if action == "check":
            tasks.require_issuer(request.user, task)
            flags = tasks.check_task(task)
            messages.success(request, _("检查完成，发现 %(n)s 项") % {"n": len(flags)})
        elif action == "register":
            tasks.register(request.user, task)
            messages.success(request, _("已登记，任务已进入各填报单位的统一填报"))
        elif action == "justify":
            flag = task_selectors.flag_for_issuer(
                request.user, _int(request.POST.get("flag", "")) or 0
            )
            tasks.justify(request.user, flag, request.POST.get("text", ""))
            messages.success(request, _("已说明"))
    except BusinessError as exc:
        messages.error(request, exc.message)
    return redirect("supervision:task", pk=pk)
