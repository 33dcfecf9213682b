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
at a time, needs a reason and is audited (`datahub.reveal`). Every look at a person (a page,
a reveal, a search, an export) is logged in PersonAccess with the residents it concerned. "Own
area" is scoping's (`hub_selectors.residents_visible_to`): a resident outside it is 404 before
any of this is asked.
"""

from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction

from huying.core import audit, clock
from huying.core.errors import Forbidden, Invalid
from huying.core.masking import mask_id_number, mask_phone
from huying.datahub.catalogue_hub import COLUMNS
from huying.datahub.models import (
    AccessKind,
    AccessVia,
    Dwelling,
    Occupancy,
    PersonAccess,
    PersonAccessSubject,
    Resident,
)
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
SUBJECT_BATCH = 1000  # subject rows per INSERT (fewer where SQLite's parameter limit says so)


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
        log_access(
            user, [resident.pk] if resident else [], kind=AccessKind.REVEAL, purpose=reason,
            fields=[field], via=via, unmasked=True,
        )  # fmt: skip
        audit.record("datahub.reveal", actor=user, obj=obj, after={"field": field}, reason=reason)
    return getattr(obj, field) or ""


def log_access(
    user,
    resident_ids: Iterable[int],
    *,
    kind: str,
    purpose: str,
    fields: list[str],
    via: str,
    unmasked: bool = False,
) -> PersonAccess:
    """One access and a subject row per resident it concerned (a page: one; a search: each
    one returned; an export: every one in the file): two INSERTs, however many residents.
    The purpose never carries a search's query (it may be a full ID number)."""
    now = clock.now()
    with transaction.atomic():
        access = PersonAccess.objects.create(
            at=now,
            user=user,
            user_name=audit.actor_display_name(user)[:150],
            org_id=user.org_id,
            kind=kind,
            purpose=purpose[:300],
            fields=list(fields),
            unmasked=unmasked,
            via=via,
        )
        PersonAccessSubject.objects.bulk_create(
            [PersonAccessSubject(access=access, resident_id=pk, at=now)
             for pk in dict.fromkeys(resident_ids)],
            batch_size=SUBJECT_BATCH,
        )  # fmt: skip
    return access


def access_log(resident: Resident, limit: int = 50) -> list[PersonAccess]:
    """Every look at this resident's data, newest first: page views, reveals, the searches
    that returned them, the exports that carried them. One index range over the subjects
    (`person_access_subject_log`). Each entry's `field_labels` names the fields returned
    the way the pages name them (姓名, 身份证号…)."""
    subjects = (
        PersonAccessSubject.objects.filter(resident=resident)
        .select_related("access__org")
        .order_by("-at", "-access_id")[:limit]
    )
    entries = [s.access for s in subjects]
    for entry in entries:
        entry.field_labels = [field_label(name) for name in entry.fields]
    return entries


def field_label(name: str) -> str:
    """A field as people call it: the resident's (姓名), the occupancy's (依据), else a
    source column's as the catalogue names it (人员编号), else the name itself."""
    for model in (Resident, Occupancy):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return COLUMNS[name][0] if name in COLUMNS else name
