"""What an inspector says of a household's occupants, checked before it is stored.

Each entry is one occupant: a hub resident of this dwelling confirmed, corrected (信息有误:
the new name, ID number or phone) or gone, or a new occupant (perhaps a resident the hub knows,
found by the ID number typed on the spot). Errors name the entry: `occupants.N.field`, so the
page (and a patrol device) can point at the very field.
"""

from collections.abc import Iterable, Mapping

from huying.core.errors import Invalid
from huying.core.idnumbers import check_id_number, check_phone
from huying.datahub.hub_selectors import residents_visible_to
from huying.datahub.models import Occupancy
from huying.patrol.choices import OccupantOutcome

MAX_OCCUPANTS = 100
KNOWN = (OccupantOutcome.CONFIRMED, OccupantOutcome.DIFFERS, OccupantOutcome.MOVED_OUT)
CORRECTABLE = ("name", "id_number", "phone")


def clean(inspector, dwelling, occupants: Iterable[Mapping]) -> list[dict]:
    """The entries as VisitOccupant fields, or Invalid naming the first wrong field."""
    entries = list(occupants)
    if not entries:
        return []
    if len(entries) > MAX_OCCUPANTS:
        raise Invalid(f"一户最多登记 {MAX_OCCUPANTS} 名住户", field="occupants")
    living = set(Occupancy.objects.filter(dwelling=dwelling).values_list("resident_id", flat=True))
    residents = _residents(inspector, [e.get("resident") for e in entries])
    seen: set[int] = set()
    return [_clean_one(i, e, living, residents, seen) for i, e in enumerate(entries)]


def _residents(inspector, ids: list) -> dict:
    wanted = {int(i) for i in ids if i}
    found = residents_visible_to(inspector).filter(pk__in=wanted)
    return {r.pk: r for r in found.only("pk", "name", "id_number", "phone")}


def _clean_one(i: int, entry: Mapping, living: set, residents: dict, seen: set) -> dict:
    def fail(field: str, message: str):
        raise Invalid(message, field=f"occupants.{i}.{field}")

    outcome = entry.get("outcome")
    if outcome not in OccupantOutcome.values:
        fail("outcome", "核查结果应为 信息一致、信息有误、已搬离 或 新增住户")
    resident = residents.get(int(entry["resident"])) if entry.get("resident") else None
    if entry.get("resident") and resident is None:
        fail("resident", "未找到该人员，或不在您的可见范围内")
    if outcome in KNOWN and (resident is None or resident.pk not in living):
        fail("resident", "请指明是本户登记的哪位住户")
    if resident is not None:
        if resident.pk in seen:
            fail("resident", "同一住户出现了两次")
        seen.add(resident.pk)
    values = {f: str(entry.get(f) or "").strip() for f in CORRECTABLE}
    values["id_number"] = _id_number(values["id_number"], fail)
    values["phone"] = _phone(values["phone"], fail)
    if len(values["name"]) > 50:
        fail("name", "姓名太长")
    details = {}
    if outcome == OccupantOutcome.NEW and not values["name"]:
        fail("name", "请填写新住户的姓名")
    if outcome == OccupantOutcome.DIFFERS:
        details = {"corrected": _corrected(resident, values)}
        if not details["corrected"]:
            fail("name", "信息有误时，请填写正确的姓名、身份证号或电话")
    return {"resident": resident, "outcome": outcome, "details": details, **values}


def _id_number(raw: str, fail) -> str:
    if not raw:
        return ""
    check = check_id_number(raw)
    if not check.valid:
        fail("id_number", next(f.message for f in check.findings if f.severity == "error"))
    return check.number


def _phone(raw: str, fail) -> str:
    phone, finding = check_phone(raw)
    if finding is not None:
        fail("phone", finding.message)
    return phone


def _corrected(resident, values: dict) -> list[str]:
    """The fields the inspector gave a value for that differs from what the hub holds."""
    return [f for f in CORRECTABLE if values[f] and values[f] != (getattr(resident, f) or "")]
