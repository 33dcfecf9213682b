# ruff: noqa: F811  (the hub fixtures are imported from the linkage tests and taken as arguments)
"""Inspection records are linked like any other source, for real: the synthetic extract of the
linkage tests is linked, a visit confirms, corrects, loses and adds occupants, the sweep loads
it and the incremental run links it; the resident's page shows the corrected values as the
newest, from 巡查核实."""

from django.urls import reverse

from huying.core import clock
from huying.datahub import linkage
from huying.datahub.choices import LinkageMode, LoadOrigin
from huying.datahub.models import Dwelling, Load, Occupancy, Resident, ResidentRecord
from huying.patrol import corrections
from huying.patrol.choices import OccupantOutcome as Outcome
from tests.datahub.test_linkage import U_PAIRS, hub, world  # noqa: F401
from tests.patrol.plan_fixtures import visit as stored_visit
from tests.patrol.test_corrections import NEW_ID

NEW_PHONE = "13955556666"


def household() -> tuple:
    """A dwelling with three linked occupants who have sound numbers, after a full run."""
    sound = Occupancy.objects.filter(resident__id_number_valid=True, resident__record_count__gte=2)
    counts: dict[int, list[int]] = {}
    for dwelling_id, resident_id in sound.values_list("dwelling_id", "resident_id"):
        counts.setdefault(dwelling_id, []).append(resident_id)
    dwelling_id, ids = next((d, r) for d, r in sorted(counts.items()) if len(set(r)) >= 3)
    return Dwelling.objects.get(pk=dwelling_id), list(
        Resident.objects.filter(pk__in=ids).order_by("pk")
    )[:3]


def test_inspection_records_link_and_their_corrections_become_the_newest_values(
    hub, persona, browser_client
):
    linkage.link(u_pairs=U_PAIRS)
    home, (kept, fixed, gone) = household()
    renamed = fixed.name[:-1] + ("丽" if fixed.name[-1] != "丽" else "莉")
    visit = stored_visit(persona("inspector"), home, clock.now(), occupants=[
        {"resident": kept, "outcome": Outcome.CONFIRMED},
        {"resident": fixed, "outcome": Outcome.DIFFERS, "name": renamed, "phone": NEW_PHONE},
        {"resident": gone, "outcome": Outcome.MOVED_OUT},
        {"outcome": Outcome.NEW, "name": "钱多多", "id_number": NEW_ID},
    ])  # fmt: skip
    before = set(Resident.objects.values_list("pk", flat=True))

    sent = corrections.sweep()
    run = linkage.link(u_pairs=U_PAIRS)

    assert run.mode == LinkageMode.INCREMENTAL
    load = Load.objects.get(pk=sent["load"], origin=LoadOrigin.PATROL)
    linked = dict(
        ResidentRecord.objects.filter(source="inspection").values_list("source_key", "resident")
    )
    assert linked[f"{visit.key}|1"] == kept.pk
    assert linked[f"{visit.key}|2"] == fixed.pk
    assert linked[f"{visit.key}|3"] == gone.pk
    assert linked[f"{visit.key}|4"] not in before  # a new occupant is a new resident
    fixed.refresh_from_db()
    assert (fixed.name, fixed.phone) == (renamed, NEW_PHONE)
    for field in ("name", "phone"):
        assert fixed.provenance[field]["source"] == "inspection"
        assert fixed.provenance[field]["load"] == load.pk
        assert fixed.provenance[field]["key"] == f"{visit.key}|2"

    page = browser_client("admin").get(reverse("datahub:resident", args=[fixed.pk]))
    html = page.content.decode()
    row = html[html.index('data-testid="field-phone"') :].split("</tr>")[0]
    assert "巡查核实" in row and renamed in html
