"""The demo year of supervision (`huying demo`): this year's 91 formalism cases and 167 people
held accountable, assessments down about 30% on last year with one merge, tasks flagged as
asking for shared data, warnings answered; a second run changes nothing."""

import pytest

from huying.datahub.catalogue_demo import load_demo_catalogue
from huying.demo.supervision import load_demo_supervision
from huying.supervision import metrics
from huying.supervision.choices import FlagKind, TaskStatus, WarningStatus
from huying.supervision.models import (
    AccountablePerson,
    Assessment,
    FormalismCase,
    Merge,
    Reminder,
    ReportingTask,
    Submission,
)


@pytest.fixture
def loaded(db):
    load_demo_catalogue()
    return load_demo_supervision()


def test_this_years_discipline_figures_are_91_cases_and_167_people(loaded):
    found = metrics.discipline(metrics.default_year())
    assert found["cases"] == FormalismCase.objects.count() == 91
    assert found["people"] == AccountablePerson.objects.count() == 167
    assert found["guiding"] >= 1
    assert sum(n for _, n in found["by_level"]) == sum(n for _, n in found["by_measure"]) == 167


def test_assessments_fell_about_30_percent_with_one_merge(loaded):
    found = metrics.assessments(metrics.default_year())
    assert found["last_year"] == 100
    assert found["this_year"] == 70
    assert found["change"] == pytest.approx(-0.30, abs=0.03)
    merge = Merge.objects.get()
    assert merge.kept.name == "创建文明城市考核"
    assert [i.name for i in merge.merged.all()] == ["城市管理综合考评"]
    assert Assessment.objects.filter(unplanned=True).count() == 16


def test_some_tasks_are_flagged_as_asking_for_shared_data(loaded):
    flagged = ReportingTask.objects.filter(flags__kind=FlagKind.ALREADY_SHARED).distinct()
    assert flagged.count() >= 4
    assert flagged.filter(status=TaskStatus.CHECKED).exists()
    assert flagged.filter(status=TaskStatus.REGISTERED).exists()
    submitted = Submission.objects.filter(prefilled_fields__gt=0)
    assert submitted.exists() and Submission.objects.filter(typed_fields__gt=0).exists()


def test_warnings_are_answered_and_some_closed(loaded):
    statuses = set(Reminder.objects.values_list("status", flat=True))
    assert statuses == {WarningStatus.OPEN, WarningStatus.ANSWERED, WarningStatus.CLOSED}


def test_a_second_run_changes_nothing(loaded):
    counts = [m.objects.count() for m in (FormalismCase, AccountablePerson, Assessment,
                                          ReportingTask, Submission, Reminder)]  # fmt: skip
    again = load_demo_supervision()
    assert not again.loaded
    assert counts == [m.objects.count() for m in (FormalismCase, AccountablePerson, Assessment,
                                                  ReportingTask, Submission, Reminder)]  # fmt: skip
