"""The case register and a case's page: evidence linked to the call's page, the guiding unit,
people added and the case concluded through the page; outsiders get 404."""

import pytest

from huying.supervision import cases
from huying.supervision.models import FormalismCase
from tests.calls.conftest import matter, new_call  # noqa: F401  (fixtures)
from tests.supervision.test_cases import make_task, overdue_call  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
REGISTER = "/supervision/cases/"


@pytest.fixture
def case(persona, org, overdue_call):  # noqa: F811
    evidence = [{"kind": "overdue_call", "call": overdue_call.pk}]
    return cases.open_case(persona("supervisor"), "超期未办", org("440111-cgj"), evidence)


def test_the_register_lists_cases_and_the_page_links_the_call(case, browser_client, overdue_call):  # noqa: F811
    client = browser_client("supervisor")
    register = client.get(REGISTER).content.decode()
    assert f'data-case="{case.number}"' in register and 'data-testid="case-new"' in register
    page = client.get(f"{REGISTER}{case.pk}/").content.decode()
    assert f'href="/calls/{overdue_call.pk}/"' in page
    assert 'data-testid="add-person"' in page


def test_a_guidance_case_shows_the_guiding_unit(persona, org, browser_client):
    case = cases.open_guidance_case(persona("supervisor"), make_task(persona, org))
    page = browser_client("chengguan").get(f"{REGISTER}{case.pk}/").content.decode()
    assert 'data-testid="guiding-unit"' in page and org("440111-cgj").name in page
    assert 'data-testid="add-person"' not in page  # the unit reads; only the commission writes


def test_people_and_the_outcome_through_the_page(case, browser_client):
    client = browser_client("supervisor")
    person = {"name": "王某", "position": "科长", "level": "section", "measure": "criticism"}
    assert client.post(f"{REGISTER}{case.pk}/person/", person).status_code == 302
    assert client.post(f"{REGISTER}{case.pk}/person/", {"name": ""}).status_code == 422
    assert client.post(f"{REGISTER}{case.pk}/outcome/", {"outcome": "批评"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "concluded" and case.people.get().name == "王某"


def test_opening_through_the_page(browser_client, org):
    client = browser_client("supervisor")
    body = {
        "problem": "台账过多",
        "unit": org("440111-zjj").pk,
        "kind": "other",
        "note": "督查发现",
    }
    response = client.post(f"{REGISTER}new/", body)
    case = FormalismCase.objects.get(problem="台账过多")
    assert response.status_code == 302 and case.evidence.get().note == "督查发现"
    refused = client.post(f"{REGISTER}new/", {**body, "kind": "overdue_call", "ref": 10**9})
    assert refused.status_code == 422


@pytest.mark.parametrize("username", ["zhujian", "yuncheng", "inspector"])
def test_outsiders_get_404(case, browser_client, username):
    client = browser_client(username)
    assert client.get(f"{REGISTER}{case.pk}/").status_code == 404
    assert case.number not in client.get(REGISTER).content.decode()
    assert client.post(f"{REGISTER}{case.pk}/person/", {"name": "x"}).status_code == 404
