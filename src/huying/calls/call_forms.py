"""The forms of the caller's pages: a new call (also a village's request) and a town's forward.

The forms only collect and shape input (lengths the columns hold, numbers, files); the rules
(title and description required, domain required for a free-form call, an active matter, the
calling right) are the services', and their errors land on the field they name.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from huying.calls import attachments, selectors, services
from huying.calls.choices import Domain, Urgency
from huying.calls.models import Matter, VillageRequest
from huying.core.errors import BusinessError, Invalid

FREE_FORM = ""  # the picker's value for "no matter: the command centre routes the call"
# Where a service's field lands in the form (a refused photo belongs to the file input).
FORM_FIELDS = {"file": "files", "attachment_ids": "files"}
SIX_PLACES = Decimal("0.000001")  # the coordinate columns keep 6 decimals (about 0.1 m)


class PhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the list may be empty."""

    def __init__(self, **kwargs):
        attrs = {"accept": "image/*", "capture": "environment", "multiple": True}
        super().__init__(widget=PhotoInput(attrs=attrs), required=False, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(PhotosField, self).clean(u, initial) for u in uploads if u]
        if len(cleaned) > attachments.MAX_PER_STEP:
            raise forms.ValidationError(
                _("最多上传%(n)s张照片"), params={"n": attachments.MAX_PER_STEP}
            )
        return cleaned


def _coordinate(limit: int) -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        min_value=-limit,
        max_value=limit,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class MatterChoice(forms.Form):
    """The matter picker: a code from the special list, or FREE_FORM; a choice is required."""

    matter = forms.CharField(required=False, max_length=32)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)

    def clean_matter(self) -> Matter | None:
        if self.data.get(self.add_prefix("matter")) is None:  # no radio button ticked at all
            raise forms.ValidationError(_("请选择清单事项，或选择自由呼叫"))
        code = self.cleaned_data["matter"]
        if code == FREE_FORM:
            return None
        try:
            return selectors.matter_for_call(code)
        except Invalid as exc:
            raise forms.ValidationError(exc.message) from None

    def add_service_error(self, exc: BusinessError) -> None:
        """Show a service's refusal next to the field it names (or above the form)."""
        field = FORM_FIELDS.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, exc.message)


class CallForm(MatterChoice):
    """A new call (calls/new/) or a village's request (calls/requests/new/)."""

    title = forms.CharField(label=_("标题"), max_length=120, required=False)
    description = forms.CharField(
        label=_("情况描述"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    domain = forms.ChoiceField(
        label=_("领域"),
        required=False,
        choices=[("", _("（选清单事项时按事项确定）")), *Domain.choices],
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lat = _coordinate(90)
    lon = _coordinate(180)
    files = PhotosField(label=_("现场照片"))

    field_order = ("matter", "title", "description", "urgency", "domain", "address")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"urgency": Urgency.NORMAL})
        super().__init__(*args, **kwargs)
        self.fields["lat"].label = _("纬度")
        self.fields["lon"].label = _("经度")

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        one_only = (lat is None) != (lon is None)
        if one_only and not self.has_error("lat") and not self.has_error("lon"):
            self.add_error("lat" if lat is None else "lon", _("纬度和经度需同时填写"))
        for name in ("lat", "lon"):
            if data.get(name) is not None:
                data[name] = data[name].quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
        return data

    def new_call(self) -> services.NewCall:
        data = self.cleaned_data
        return services.NewCall(
            title=data["title"],
            description=data["description"],
            matter=data["matter"],
            urgency=data["urgency"],
            domain=data["domain"] or None,
            address=data["address"],
            lat=data["lat"],
            lon=data["lon"],
        )


class ForwardForm(MatterChoice):
    """The town forwards a village's request, rewording it or choosing the matter first."""

    title = forms.CharField(label=_("标题"), max_length=120, required=False)
    description = forms.CharField(
        label=_("情况描述"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    field_order = ("matter", "title", "description", "urgency")

    @classmethod
    def initial_for(cls, request: VillageRequest) -> dict:
        return {
            "matter": request.matter.code if request.matter_id else FREE_FORM,
            "title": request.title,
            "description": request.description,
            "urgency": request.urgency,
        }

    def edits(self, request: VillageRequest) -> services.NewCall:
        """The call as the town words it; where and which domain stay the village's."""
        data = self.cleaned_data
        return services.NewCall(
            title=data["title"],
            description=data["description"],
            matter=data["matter"],
            urgency=data["urgency"],
            domain=request.domain,
            address=request.address,
            lat=request.lat,
            lon=request.lon,
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("不予转呼的理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
