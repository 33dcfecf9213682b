# ruff: noqa: F811  (the `hub` fixture is imported from hub_fixtures and taken as an argument)
"""The hub's pages: loads (upload → load → status page), resident search and page (masked,
reveal with a reason, access log), dwelling page, discrepancy list and actions; scoping 404."""

import re
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huying.core.masking import mask_id_number, mask_phone
from huying.core.models import AuditEntry
from huying.datahub.choices import LoadStatus
from huying.datahub.models import Load, PersonAccess
from huying.datahub.tasks import run_load_task
from tests.datahub.factories import resident
from tests.datahub.hub_fixtures import LI_ID, LI_PHONE, OWNER_ID, hub  # noqa: F401


def test_upload_queues_a_load_that_runs_and_shows_its_status(
    hub, browser_client, django_capture_on_commit_callbacks
):
    client = browser_client("command")
    csv = (
        "dwelling_code,address,town,village,owner_name,owner_id_number,owner_phone,rooms,"
        "max_occupants,lat,lon\nYC-9,云城街丁巷 9 号,云城街道,,,,,,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("datahub:load-upload"),
            {"label": "测试", "dwellings": SimpleUploadedFile("d.csv", csv.encode())},
        )
    load = Load.objects.order_by("-pk").first()
    assert response.status_code == 302 and load.status == LoadStatus.QUEUED
    assert run_load_task.call(load.pk) == LoadStatus.SUCCEEDED
    page = client.get(reverse("datahub:load", args=[load.pk])).content.decode()
    assert "已导入" in page and "dwellings.csv" in page
    assert client.get(reverse("datahub:loads")).status_code == 200


def test_refused_upload_shows_its_problems(hub, browser_client, django_capture_on_commit_callbacks):
    client = browser_client("admin")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("datahub:load-upload"),
                    {"dwellings": SimpleUploadedFile("d.csv", b"wrong,header\n1,2\n")})  # fmt: skip
    load = Load.objects.order_by("-pk").first()
    run_load_task.call(load.pk)
    page = client.get(reverse("datahub:load", args=[load.pk])).content.decode()
    assert 'data-testid="load-problems"' in page and "已拒绝" in page


def test_upload_needs_a_file(hub, browser_client):
    response = browser_client("command").post(reverse("datahub:load-upload"), {})
    assert response.status_code == 400 and "请至少选择一个文件" in response.content.decode()


def test_loads_are_not_for_inspectors(hub, browser_client):
    assert browser_client("inspector").get(reverse("datahub:loads")).status_code == 404


def test_search_page_masks_and_logs(hub, browser_client, persona):
    page = browser_client("yuncheng").post(reverse("datahub:residents"), {"q": "李丽"})
    text = page.content.decode()
    assert mask_id_number(LI_ID) in text and mask_phone(LI_PHONE) in text
    assert LI_ID not in text and LI_PHONE not in text
    log = PersonAccess.objects.get(user=persona("yuncheng"))
    assert list(log.residents.all()) == [hub["li"]] and log.via == "page"


def test_full_id_search_refused_for_callers(hub, browser_client):
    text = browser_client("yuncheng").post(reverse("datahub:residents"), {"q": LI_ID})
    text = text.content.decode()
    assert 'data-testid="search-error"' in text and "遮蔽的身份证号" in text
    assert 'data-testid="resident-row"' not in text


def test_a_resident_known_by_no_town_or_village_is_listed_and_shown(hub, browser_client):
    nowhere = resident("钱七")  # linkage found no place for them
    client = browser_client("command")
    listing = client.post(reverse("datahub:residents"), {"q": "钱七"})
    assert listing.status_code == 200
    assert f'data-resident="{nowhere.pk}"' in listing.content.decode()
    assert client.get(reverse("datahub:resident", args=[nowhere.pk])).status_code == 200


def test_search_form_posts_and_a_query_in_the_url_is_not_searched(hub, browser_client):
    page = browser_client("inspector").get(reverse("datahub:residents"), {"q": "李丽"})
    forms = _tags(page.content.decode(), "form")
    form = next(f for f in forms if f.get("data-testid") == "resident-search")
    assert form["method"] == "post" and "hx-post" in form and "hx-get" not in form
    assert "hx-push-url" not in form
    assert 'data-testid="resident-row"' not in page.content.decode()
    assert not PersonAccess.objects.exists()


def test_full_id_number_never_appears_in_a_url(hub, browser_client):
    client = browser_client("inspector")
    url = reverse("datahub:residents")
    full = client.post(url, {"q": LI_ID})
    partial = client.post(url, {"q": LI_ID.lower()}, headers={"HX-Request": "true"})
    for response in (full, partial):
        text = response.content.decode()
        assert f'data-resident="{hub["li"].pk}"' in text  # found: the results are there
        assert not {"Location", "HX-Push-Url", "HX-Replace-Url"} & set(response.headers)
        links = _urls(text)
        assert reverse("datahub:resident", args=[hub["li"].pk]) in links
        assert not [u for u in links if LI_ID in u.upper()]
    # Nor on the pages the results lead to.
    resident_page = client.get(reverse("datahub:resident", args=[hub["li"].pk])).content.decode()
    assert not [u for u in _urls(resident_page) if LI_ID in u.upper()]


_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def _tags(html: str, name: str) -> list[dict]:
    parser = _Tags()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if tag == name]


def _urls(html: str) -> list[str]:
    """Every URL a page holds: links, sources, form targets, and htmx and data attributes."""
    parser = _Tags()
    parser.feed(html)
    return [
        value
        for _tag, attrs in parser.tags
        for name, value in attrs.items()
        if name in _URL_ATTRIBUTES or name.startswith(("hx-", "data-"))
    ]


def test_resident_page_masked_with_sources_and_access_log(hub, browser_client):
    url = reverse("datahub:resident", args=[hub["li"].pk])
    text = browser_client("inspector").get(url).content.decode()
    assert LI_ID not in text and LI_PHONE not in text
    assert mask_id_number(LI_ID) in text
    assert "平安白云" in text and "2026-11-01" in text  # the phone's source and date
    assert 'data-testid="record-row"' in text  # the linked record, read from Parquet
    assert 'data-testid="access-row"' in text and "查看人员详情" in text
    # The fields returned, named as on the page.
    assert "姓名、性别、出生日期、身份证号、电话" in text


def test_reveal_on_the_page_needs_a_reason(hub, browser_client):
    client = browser_client("inspector")
    url = reverse("datahub:resident-reveal", args=[hub["li"].pk])
    refused = client.post(url, {"field": "id_number", "reason": ""})
    assert refused.status_code == 422 and LI_ID not in refused.content.decode()
    shown = client.post(url, {"field": "id_number", "reason": "上门核查"})
    assert LI_ID in shown.content.decode()
    assert AuditEntry.objects.filter(action="datahub.reveal", reason="上门核查").exists()
    assert "上门核查" in shown.content.decode()  # in the access log on the page


def test_reveal_form_not_offered_to_masked_roles(hub, browser_client):
    client = browser_client("yuncheng")
    text = client.get(reverse("datahub:resident", args=[hub["li"].pk])).content.decode()
    assert 'data-testid="reveal-form"' not in text
    client.post(reverse("datahub:resident-reveal", args=[hub["li"].pk]),
                {"field": "id_number", "reason": "x"})  # fmt: skip
    assert not AuditEntry.objects.filter(action="datahub.reveal").exists()


def test_out_of_scope_resident_is_404(hub, browser_client):
    client = browser_client("inspector")
    assert client.get(reverse("datahub:resident", args=[hub["zhao"].pk])).status_code == 404
    assert browser_client("chengguan").get(reverse("datahub:residents")).status_code == 404


def test_dwelling_page(hub, browser_client):
    text = (
        browser_client("inspector")
        .get(reverse("datahub:dwelling", args=[hub["dwelling"].pk]))
        .content.decode()
    )
    assert OWNER_ID not in text and mask_id_number(OWNER_ID) in text
    assert 'data-testid="over-occupancy"' in text and "李丽" in text
    assert 'data-testid="history-row"' in text
    assert (
        browser_client("renhe")
        .get(reverse("datahub:dwelling", args=[hub["dwelling"].pk]))
        .status_code
        == 404
    )


def test_export_page_masked(hub, browser_client):
    response = browser_client("yuncheng").post(
        reverse("datahub:resident-export"), {"village": hub["community"].code}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_discrepancy_list_and_actions(hub, browser_client):
    client = browser_client("inspector")
    item = hub["item"]
    listing = client.get(reverse("datahub:discrepancies"), {"village": hub["community"].code})
    assert f'data-discrepancy="{item.pk}"' in listing.content.decode()
    assert (
        browser_client("renhe").get(reverse("datahub:discrepancy", args=[item.pk])).status_code
        == 404
    )
    url = reverse("datahub:discrepancy-action", args=[item.pk, "dismiss"])
    assert client.post(url, {"note": ""}).status_code == 422
    client.post(reverse("datahub:discrepancy-action", args=[item.pk, "confirm"]), {"note": "看过"})
    item.refresh_from_db()
    assert item.state == "confirmed"
    page = client.get(reverse("datahub:discrepancy", args=[item.pk])).content.decode()
    assert "看过" in page and 'data-testid="action-confirm"' not in page


def test_discrepancy_trail_shows_state_labels_not_codes(hub, browser_client):
    client = browser_client("inspector")
    item = hub["item"]
    client.post(reverse("datahub:discrepancy-action", args=[item.pk, "confirm"]), {"note": "看过"})
    client.post(reverse("datahub:discrepancy-action", args=[item.pk, "dismiss"]),
                {"note": "重复"})  # fmt: skip
    page = client.get(reverse("datahub:discrepancy", args=[item.pk])).content.decode()
    trail = [
        " ".join(line.split("·")[1].split())
        for line in re.findall(r'data-testid="event">(.*?)</p>', page)
    ]
    assert trail[-2:] == ["待核实 → 已确认", "已确认 → 已排除"]
    assert not re.search(r"\b(open|confirmed|dismissed)\b", " ".join(trail))


def test_navigation_shows_the_hub_by_role(hub, browser_client):
    inspector = browser_client("inspector").get("/").content.decode()
    assert reverse("datahub:residents") in inspector and reverse("datahub:loads") not in inspector
    assert reverse("datahub:loads") in browser_client("command").get("/").content.decode()
