"""统一填报 (/supervision/inbox/): a town's or village's one inbox of every registered demand on
it, due this week first, and a month calendar; and the fill page of one period
(/supervision/fill/<task>/<period>/), pre-filled, with the Excel template and import.

Whose inbox: inbox.may_open (the district roles open any unit's with ?org=<code>). The rules:
supervision.inbox, filling, excel.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huying.core import clock
from huying.core.errors import BusinessError
from huying.orgs.models import Org
from huying.supervision import excel, filling, inbox, task_selectors


def _today() -> date:
    return timezone.localdate(clock.now())


def _unit(request) -> Org:
    code = request.GET.get("org")
    unit = Org.objects.filter(code=code).first() if code else request.user.org
    if unit is None or not (unit.is_town or unit.is_village):
        if request.user.sees_whole_district and not code:
            return None
        raise Http404(_("未找到，或不在您的可见范围内"))
    if not inbox.may_open(request.user, unit):
        raise Http404(_("未找到，或不在您的可见范围内"))
    return unit


def _month(text: str | None, today: date) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        date(year, month, 1)
    except ValueError:
        return today.year, today.month
    return year, month


@require_GET
@login_required
def inbox_page(request):
    today = _today()
    unit = _unit(request)
    towns = (
        Org.objects.filter(kind__in=("town", "street")) if request.user.sees_whole_district else ()
    )
    if unit is None:
        return render(request, "supervision/inbox.html", {"unit": None, "towns": towns})
    year, month = _month(request.GET.get("month"), today)
    context = {
        "unit": unit, "towns": towns, "week": inbox.due_this_week(unit, today),
        "grid": inbox.month_grid(unit, year, month, today), "month": date(year, month, 1),
        "prev": date(*inbox.shift_month(year, month, -1), 1),
        "next": date(*inbox.shift_month(year, month, 1), 1), "today": today,
    }  # fmt: skip
    return render(request, "supervision/inbox.html", context)


def _submission(request, task_id: int, period: str):
    task = task_selectors.task_detail(request.user, task_id)
    try:
        day = date.fromisoformat(period)
    except ValueError as exc:
        raise Http404(_("未找到，或不在您的可见范围内")) from exc
    try:
        return filling.start_submission(request.user, task, day)
    except BusinessError as exc:
        raise Http404(exc.message) from exc


def _fill_context(submission, errors=None, posted=None) -> dict:
    rows = filling.rows(submission)
    for row in rows:
        if posted is not None:
            row["value"] = posted.get(str(row["id"]), row["value"])
        row["error"] = (errors or {}).get(row["name"], "")
        row["corrected"] = bool(row["prefilled"]) and row["value"] != row["prefilled"]
    prefilled = sum(1 for r in rows if r["prefilled"])
    return {"submission": submission, "task": submission.task, "rows": rows,
            "due": inbox.due_on(submission.task, submission.period), "prefilled": prefilled,
            "sheet_errors": []}  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def fill_page(request, task_id: int, period: str):
    submission = _submission(request, task_id, period)
    if request.method == "GET":
        return render(request, "supervision/fill.html", _fill_context(submission))
    values = {k.removeprefix("f-"): v for k, v in request.POST.items() if k.startswith("f-")}
    try:
        if request.POST.get("action") == "draft":
            filling.save_draft(request.user, submission, values)
            messages.success(request, _("已暂存"))
        else:
            filling.submit(request.user, submission, values)
            messages.success(request, _("已报送"))
    except filling.FillErrors as exc:
        errors = {e["field"]: e["message"] for e in exc.errors}
        context = _fill_context(submission, errors, values)
        return render(request, "supervision/fill.html", context, status=422)
    except BusinessError as exc:
        messages.error(request, exc.message)
    return redirect("supervision:fill", task_id=task_id, period=period)


@require_GET
@login_required
def fill_template(request, task_id: int, period: str):
    submission = _submission(request, task_id, period)
    response = HttpResponse(excel.template(submission), content_type=excel.XLSX)
    name = f"{submission.task.code}-{submission.period:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_POST
@login_required
def fill_import(request, task_id: int, period: str):
    submission = _submission(request, task_id, period)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise excel.SheetErrors(
                [{"row": None, "column": "", "message": _("请上传 Excel 文件（.xlsx）")}]
            )
        excel.import_sheet(request.user, submission, upload, send=False)
    except excel.SheetErrors as exc:
        lines = [excel.describe(e) for e in exc.errors]
        context = {**_fill_context(submission), "sheet_errors": lines}
        return render(request, "supervision/fill.html", context, status=422)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:fill", task_id=task_id, period=period)
    messages.success(request, _("已从 Excel 导入，请核对后报送"))
    return redirect("supervision:fill", task_id=task_id, period=period)
