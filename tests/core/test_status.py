"""The audited status machine, exercised through the two models that use it (core itself has no tables)."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from core.errors import error_codes
from core.status import status_change
from courses.models import Course, CourseStatusChange
from instructors.models import Instructor, InstructorStatusChange
from tests import factories
from tests.courses import factories as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return factories.instructor(region=factories.region_tree()["county_a"], status=Instructor.Status.CANDIDATE)


def test_status_change_writes_status_and_history_row(person):
    boss = factories.admin_user()
    status_change(obj=person, to_status="active", by=boss, reason="考察合格")
    change = InstructorStatusChange.objects.get(instructor=person)
    assert (person.status, change.from_status, change.to_status, change.changed_by) == (
        "active",
        "candidate",
        "active",
        boss,
    )


def test_status_change_runs_the_models_hook(person):
    status_change(obj=person, to_status="active", by=None, reason="考察合格")
    person.refresh_from_db()
    assert person.joined_on is not None


@pytest.mark.parametrize(
    ("to_status", "reason", "code"),
    [
        ("active", " ", "reason_missing"),
        ("nonsense", "原因", "unknown_status"),
        ("probation", "原因", "transition_not_allowed"),
    ],
)
def test_status_change_refusals_have_codes_and_write_nothing(person, to_status, reason, code):
    with pytest.raises(ValidationError) as exc:
        status_change(obj=person, to_status=to_status, by=None, reason=reason)
    person.refresh_from_db()
    assert (error_codes(exc.value), person.status) == ([code], "candidate")
    assert not InstructorStatusChange.objects.filter(instructor=person).exists()


def test_status_change_refusal_names_both_statuses_in_the_models_words(person):
    with pytest.raises(ValidationError) as exc:
        status_change(obj=person, to_status="retired", by=None, reason="原因")
    assert exc.value.messages == ["处于“候选”状态的师资不能变更为“退出”。"]


def test_status_change_works_for_courses_too(person):
    course = cf.course(lead=person, status=Course.Status.DRAFT)
    status_change(obj=course, to_status="in_review", by=None, reason="提交审核")
    assert CourseStatusChange.objects.filter(course=course, to_status="in_review").count() == 1


def test_status_history_include_shows_reason_and_who(person):
    boss = factories.admin_user()
    status_change(obj=person, to_status="active", by=boss, reason="考察合格")
    html = render_to_string("includes/_status_history.html", {"changes": person.status_changes.all()})
    assert "考察合格" in html and str(boss) in html
