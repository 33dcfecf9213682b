# ruff: noqa: F811  (the `hub` fixture is imported from hub_fixtures and taken as an argument)
"""The hub's pages: loads (upload → load → status page), resident search and page (masked,
reveal with a reason, access log), dwelling page, discrepancy list and actions; scoping 404."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huying.core.masking import mask_id_number, mask_phone
from huying.core.models import AuditEntry
from huying.datahub.choices import LoadStatus
from huying.datahub.models import Load, PersonAccess
from huying.datahub.tasks import run_load_task
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
    page = browser_client("yuncheng").get(reverse("datahub:residents"), {"q": "李丽"})
    text = page.content.decode()
    assert mask_id_number(LI_ID) in text and mask_phone(LI_PHONE) in text
    assert LI_ID not in text and LI_PHONE not in text
    log = PersonAccess.objects.get(user=persona("yuncheng"))
    assert log.resident_ids == [hub["li"].pk] and log.via == "page"


def test_full_id_search_refused_for_callers(hub, browser_client):
    text = browser_client("yuncheng").get(reverse("datahub:residents"), {"q": LI_ID})
    text = text.content.decode()
    assert 'data-testid="search-error"' in text and "遮蔽的身份证号" in text
    assert 'data-testid="resident-row"' not in text


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


def test_navigation_shows_the_hub_by_role(hub, browser_client):
    inspector = browser_client("inspector").get("/").content.decode()
    assert reverse("datahub:residents") in inspector and reverse("datahub:loads") not in inspector
    assert reverse("datahub:loads") in browser_client("command").get("/").content.decode()
