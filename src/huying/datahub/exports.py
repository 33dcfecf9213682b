"""A village's residents as an Excel sheet: masked by default; unmasked only for the roles that
may reveal (privacy.REVEAL_ROLES), with a reason, audited (`datahub.export`) and logged in
PersonAccess (one access, every resident in the file its subject, so each resident's page lists
the export)."""

from io import BytesIO

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from huying.core import audit
from huying.core.errors import Forbidden, Invalid
from huying.core.masking import mask_id_number, mask_phone
from huying.datahub import hub_selectors, privacy
from huying.datahub.models import AccessKind, AccessVia

FIELDS = ["name", "gender", "birth_date", "id_number", "phone", "current_address", "dwelling"]


def village_workbook(user, village, *, unmasked: bool = False, reason: str = "",
                     via: str = AccessVia.EXPORT) -> tuple[bytes, int]:  # fmt: skip
    """(the .xlsx bytes, how many residents)."""
    reason = (reason or "").strip()
    if unmasked:
        if not reason:
            raise Invalid("导出完整身份证号和电话须说明理由", field="reason")
        if not privacy.may_reveal(user):
            raise Forbidden("您的角色只能导出遮蔽后的数据")
    residents = list(hub_selectors.village_residents(user, village).select_related("dwelling"))
    book = Workbook()
    sheet = book.active
    sheet.title = village.name[:31]
    sheet.append([_("姓名"), _("性别"), _("出生日期"), _("身份证号"), _("电话"), _("现住地址"),
                  _("出租屋编码")])  # fmt: skip
    for r in residents:
        sheet.append(
            [
                r.name,
                r.gender,
                r.birth_date,
                r.id_number if unmasked else mask_id_number(r.id_number),
                r.phone if unmasked else mask_phone(r.phone),
                r.current_address,
                r.dwelling.code if r.dwelling_id else "",
            ]
        )
    purpose = reason or _("导出村社实有人口（遮蔽）")
    with transaction.atomic():
        privacy.log_access(user, [r.pk for r in residents], kind=AccessKind.EXPORT,
                           purpose=purpose, fields=FIELDS, via=via, unmasked=unmasked)  # fmt: skip
        audit.record(
            "datahub.export", actor=user, obj=village, reason=reason,
            after={"residents": len(residents), "unmasked": unmasked},
        )  # fmt: skip
    out = BytesIO()
    book.save(out)
    return out.getvalue(), len(residents)
