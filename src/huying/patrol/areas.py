"""Inspectors' areas (巡查责任区): which villages and dwellings an inspector patrols, and who
supervises them. Set by administrators and the command centre (page: the admin; API:
`PUT /api/v1/patrol/areas/{inspector}`); every change is audited."""

from django.db import transaction
from django.db.models import Q, QuerySet

from huying.core import audit
from huying.core.errors import Forbidden, Invalid
from huying.datahub.models import Dwelling
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User
from huying.patrol.models import PatrolArea

# Who sets areas and manages any inspector's plan: the command centre and administrators.
COMMAND_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
VILLAGE_KINDS = (OrgKind.VILLAGE, OrgKind.COMMUNITY)


def area_of(inspector) -> PatrolArea | None:
    return PatrolArea.objects.filter(inspector=inspector).first()


def area_dwellings(area: PatrolArea | None) -> QuerySet[Dwelling]:
    """The area's dwellings: those listed ∪ those of its villages."""
    if area is None:
        return Dwelling.objects.none()
    return Dwelling.objects.filter(
        Q(pk__in=area.dwellings.values("pk")) | Q(village__in=area.villages.values("pk"))
    )


def is_command(user) -> bool:
    return user.is_authenticated and user.role in COMMAND_ROLES


def snapshot(area: PatrolArea) -> dict:
    """What the audit row keeps of an area (codes, so it reads without the database)."""
    return {
        "supervisor": area.supervisor.username if area.supervisor_id else None,
        "villages": sorted(area.villages.values_list("code", flat=True)),
        "dwellings": sorted(area.dwellings.values_list("code", flat=True)),
    }


def set_area(
    actor,
    inspector: User,
    *,
    villages: list[str],
    dwellings: list[str],
    supervisor: User | None,
) -> PatrolArea:
    """Replace the inspector's area (village codes, dwelling codes) and supervisor."""
    if not is_command(actor):
        raise Forbidden("只有指挥中心和系统管理员可以设置巡查责任区")
    if inspector.role != Role.INSPECTOR:
        raise Invalid("只能为巡查员设置责任区", field="inspector")
    if supervisor is not None and supervisor.pk == inspector.pk:
        raise Invalid("带班负责人不能是巡查员本人", field="supervisor")
    village_rows = _resolve(Org.objects.filter(kind__in=VILLAGE_KINDS), villages, "villages")
    dwelling_rows = _resolve(Dwelling.objects.all(), dwellings, "dwellings")
    with transaction.atomic():
        area, _ = PatrolArea.objects.select_for_update().get_or_create(inspector=inspector)
        before = snapshot(area)
        area.supervisor = supervisor
        area.save()
        area.villages.set(village_rows)
        area.dwellings.set(dwelling_rows)
        audit.record("patrol.area_set", actor=actor, obj=area, before=before, after=snapshot(area))
    return area


def _resolve(qs: QuerySet, codes: list[str], field: str) -> list:
    wanted = list(dict.fromkeys(codes))
    found = {row.code: row for row in qs.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise Invalid(f"未找到编码：{'、'.join(missing[:5])}", field=field)
    return [found[code] for code in wanted]
