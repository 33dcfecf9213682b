"""Who sees what of a person, and the trail every look leaves.

| role | hub pages | ID, phone | reveal, full-ID search, unmasked export |
| --- | --- | --- | --- |
| caller (town / village) | people, differences | masked | no |
| inspector (own area) | people, differences | masked | yes, with a reason |
| operator (command centre) | all, and loads | masked | yes, with a reason |
| supervisor (commission) | people, differences | masked | yes, with a reason |
| leader | people, differences | masked | no |
| admin | all, and loads | masked | yes, with a reason |
| responder, dept. head | none (404) | — | — |

Masked is the default on every path (pages, API, Excel). Revealing is one field of one person
at a time, needs a reason, is audited (`datahub.reveal`) and logged in PersonAccess. "Own
area" is scoping's (`hub_selectors.residents_visible_to`): a resident outside it is 404 before
any of this is asked.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction

from huying.core import audit, clock
from huying.core.errors import Forbidden, Invalid
from huying.core.masking import mask_id_number, mask_phone
from huying.datahub.models import AccessVia, Dwelling, PersonAccess, Resident
from huying.orgs.choices import Role

HUB_ROLES = frozenset(
    {Role.CALLER, Role.INSPECTOR, Role.OPERATOR, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}
)
LOAD_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
REVEAL_ROLES = frozenset({Role.INSPECTOR, Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN})
# Who moves discrepancies on (the services also check the item is in the user's view).
DISCREPANCY_ACTORS = frozenset({Role.CALLER, Role.INSPECTOR, Role.OPERATOR, Role.ADMIN})

# The fields that are masked, per kind of object, and how.
SENSITIVE = {
    Resident: {"id_number": mask_id_number, "phone": mask_phone},
    Dwelling: {"owner_id_number": mask_id_number, "owner_phone": mask_phone},
}
MAX_REASON = 300


def may_reveal(user) -> bool:
    return user.role in REVEAL_ROLES


def masked(obj, field: str) -> str:
    return SENSITIVE[type(obj)][field](getattr(obj, field) or "")


def reveal(user, obj: Resident | Dwelling, field: str, reason: str, *, via=AccessVia.PAGE) -> str:
    """The unmasked value of one sensitive field; the caller has already checked `obj` is in
    the user's view (404 otherwise)."""
    fields = SENSITIVE.get(type(obj), {})
    if field not in fields:
        raise Invalid("只能查看身份证号或电话的完整内容", field="field")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请说明查看完整信息的理由", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(f"理由不能超过 {MAX_REASON} 个字", field="reason")
    if not may_reveal(user):
        raise Forbidden("您的角色不能查看完整的身份证号和电话")
    resident = obj if isinstance(obj, Resident) else None
    with transaction.atomic():
        log_access(user, resident=resident, purpose=reason, fields=[field], via=via, unmasked=True)
        audit.record("datahub.reveal", actor=user, obj=obj, after={"field": field}, reason=reason)
    return getattr(obj, field) or ""


def log_access(
    user,
    *,
    purpose: str,
    fields: list[str],
    via: str,
    resident: Resident | None = None,
    resident_ids: list[int] = (),
    unmasked: bool = False,
) -> PersonAccess:
    return PersonAccess.objects.create(
        at=clock.now(),
        user=user,
        user_name=audit.actor_display_name(user)[:150],
        org_id=user.org_id,
        resident=resident,
        resident_ids=list(resident_ids),
        purpose=purpose[:300],
        fields=fields,
        unmasked=unmasked,
        via=via,
    )


def log_many(
    user, residents: list[Resident], *, purpose: str, fields: list[str], via: str,
    unmasked: bool = False,
) -> int:  # fmt: skip
    """One row per resident (an export): each resident's page then lists it."""
    now, name = clock.now(), audit.actor_display_name(user)[:150]
    rows = [
        PersonAccess(
            at=now,
            user=user,
            user_name=name,
            org_id=user.org_id,
            resident=r,
            purpose=purpose[:300],
            fields=fields,
            unmasked=unmasked,
            via=via,
        )
        for r in residents
    ]
    PersonAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def access_log(resident: Resident, limit: int = 50) -> list[PersonAccess]:
    """Who looked at this resident's data, newest first; each entry's `field_labels` names
    the fields returned the way the page names them (姓名, 身份证号…)."""
    entries = list(
        PersonAccess.objects.filter(resident=resident)
        .select_related("org")
        .order_by("-at", "-id")[:limit]
    )
    for entry in entries:
        entry.field_labels = [field_label(name) for name in entry.fields]
    return entries


def field_label(name: str) -> str:
    try:
        return str(Resident._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
