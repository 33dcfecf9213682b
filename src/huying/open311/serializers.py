"""GeoReport v2 records: a matter as a service, a call as a service request (plain dicts in
the specification's field order, rendered as JSON or XML by `renderers`).

No personal data: no caller or user appears, and a request's description is the call's title
only (the free-text description may name people), with any phone or ID number masked.
"""

from datetime import datetime

from django.utils import timezone

from huying.calls import selectors as call_selectors
from huying.calls.models import Call, Matter
from huying.core.masking import mask_in_text
from huying.open311.selectors import CLOSED_STATUSES, FREE_FORM_CODE

FREE_FORM_SERVICE = {
    "service_code": FREE_FORM_CODE,
    "service_name": "自由呼叫",
    "description": "未对应专项清单事项的呼叫，由区指挥中心分派承办部门",
    "metadata": False,
    "type": "realtime",
    "keywords": "自由呼叫",
    "group": "指挥中心分派",
}


def w3c(moment: datetime | None) -> str | None:
    """W3C datetime in Beijing time with its offset (2026-11-16T09:00:00+08:00)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def service(matter: Matter) -> dict:
    domain = str(matter.get_domain_display())
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": matter.description,
        "metadata": False,  # no attributes to fill in: this is the read side
        "type": "realtime",
        "keywords": domain,
        "group": domain,
    }


def service_definition(code: str) -> dict:
    return {"service_code": code, "attributes": []}


def _status_notes(call: Call) -> str:
    note = str(call.get_status_display())
    if call.urge_level:
        note += "；已二级督办" if call.urge_level >= 2 else "；已督办"
    return note


def service_request(call: Call) -> dict:
    matter, lead = call.matter, call.lead_department
    return {
        "service_request_id": call.number,
        "status": "closed" if call.status in CLOSED_STATUSES else "open",
        "status_notes": _status_notes(call),
        "service_name": matter.name if matter else FREE_FORM_SERVICE["service_name"],
        "service_code": matter.code if matter else FREE_FORM_CODE,
        "description": mask_in_text(call.title),
        "agency_responsible": lead.name if lead else "",
        "service_notice": "",
        "requested_datetime": w3c(call.called_at),
        "updated_datetime": w3c(call.updated_at),
        # The running deadline; once no clock runs, the resolution deadline it was held to.
        "expected_datetime": w3c(call_selectors.current_due_at(call) or call.resolution_due_at),
        "address": mask_in_text(call.address),
        "address_id": "",
        "zipcode": "",
        "lat": None if call.lat is None else float(call.lat),
        "long": None if call.lon is None else float(call.lon),
        "media_url": "",
    }
