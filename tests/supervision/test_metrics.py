"""The burden metrics on a small hand-made year: exact counts, the −30% comparison with merged
items counted once, tasks per town per month, pre-filled versus typed, warnings, cases, the
league; the API, the page and its Excel export (opened with openpyxl), pinned query counts."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from huying.core import clock
from huying.core.models import AuditEntry
from huying.supervision import metrics
from huying.supervision.models import (
    AccountablePerson,
    Assessment,
    FormalismCase,
    InspectionPlan,
    PlanItem,
    Reminder,
    ReportingTask,
    Submission,
    TaskField,
    TaskFlag,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
Y = 2026
API = "/api/v1/supervision/metrics"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(NOW):
        yield


def _assessments(org, persona, year, n, **extra):
    return [
        Assessment.objects.create(
            department=org("440111-cgj"),
            name=f"考核{year}-{i}",
            kind="assessment",
            launched_on=date(year, 1 + i % 10, 5),
            created_by=persona("admin"),
            created_at=NOW,
            **extra,
        )
        for i in range(n)
    ]


def _task(persona, issuer, recipients, frequency, starts, ends=None, fields=1, status="registered"):
    task = ReportingTask.objects.create(
        code=f"T{ReportingTask.objects.count()}",
        title="表",
        issuer=issuer,
        basis="依据",
        frequency=frequency,
        starts_on=starts,
        ends_on=ends,
        status=status,
        created_by=persona("admin"),
        created_at=NOW,
        due_date=starts,
    )
    task.recipients.set(recipients)
    TaskField.objects.bulk_create(TaskField(task=task, name=f"f{i}") for i in range(fields))
    return task


@pytest.fixture
def year(org, persona):
    """Last year 10 assessments; this year 7 plus one of an item merged into another (counted
    once: 7, −30%), one unplanned; two live tasks and a draft; fillings, warnings, cases."""
    cgj, zjj, town = org("440111-cgj"), org("440111-zjj"), org("云城街道")
    village = town.children.first()
    _assessments(org, persona, Y - 1, 10)
    _assessments(org, persona, Y, 6)
    _assessments(org, persona, Y, 1, unplanned=True)
    plan = InspectionPlan.objects.create(department=cgj, year=Y, status="approved")
    kept = PlanItem.objects.create(
        plan=plan,
        name="创建文明城市考核",
        kind="assessment",
        scope="全区",
        items="a",
        frequency="yearly",
        targets="镇街",
    )
    merged = PlanItem.objects.create(
        plan=plan,
        name="城市管理综合考评",
        kind="assessment",
        scope="全区",
        items="a",
        frequency="yearly",
        targets="镇街",
        merged_into=kept,
    )
    _assessments(org, persona, Y, 1, plan_item=merged)
    monthly = _task(persona, cgj, [town], "monthly", date(Y, 3, 1), date(Y, 5, 31), fields=3)
    once = _task(persona, zjj, [village], "once", date(Y, 4, 10), fields=2)
    _task(persona, cgj, [town], "daily", date(Y, 1, 1), status="draft", fields=9)
    TaskFlag.objects.create(task=once, kind="frequency", message="m", created_at=NOW)
    for task, pre, typed, status in (
        (monthly, 3, 1, "submitted"),
        (once, 0, 2, "submitted"),
        (once, 5, 0, "draft"),
    ):
        Submission.objects.create(
            task=task,
            org=town,
            period=date(Y, 4, 1 + pre),
            status=status,
            prefilled_fields=pre,
            typed_fields=typed,
            minutes_saved=pre * 30,
            submitted_at=NOW,
        )
    for status, due in (
        ("open", date(Y, 11, 1)),
        ("open", date(Y, 12, 1)),
        ("answered", date(Y, 11, 1)),
        ("closed", date(Y, 10, 1)),
    ):
        Reminder.objects.create(
            unit=cgj, origin="manual", text="t", status=status, raised_at=NOW, answer_due=due
        )
    for n, (level, measure) in enumerate(
        (("section", "criticism"), ("staff", "criticism"), ("staff", "admonishment"))
    ):
        case = FormalismCase.objects.create(
            number=f"XS-T{n}",
            problem="p",
            unit=cgj,
            opened_by=persona("supervisor"),
            opened_at=NOW,
            guiding_unit=cgj if n == 0 else None,
        )
        AccountablePerson.objects.create(
            case=case,
            name="某",
            position="科员",
            level=level,
            measure=measure,
            decided_at=date(Y, 6, 1),
        )
    return {"town": town, "cgj": cgj, "zjj": zjj}


def test_assessments_against_last_year_and_the_target(year):
    found = metrics.assessments(Y)
    assert (found["last_year"], found["this_year"], found["target"]) == (10, 7, 7)
    assert found["change"] == pytest.approx(-0.3)
    assert found["met"] is True and found["unplanned"] == 1
    assert found["cumulative_this"][-1] == 7 and found["cumulative_target"][-1] == 7


def test_tasks_per_town_per_month_count_live_tasks_on_the_villages_town(year):
    found = metrics.town_tasks(Y)
    row = found["grid"][found["codes"].index(year["town"].code)]
    assert row == [0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0]
    assert found["peak"] == 2


def test_filling_reminders_discipline_and_the_league(year):
    f = metrics.filling(Y)
    assert (f["submissions"], f["prefilled"], f["typed"], f["hours_saved"]) == (2, 3, 3, 1.5)
    assert f["prefilled_share"] == pytest.approx(0.5)
    r = metrics.reminders(Y)
    assert (r["raised"], r["open"], r["overdue"], r["answered"], r["closed"]) == (4, 2, 1, 1, 1)
    d = metrics.discipline(Y)
    assert (d["cases"], d["people"], d["guiding"]) == (3, 3, 1)
    assert dict(d["by_measure"])["批评教育"] == 2 and dict(d["by_level"])["一般干部"] == 2
    league = metrics.league(Y)
    assert [(r["name"], r["burden"], r["flags"], r["rank"]) for r in league] == [
        (year["cgj"].name, 1 * 12 * 3, 0, 1),
        (year["zjj"].name, 1 * 1 * 2, 1, 2),
    ]


@pytest.mark.parametrize("username", ["supervisor", "leader"])
def test_the_api_gives_the_same_figures_in_pinned_queries(
    year, api, username, django_assert_num_queries
):
    client = api(username)
    # token + user, then 10 grouped queries whatever the size of the year
    with django_assert_num_queries(12):
        response = client.get(API, {"year": Y})
    body = response.json()
    assert body["assessments"]["this_year"] == 7
    assert body["discipline"]["by_measure"]["批评教育"] == 2
    assert body["league"][0]["burden"] == 36


@pytest.mark.parametrize("username", ["chengguan", "yuncheng", "inspector"])
def test_others_get_404(api, browser_client, username):
    assert api(username).get(API).status_code == 404
    assert browser_client(username).get("/supervision/metrics/").status_code == 404


def test_the_page_shows_the_figures_and_the_chart_data(year, browser_client):
    page = browser_client("supervisor").get("/supervision/metrics/", {"year": Y})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="assessments-this">7<' in html
    assert "-30%" in html and 'id="metrics-chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html


def test_the_excel_export_holds_every_table_and_is_audited(year, browser_client):
    response = browser_client("leader").get("/supervision/metrics/export.xlsx", {"year": Y})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 6
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    assessments, towns, filling, reminders, discipline, league = sheets.values()
    assert assessments[-1][1:4] == (10, 7, 7)
    town_row = next(r for r in towns if r[0] == (year["town"].short_name or year["town"].name))
    assert town_row[1:6] == (0, 0, 1, 2, 1)
    assert filling[-1][1:] == (3, 3, 1.5)
    assert [r[1] for r in reminders[1:]] == [4, 2, 1, 1, 1]
    assert discipline[1][1] == 3
    assert league[1][0] == year["cgj"].name and league[1][4] == 36
    assert AuditEntry.objects.filter(action="supervision.metrics_exported").exists()
