"""The call page's action forms: one per action, each running the ONE service it names.

The forms collect and shape input (numbers, a department picked from a list, files); the rules
(a reason is required, ratings are 1 to 5, who may act, which state allows what) are the
services', and their errors land on the field they name. Files are staged and the action run in
one transaction, so a refusal leaves no row behind, and the staged files are deleted from disk.
"""

from collections.abc import Sequence

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from huying.calls import attachments, meetings, services
from huying.calls.action_fields import (
    DepartmentChoice,
    DepartmentsChoice,
    FilesField,
    stars_field,
    text_field,
)
from huying.calls.call_forms import FORM_FIELDS
from huying.calls.models import Call
from huying.core.errors import BusinessError
from huying.orgs.models import Org, User


class ActionForm(forms.Form):
    """One action on one call; `perform` calls its service, `success` is said afterwards."""

    action = ""  # the URL's name for it: /calls/<pk>/<action>/
    label = ""
    success = ""
    has_files = False
    star_fields: tuple[str, ...] = ()  # scores shown as a row of big star buttons

    def __init__(self, *args, call: Call, departments: Sequence[Org] = (), **kwargs):
        # Several forms share a page and field names (note, reason): ids carry the action.
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.call = call
        for field in self.fields.values():
            if isinstance(field, DepartmentChoice | DepartmentsChoice):
                field.set_departments(departments)

    def add_service_error(self, exc: BusinessError) -> None:
        """Show a service's refusal next to the field it names (or above the form)."""
        field = FORM_FIELDS.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, exc.message)

    def perform(self, actor: User) -> None:
        raise NotImplementedError

    def _files(self) -> list[UploadedFile]:
        return self.cleaned_data.get("files") or []


class RespondForm(ActionForm):
    action = "respond"
    label, success = _("签收响应"), _("已签收")
    note = text_field(_("签收说明（选填）"), rows=2)

    def perform(self, actor):
        services.respond(actor=actor, call=self.call, note=self.cleaned_data["note"])


class ProgressForm(ActionForm):
    action = "progress"
    label, success, has_files = _("反馈进展"), _("已反馈进展"), True
    note = text_field(_("进展情况"))
    files = FilesField()

    def perform(self, actor):
        attachments.with_uploads(
            actor,
            self._files(),
            lambda ids: services.report_progress(
                actor=actor, call=self.call, note=self.cleaned_data["note"], attachment_ids=ids
            ),
        )


class ResolveForm(ActionForm):
    action = "resolve"
    label, success, has_files = _("办结"), _("已报办结，等待呼叫单位确认"), True
    result = text_field(_("办理结果"))
    files = FilesField()

    def perform(self, actor):
        attachments.with_uploads(
            actor,
            self._files(),
            lambda ids: services.resolve(
                actor=actor, call=self.call, result=self.cleaned_data["result"], attachment_ids=ids
            ),
        )


class ReturnForm(ActionForm):
    action = "return"
    label, success, has_files = _("退回"), _("已退回，等待指挥中心裁决"), True
    reason = text_field(_("退回理由"))
    files = FilesField()

    def perform(self, actor):
        attachments.with_uploads(
            actor,
            self._files(),
            lambda ids: services.return_call(
                actor=actor, call=self.call, reason=self.cleaned_data["reason"], attachment_ids=ids
            ),
        )


class ConfirmForm(ActionForm):
    """The service takes a confirmation without a rating (the API allows it); the page asks
    for the three scores, since the town's rating is half of a department's assessment."""

    action = "confirm"
    label, success = _("确认办结并评价"), _("已确认办结，评价已记录")
    star_fields = ("satisfaction", "timeliness", "attitude")
    satisfaction = stars_field(_("满意度"))
    timeliness = stars_field(_("及时性"))
    attitude = stars_field(_("服务态度"))
    perfunctory = forms.BooleanField(label=_("应付式响应"), required=False)
    perfunctory_reason = text_field(_("应付式响应的理由（勾选时必填）"), rows=2)
    note = text_field(_("确认意见（选填）"), rows=2)

    def perform(self, actor):
        data = self.cleaned_data
        rating = services.RatingInput(
            satisfaction=data["satisfaction"],
            timeliness=data["timeliness"],
            attitude=data["attitude"],
            perfunctory=data["perfunctory"],
            perfunctory_reason=data["perfunctory_reason"],
        )
        services.confirm(actor=actor, call=self.call, note=data["note"], rating=rating)


class RejectForm(ActionForm):
    action = "reject"
    label, success, has_files = _("不满意，退回重办"), _("已退回重办"), True
    reason = text_field(_("不满意的原因"))
    files = FilesField()

    def perform(self, actor):
        attachments.with_uploads(
            actor,
            self._files(),
            lambda ids: services.reject(
                actor=actor, call=self.call, reason=self.cleaned_data["reason"], attachment_ids=ids
            ),
        )


class WithdrawForm(ActionForm):
    action = "withdraw"
    label, success = _("撤回呼叫"), _("已撤回呼叫")
    reason = text_field(_("撤回原因（选填）"), rows=2)

    def perform(self, actor):
        services.withdraw(actor=actor, call=self.call, reason=self.cleaned_data["reason"])


class TransferForm(ActionForm):
    action = "transfer"
    label, success = _("转办"), _("已转办")
    department = DepartmentChoice(
        label=_("转给部门"),
        blank_label=_("请选择部门"),
        error_messages={"required": _("请选择部门")},
    )
    note = text_field(_("转办说明（选填）"), rows=2)

    def perform(self, actor):
        data = self.cleaned_data
        services.transfer(
            actor=actor, call=self.call, department=data["department"], note=data["note"]
        )


class ArbitrateForm(ActionForm):
    action = "arbitrate"
    label, success = _("裁决退回"), _("已裁决")
    decision = forms.ChoiceField(
        label=_("裁决"),
        choices=[("uphold", _("维持原部门")), ("reroute", _("改派其他部门"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择维持或改派")},
    )
    department = DepartmentChoice(
        label=_("改派给（改派时选择）"), required=False, blank_label=_("请选择部门")
    )
    note = text_field(_("裁决说明（选填）"), rows=2)

    def perform(self, actor):
        data = self.cleaned_data
        uphold = data["decision"] == "uphold"
        services.arbitrate(
            actor=actor,
            call=self.call,
            uphold=uphold,
            department=None if uphold else data["department"],
            note=data["note"],
        )


class UrgeForm(ActionForm):
    action = "urge"
    label, success = _("督办"), _("已督办")
    level = forms.TypedChoiceField(
        label=_("督办级别"),
        choices=[(1, _("一级督办")), (2, _("二级督办"))],
        coerce=int,
        initial=1,
        widget=forms.RadioSelect,
    )
    note = text_field(_("督办意见（选填）"), rows=2)

    def perform(self, actor):
        data = self.cleaned_data
        services.urge(actor=actor, call=self.call, level=data["level"], note=data["note"])


class ConveneForm(ActionForm):
    action = "convene"
    label, success = _("召集协调会"), _("已召集协调会，已通知参会部门")
    starts_at = forms.DateTimeField(
        label=_("会议时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("会议地点"), max_length=200, required=False)
    departments = DepartmentsChoice(label=_("参会部门（至少两个）"), required=False)
    note = text_field(_("会议说明（选填）"), rows=2)

    def __init__(self, *args, call: Call, departments: Sequence[Org] = (), **kwargs):
        # The departments already on the call are ticked to start with, and listed first.
        on_call = [a.department_id for a in call.assignments.all() if a.is_active]
        kwargs.setdefault("initial", {}).setdefault("departments", [str(pk) for pk in on_call])
        departments = sorted(departments, key=lambda d: d.pk not in on_call)
        super().__init__(*args, call=call, departments=departments, **kwargs)

    def perform(self, actor):
        data = self.cleaned_data
        meetings.convene(
            actor=actor,
            call=self.call,
            starts_at=data["starts_at"],
            place=data["place"],
            departments=data["departments"],
            note=data["note"],
        )


FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        RespondForm,
        ProgressForm,
        ResolveForm,
        ReturnForm,
        ConfirmForm,
        RejectForm,
        WithdrawForm,
        TransferForm,
        ArbitrateForm,
        UrgeForm,
        ConveneForm,
    )
}
