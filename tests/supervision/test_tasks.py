"""The register's services: drafting with validation, justification, registration refused
until every flag is justified, the warnings registration raises, withdraw and close."""

import pytest

from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.orgs.models import Org, User
from huying.supervision import tasks
from huying.supervision.choices import FlagKind, TaskStatus, WarningOrigin
from huying.supervision.models import Reminder
from tests.supervision import test_tasks_scene as scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_shared_catalogue")]


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(scene.NOW):
        yield


def test_a_draft_is_numbered_issued_by_the_actors_department_and_audited(persona):
    task = scene.draft("yingji", [scene.town()])
    assert task.code == f"TB2026{task.pk:06d}" and task.status == TaskStatus.DRAFT
    assert task.issuer_id == persona("yingji").org_id
    assert list(task.fields.values_list("name", flat=True)) == [f["name"] for f in scene.FIELDS]
    assert AuditEntry.objects.filter(action="supervision.task_created", object_id=str(task.pk))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"basis": "  "}, "basis"),
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": "once"}, "due_date"),
        ({"fields": []}, "fields"),
        ({"fields": [{"name": "甲"}, {"name": "甲"}]}, "fields.1.name"),
        ({"fields": [{"name": ""}]}, "fields.0.name"),
        ({"recipients": [1]}, "recipients"),
    ],
)
def test_a_draft_missing_what_gives_it_standing_is_refused(change, field):
    with pytest.raises(Invalid) as err:
        tasks.create_task(User.objects.get(username="yingji"), scene.data([scene.town()]) | change)
    assert err.value.field == field


def test_only_towns_and_villages_are_recipients_and_only_departments_issue(persona):
    with pytest.raises(Invalid):
        scene.draft("yingji", [Org.objects.get(code="440111-cgj")])
    with pytest.raises(Forbidden):
        scene.draft("yuncheng", [scene.town()])


def test_registration_is_refused_until_every_flag_is_justified(settings, persona):
    settings.SUPERVISION_MAX_FREQUENCY = "monthly"
    actor = persona("yingji")
    task = scene.draft("yingji", [scene.town()], frequency="weekly")
    with pytest.raises(Conflict) as err:
        tasks.register(actor, task)
    assert err.value.status == 409 and "频次过高" in err.value.message
    task.refresh_from_db()
    assert task.status == TaskStatus.CHECKED and task.flags.count() == 1  # the check stays
    tasks.justify(actor, task.flags.get(), "汛期每周调度，经区防指同意")
    task = tasks.register(actor, task)
    assert task.status == TaskStatus.REGISTERED and task.registered_at == clock.now()


def test_a_recheck_keeps_a_justification_only_while_its_finding_stands(persona):
    actor = persona("yingji")
    task = scene.draft("yingji", [scene.town()], frequency="daily")
    flag = tasks.check_task(task)[0]
    tasks.justify(actor, flag, "理由")
    again = tasks.check_task(task)
    assert [(f.pk, f.justification) for f in again] == [(flag.pk, "理由")]
    tasks.update_task(actor, task, {"frequency": "monthly"})
    assert tasks.check_task(task) == [] and task.flags.count() == 0


def test_justified_flags_raise_one_warning_per_kind_and_a_removed_field_none(persona):
    actor = persona("yingji")
    scene.catalogue_field("440111-scjgj", "企业登记信息", "企业名称", "企业全称")
    task = scene.draft("yingji", [scene.town()], frequency="weekly")
    kinds = sorted(f.kind for f in tasks.check_task(task))
    assert kinds == [FlagKind.ALREADY_SHARED, FlagKind.FREQUENCY]
    tasks.update_task(actor, task, {"fields": scene.FIELDS[1:]})  # reads the hub instead
    for flag in tasks.check_task(task):
        tasks.justify(actor, flag, "每周调度")
    tasks.register(actor, task)
    warning = Reminder.objects.get(task=task)
    assert (warning.flag_kind, warning.origin) == (FlagKind.FREQUENCY, WarningOrigin.AUTOMATIC)
    assert warning.unit_id == actor.org_id and "每周调度" in warning.text


def test_only_the_issuer_changes_a_task_and_states_are_kept(persona):
    task = scene.registered("yingji", [scene.town()])
    with pytest.raises(Forbidden):
        tasks.withdraw(persona("chengguan"), task)
    with pytest.raises(Conflict) as err:
        tasks.update_task(persona("yingji"), task, {"title": "改"})
    assert "已登记" in err.value.message
    tasks.close(persona("yingji"), task)
    with pytest.raises(Conflict):
        tasks.withdraw(persona("yingji"), task)
