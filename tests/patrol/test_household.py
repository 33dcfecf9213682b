# ruff: noqa: F811  (fixtures are imported from household_scene and taken as arguments)
"""The household page: the area's inspector records, the supervisor and command centre read,
anyone else gets 404 (audited); the occupants are shown masked and the look is logged."""

from huying.core.models import AuditEntry
from huying.datahub.models import AccessKind, PersonAccess
from tests.patrol.household_scene import home, scene  # noqa: F401


def url(home) -> str:
    return f"/patrol/households/{home['a01'].pk}/"


def test_the_inspector_sees_the_household_masked_with_the_form(home, browser_client):
    page = browser_client("inspector").get(url(home))
    assert page.status_code == 200
    html = page.content.decode()
    zhang = home["zhang"].id_number
    assert "张三" in html and "李四" in html and "王五" not in html
    assert zhang not in html and f"{zhang[:6]}********{zhang[-4:]}" in html
    assert home["a01"].owner_id_number not in html and "139****9000" in html
    for words in ("信息一致", "信息有误", "已搬离", "新增住户", "消防通道畅通", "预览"):
        assert words in html
    assert 'capture="environment"' in html and "patrol-household.js" in html
    logged = PersonAccess.objects.filter(kind=AccessKind.VIEW, user__username="inspector").latest(
        "pk"
    )
    assert set(logged.subjects.values_list("resident_id", flat=True)) == {
        home["zhang"].pk,
        home["li"].pk,
    }


def test_supervisor_and_command_centre_read_only(home, browser_client):
    for who in ("yuncheng", "command"):
        page = browser_client(who).get(url(home))
        assert page.status_code == 200, who
        html = page.content.decode()
        assert 'data-testid="read-only"' in html and 'id="visit-form"' not in html
        assert "张三" in html


def test_anyone_else_gets_404_audited(home, browser_client):
    before = AuditEntry.objects.filter(action="core.permission_denied").count()
    for who in ("inspector2", "chengguan"):
        assert browser_client(who).get(url(home)).status_code == 404, who
    assert AuditEntry.objects.filter(action="core.permission_denied").count() == before + 2
    assert not PersonAccess.objects.filter(user__username="inspector2").exists()


def test_the_plan_rows_open_the_household_page(home, browser_client):
    html = browser_client("inspector").get("/patrol/").content.decode()
    assert url(home) in html
