"""入户核查 (/patrol/households/<dwelling pk>/): one household on the phone.

The page is rendered once; the inspector's marks, new occupants, checklist and photos are
built in the browser (static/huying/patrol-household.js) into one visit with a uuid key, shown
in a 预览 step, then sent to `POST /api/v1/patrol/visits`, or kept on the phone until the
signal returns. Supervisors and the command centre see the page read-only.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huying.patrol import household, visit_photos
from huying.patrol.choices import OccupantOutcome


@require_GET
@login_required
def household_page(request, pk: int):
    dwelling = household.household_for(request.user, pk)
    people = household.occupants(request.user, dwelling)
    can_record = household.may_record(request.user, dwelling)
    setup = {
        "dwelling": dwelling.pk,
        "address": dwelling.address,
        "max_occupants": dwelling.max_occupants,
        "visits_api": reverse("api:post_visit"),
        "photos_api": reverse("api:post_photo"),
        "id_check_api": reverse("api:post_id_check"),
        "max_photos": visit_photos.MAX_PER_VISIT,
    }
    return render(request, "patrol/household.html", {
        "dwelling": dwelling, "owner": household.owner(dwelling), "occupants": people,
        "over": household.overcrowded(dwelling, len(people)), "can_record": can_record,
        "setup": setup, "labels": labels(),
    })  # fmt: skip


def labels() -> dict:
    """The words the page's script shows ({n}, {m} filled in there)."""
    return {
        "outcomes": {value: str(label) for value, label in OccupantOutcome.choices},
        "queue_count": _("有 {n} 条巡查记录待上传"),
        "waiting": _("等待网络"), "sending": _("上传中…"), "failed": _("上传失败："),
        "discard": _("放弃"), "discard_confirm": _("放弃这条巡查记录？放弃后无法恢复。"),
        "saved": _("已保存：巡查记录已上传。"), "resent": _("该记录此前已上传，未重复保存。"),
        "offline": _("当前无网络：本条巡查记录已保存在手机上，联网后自动上传。"),
        "too_big": _("离线暂存空间不足（照片约 {n} MB）：请删去部分照片后再保存，或联网后保存。"),
        "unmarked": _("还有 {n} 位住户未核查：请逐一点选 信息一致、信息有误 或 已搬离。"),
        "crowd_hint": _("（按现住 {n} 人、核定 {m} 人自动判断）"),
        "too_many_photos": _("最多 {n} 张照片"), "remove": _("删除"),
        "visited_at": _("巡查时间"), "occupants": _("住户"), "checklist": _("安全检查"),
        "photos": _("照片"), "notes": _("备注"), "yes": _("是"), "no": _("否"),
        "none": _("无"), "photo_count": _("{n} 张"), "name": _("姓名"),
        "id_number": _("身份证号"), "phone": _("电话"), "hazard_notes": _("隐患说明"),
        "fire_exit": _("消防通道畅通"), "not_overcrowded": _("未超员居住"),
        "no_hazard": _("无安全隐患"),
        "checking": _("正在核验…"), "id_ok": _("号码有效"),
        "id_found": _("平台登记：{name}（{id}），已填入姓名"),
        "id_not_found": _("平台中未找到该号码的人员，请填写姓名"),
        "id_check_failed": _("暂时无法核验（无网络），保存时再检查"),
    }  # fmt: skip
