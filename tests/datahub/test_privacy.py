# ruff: noqa: F811  (the `hub` fixture is imported from hub_fixtures and taken as an argument)
"""Privacy: masking by default, revealing one field with a reason (audited and logged), the
lookup log, exports masked by default, and resident search by each key within scope."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from huying.core.errors import Forbidden, Invalid
from huying.core.masking import mask_id_number, mask_phone
from huying.core.models import AuditEntry
from huying.datahub import exports, hub_selectors, privacy
from huying.datahub.models import PersonAccess
from tests.datahub.hub_fixtures import LI_ID, LI_PHONE, ZHAO_ID, hub  # noqa: F401


def test_reveal_needs_a_reason_and_is_audited_and_logged(hub, persona):
    inspector = persona("inspector")
    with pytest.raises(Invalid) as exc:
        privacy.reveal(inspector, hub["li"], "id_number", "  ")
    assert exc.value.field == "reason"
    assert not AuditEntry.objects.filter(action="datahub.reveal").exists()

    value = privacy.reveal(inspector, hub["li"], "id_number", "上门核查")
    assert value == LI_ID
    entry = AuditEntry.objects.get(action="datahub.reveal")
    assert entry.reason == "上门核查" and entry.object_id == str(hub["li"].pk)
    log = PersonAccess.objects.get(residents=hub["li"])
    assert log.unmasked and log.fields == ["id_number"] and log.org_id == inspector.org_id


@pytest.mark.parametrize("username", ["yuncheng", "leader"])
def test_masked_roles_cannot_reveal(hub, persona, username):
    with pytest.raises(Forbidden):
        privacy.reveal(persona(username), hub["li"], "phone", "想看看")
    assert not PersonAccess.objects.filter(unmasked=True).exists()


def test_only_id_and_phone_are_revealed(hub, persona):
    with pytest.raises(Invalid) as exc:
        privacy.reveal(persona("inspector"), hub["li"], "name", "核查")
    assert exc.value.field == "field"


def test_dwelling_owner_is_masked_and_revealable(hub, persona):
    d = hub["dwelling"]
    assert privacy.masked(d, "owner_id_number") == mask_id_number(d.owner_id_number)
    assert privacy.reveal(persona("command"), d, "owner_phone", "联系房东") == "13900000021"


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("李丽", "name"),
        ("李", "name"),  # no one is called 李: the prefix finds both 李
        ("lili", "pinyin"),
        (LI_ID, "id_number"),
        (mask_id_number(LI_ID), "masked_id"),
        (LI_PHONE, "phone"),
        ("YC-1", "dwelling"),
    ],
)
def test_search_by_each_key(hub, persona, query, key):
    found = hub_selectors.search(persona("inspector"), query)
    assert found.key == key
    assert hub["li"] in found.residents
    assert hub["zhao"] not in found.residents
    if query == "李":
        assert {r.name for r in found.residents} == {"李丽", "李四"}


def test_full_id_search_only_for_roles_that_may_reveal(hub, persona):
    with pytest.raises(Forbidden):
        hub_selectors.search(persona("yuncheng"), LI_ID)
    assert hub_selectors.search(persona("yuncheng"), mask_id_number(LI_ID)).residents == [hub["li"]]


def test_search_is_scoped(hub, persona):
    assert hub_selectors.search(persona("inspector"), mask_id_number(ZHAO_ID)).residents == []
    assert hub_selectors.search(persona("renhe"), "李丽").residents == []
    assert hub_selectors.search(persona("command"), ZHAO_ID).residents == [hub["zhao"]]
    assert hub_selectors.search(persona("chengguan"), "李丽").residents == []


def _cells(content: bytes) -> list[list]:
    sheet = load_workbook(BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_export_is_masked_by_default_and_logged(hub, persona):
    content, n = exports.village_workbook(persona("yuncheng"), hub["community"])
    rows = _cells(content)
    flat = [str(v) for row in rows for v in row if v is not None]
    assert n == 2 and LI_ID not in flat and LI_PHONE not in flat
    assert mask_id_number(LI_ID) in flat and mask_phone(LI_PHONE) in flat
    assert PersonAccess.objects.filter(residents=hub["li"], via="export", unmasked=False).exists()
    assert AuditEntry.objects.filter(action="datahub.export").exists()


def test_unmasked_export_needs_role_and_reason(hub, persona):
    with pytest.raises(Forbidden):
        exports.village_workbook(persona("yuncheng"), hub["community"], unmasked=True, reason="x")
    with pytest.raises(Invalid) as exc:
        exports.village_workbook(persona("inspector"), hub["community"], unmasked=True)
    assert exc.value.field == "reason"
    content, _n = exports.village_workbook(
        persona("inspector"), hub["community"], unmasked=True, reason="消防检查"
    )
    assert LI_ID in [str(v) for row in _cells(content) for v in row]
    entry = AuditEntry.objects.get(action="datahub.export")
    assert entry.reason == "消防检查" and entry.after["unmasked"] is True
    assert PersonAccess.objects.get(residents=hub["li"], via="export").unmasked
