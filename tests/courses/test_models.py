import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from courses.models import Course, PremiumLibraryEntry, Rectification
from tests import factories as f
from tests.courses import factories as cf


@pytest.mark.django_db
def test_course_is_orderable_only_when_active_or_premium(tree):
    lead = f.instructor(region=tree["county_a"])
    flags = {status: cf.course(lead=lead, status=status).is_orderable for status in Course.Status.values}
    assert [s for s, ok in flags.items() if ok] == ["active", "premium"]


@pytest.mark.django_db
def test_orderable_queryset_excludes_rectification(tree):
    lead = f.instructor(region=tree["county_a"])
    active = cf.course(lead=lead)
    cf.course(lead=lead, status=Course.Status.RECTIFICATION)
    assert list(Course.objects.orderable()) == [active]


@pytest.mark.django_db
def test_county_organizer_sees_own_county_and_city_courses_not_other_county(tree):
    own = cf.course(lead=f.instructor(region=tree["village_a"]))
    city = cf.course(lead=f.instructor(region=tree["city"], tier="municipal"))
    cf.course(lead=f.instructor(region=tree["county_b"]))
    organizer = f.organizer(tree["county_a"])
    assert set(Course.objects.visible_to(organizer)) == {own, city}


@pytest.mark.django_db
def test_instructor_sees_courses_they_lead_or_co_teach(tree):
    account = f.user()
    me = f.instructor(region=tree["county_a"], user=account)
    led = cf.course(lead=me)
    co = cf.course(lead=f.instructor(region=tree["county_a"]))
    co.co_instructors.add(me)
    cf.course(lead=f.instructor(region=tree["county_a"]))
    assert set(Course.objects.visible_to(account)) == {led, co}


@pytest.mark.django_db
def test_course_transitions_table_never_skips_review():
    assert not Course(status=Course.Status.DRAFT).can_change_status_to(Course.Status.ACTIVE)
    assert Course(status=Course.Status.RECTIFICATION).allowed_transitions() == ("active", "retired")


@pytest.mark.django_db
def test_rectification_is_overdue_only_while_pending_and_past_deadline(tree):
    course = cf.course(lead=f.instructor(region=tree["county_a"]))
    rect = cf.rectification(course_obj=course, deadline=timezone.localdate() - dt.timedelta(days=1))
    decided = Rectification(deadline=rect.deadline, status=Rectification.Status.APPROVED)
    assert (rect.is_overdue, decided.is_overdue) == (True, False)


@pytest.mark.django_db
def test_one_pending_rectification_per_course(tree):
    course = cf.course(lead=f.instructor(region=tree["county_a"]))
    cf.rectification(course_obj=course)
    with pytest.raises(IntegrityError):
        cf.rectification(course_obj=course)


@pytest.mark.django_db
def test_premium_entry_unique_per_year_and_course(tree):
    course = cf.course(lead=f.instructor(region=tree["county_a"]))
    PremiumLibraryEntry.objects.create(year=2025, course=course, reason="selection")
    with pytest.raises(IntegrityError):
        PremiumLibraryEntry.objects.create(year=2025, course=course, reason="top_ten")
