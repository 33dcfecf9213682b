"""An administrator issues a device its token from the admin: shown once, kept as its sha256,
the old token stops working, and the issuing is audited (never the token)."""

import re

from huying.core.models import AuditEntry
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User
from huying.sensing import tokens
from huying.sensing.models import Device


def make_device() -> Device:
    return Device.objects.create(
        code="T-TOKEN", name="令牌测试采集仪", kind="gateway",
        town=Org.objects.filter(kind=OrgKind.STREET).first(),
        department=Org.objects.filter(kind=OrgKind.DEPARTMENT).first(),
    )  # fmt: skip


def test_the_admin_issues_a_token_shown_once_and_audited(client, db):
    device = make_device()
    old = tokens.issue_token(device)
    client.force_login(User.objects.get(username="admin"))
    response = client.post(
        "/admin/sensing/device/",
        {"action": "issue_tokens", "_selected_action": [device.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = re.findall(r"T-TOKEN：(hyd_[\w-]+)", response.content.decode())
    assert len(shown) == 1
    token = shown[0]
    device.refresh_from_db()
    assert device.token_hash == tokens.hash_token(token) != tokens.hash_token(old)
    assert tokens.device_for_token(token) == device
    assert tokens.device_for_token(old) is None
    entries = list(AuditEntry.objects.filter(action="sensing.device_token_issued").order_by("pk"))
    assert [e.object_id for e in entries] == [str(device.pk)] * 2
    assert entries[-1].actor_id == User.objects.get(username="admin").pk
    assert token not in str([e.__dict__ for e in entries])
