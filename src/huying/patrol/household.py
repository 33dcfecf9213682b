"""Reads behind the household page (/patrol/households/<pk>/) and its ID check.

Who sees a household: the inspector whose area holds it (and who alone records visits there),
that area's supervisor and the command centre (read-only). Anyone else gets 404, audited
(scoping.get_visible_or_404). Every look at the occupants is logged (privacy.log_access), as
the hub's dwelling page does; so is every ID number looked up on the spot.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from huying.core import idnumbers
from huying.core.scoping import get_visible_or_404
from huying.datahub import hub_selectors, privacy
from huying.datahub.models import AccessKind, AccessVia, Dwelling, Resident
from huying.orgs.choices import Role
from huying.patrol import areas
from huying.patrol.models import PatrolArea, Visit

MAX_HINTS = 4  # more candidate digits than this say nothing useful to the inspector


def households_visible_to(user) -> QuerySet[Dwelling]:
    if not user.is_authenticated:
        return Dwelling.objects.none()
    if areas.is_command(user):
        return Dwelling.objects.all()
    mine = PatrolArea.objects.filter(Q(inspector=user) | Q(supervisor=user))
    listed = PatrolArea.dwellings.through.objects.filter(patrolarea__in=mine)
    villages = PatrolArea.villages.through.objects.filter(patrolarea__in=mine)
    return Dwelling.objects.filter(
        Q(pk__in=listed.values("dwelling_id")) | Q(village__in=villages.values("org_id"))
    )


def household_for(user, pk: int) -> Dwelling:
    visible = households_visible_to(user).select_related("town", "village")
    return get_visible_or_404(visible, user, pk=pk)


def may_record(user, dwelling: Dwelling) -> bool:
    """Only the inspector whose area holds the dwelling records a visit there."""
    if user.role != Role.INSPECTOR:
        return False
    return areas.area_dwellings(areas.area_of(user)).filter(pk=dwelling.pk).exists()


@dataclass
class Occupant:
    resident_id: int
    name: str
    gender: str
    id_masked: str
    phone_masked: str
    basis: str


def occupants(user, dwelling: Dwelling, *, via: str = AccessVia.PAGE) -> list[Occupant]:
    """The dwelling's occupants as the hub knows them, masked; the look is logged."""
    rows = hub_selectors.occupants(dwelling)
    people: dict[int, Occupant] = {}
    for row in rows:  # a person may live here on two grounds (registration, door card)
        r = row.resident
        people.setdefault(r.pk, Occupant(
            r.pk, r.name, r.gender, privacy.masked(r, "id_number"), privacy.masked(r, "phone"),
            row.get_basis_display(),
        ))  # fmt: skip
    privacy.log_access(
        user, sorted(people), kind=AccessKind.VIEW, purpose=_("巡查核查住户"),
        fields=["name", "id_number", "phone"], via=via,
    )  # fmt: skip
    return list(people.values())


def recent_visits(dwelling: Dwelling, limit: int = 50) -> list[Visit]:
    visits = Visit.objects.filter(dwelling=dwelling).order_by("-visited_at", "-pk")[:limit]
    return list(visits.prefetch_related("occupants", "photos"))


def owner(dwelling: Dwelling) -> dict:
    return {
        "name": dwelling.owner_name,
        "id_masked": privacy.masked(dwelling, "owner_id_number"),
        "phone_masked": privacy.masked(dwelling, "owner_phone"),
    }


def overcrowded(dwelling: Dwelling, count: int) -> bool:
    return dwelling.max_occupants is not None and count > dwelling.max_occupants


# --- the ID number typed on the spot ------------------------------------------------------------


@dataclass
class IdFound:
    check: idnumbers.IdCheck
    hints: list[str]
    resident: Resident | None


def id_check(
    user, raw: str, *, resident_id: int | None = None, birth_date=None, via: str = AccessVia.API
) -> IdFound:
    """What is wrong with a typed ID number (in Chinese, with the digit probably mistyped), and
    if it is sound, the hub's resident of that number in the user's view (the lookup logged).

    A birth date (typed, or the hub's for the resident being corrected) narrows which digit is
    wrong to one, most of the time; without it a check digit fits about ten single changes."""
    gender = None
    if resident_id is not None:
        known = hub_selectors.resident_for(user, resident_id)  # 404, audited, outside the view
        birth_date, gender = birth_date or known.birth_date, known.gender or None
    check = idnumbers.check_id_number(raw, birth_date=birth_date, gender=gender)
    if not check.valid:
        return IdFound(check, _hints(check, birth_date, gender), None)
    found = hub_selectors.search(user, check.number)  # a full ID: 403 for roles that may not
    privacy.log_access(
        user, [r.pk for r in found.residents], kind=AccessKind.SEARCH,
        purpose=_("巡查现场核验身份证号"), fields=["name", "id_number", "phone"], via=via,
    )  # fmt: skip
    return IdFound(check, [], found.residents[0] if found.residents else None)


def _hints(check: idnumbers.IdCheck, birth_date, gender) -> list[str]:
    """Which digit is probably wrong, when the check digit says one is."""
    if "checksum" not in check.codes:
        return []
    fixes = idnumbers.corrections(check.number, birth_date=birth_date, gender=gender)
    if len(fixes) == 1:
        return [fixes[0].describe]
    positions = sorted({p for fix in fixes for p in fix.positions})
    if not positions or len(positions) > MAX_HINTS:
        return [_("请逐位核对证件上的号码（填写出生日期可帮助指出录错的位）")]
    listed = "、".join(str(p) for p in positions)
    return [_("可能录错的是第 %(positions)s 位，请对照证件核对") % {"positions": listed}]
