"""数据导入 (/datahub/loads/): the loads with their status, progress and findings (polled while
one runs), a load's problems, and the upload form that queues a load for the worker.

Loads are the command centre's and the administrators' (privacy.LOAD_ROLES); others get 404.
"""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from huying.calls.views.polling import refresh_when_signed_out
from huying.core.errors import BusinessError
from huying.core.idnumbers import LABELS
from huying.core.permissions import require_roles
from huying.datahub import hub_selectors as selectors
from huying.datahub import loading
from huying.datahub.choices import LoadOrigin, LoadStatus, Source
from huying.datahub.privacy import LOAD_ROLES

PAGE_SIZE = 30
RUNNING = (LoadStatus.QUEUED, LoadStatus.RUNNING)
UPLOADABLE = (".csv", ".parquet")
# The files of one load, in the load format's order (docs/load-format.md).
UPLOAD_SOURCES = (
    Source.DWELLINGS,
    Source.DOOR_ACCESS_CARDS,
    Source.DOOR_ACCESS_EVENTS,
    Source.PUBLIC_SECURITY_PERSONS,
    Source.MIGRANT_REGISTRATIONS,
)


class UploadForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for source in UPLOAD_SOURCES:
            self.fields[source.value] = forms.FileField(
                label=f"{source.label}（{source.value}.csv）", required=False
            )

    def clean(self):
        data = super().clean()
        files = {s.value: data.get(s.value) for s in UPLOAD_SOURCES if data.get(s.value)}
        if not files:
            raise forms.ValidationError(_("请至少选择一个文件"))
        for name, upload in files.items():
            if Path(upload.name).suffix.lower() not in UPLOADABLE:
                self.add_error(name, _("只接受 CSV 或 Parquet 文件"))
        data["files"] = files
        return data


def save_upload(files: dict) -> Path:
    """The uploaded files as a load folder, each named after its source."""
    folder = Path(settings.DATAHUB_DIR) / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    for source, upload in files.items():
        suffix = Path(upload.name).suffix.lower()
        with (folder / f"{source}{suffix}").open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
    return folder


@require_GET
@require_roles(*LOAD_ROLES)
@refresh_when_signed_out
def load_list(request):
    page = Paginator(selectors.loads(), PAGE_SIZE).get_page(request.GET.get("page"))
    for load in page.object_list:
        load.findings_total = sum(sum(f.findings.values()) for f in load.files.all())
    context = {
        "page": page,
        "running": selectors.loads().filter(status__in=RUNNING).exists(),
    }
    if request.htmx:
        return render(request, "datahub/loads/_list.html", context)
    context["form"] = UploadForm()
    return render(request, "datahub/loads/list.html", context)


@require_GET
@require_roles(*LOAD_ROLES)
@refresh_when_signed_out
def load_detail(request, pk: int):
    load = selectors.load_for(request.user, pk)
    files = list(load.files.order_by("source"))
    for f in files:
        f.findings_list = [
            (LABELS.get(code, code), n)
            for code, n in sorted(f.findings.items(), key=lambda kv: -kv[1])
        ]
    context = {"load": load, "files": files, "running": load.status in RUNNING}
    if request.htmx:
        return render(request, "datahub/loads/_status.html", context)
    return render(request, "datahub/loads/detail.html", context)


@require_http_methods(["POST"])
@require_roles(*LOAD_ROLES)
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        folder = save_upload(form.cleaned_data["files"])
        try:
            load = loading.submit_load(
                folder=folder, actor=request.user, origin=LoadOrigin.UPLOAD,
                label=form.cleaned_data["label"],
            )  # fmt: skip
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已提交第 %(pk)s 批，后台导入中") % {"pk": load.pk})
            return redirect("datahub:load", pk=load.pk)
    page = Paginator(selectors.loads(), PAGE_SIZE).get_page(1)
    running = selectors.loads().filter(Q(status__in=RUNNING)).exists()
    context = {"page": page, "running": running, "form": form}
    return render(request, "datahub/loads/list.html", context, status=400)
