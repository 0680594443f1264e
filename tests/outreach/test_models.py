import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from outreach.models import Campaign, Lecture, LectureSlot, Organization
from tests import factories as base

from . import factories as f

pytestmark = pytest.mark.django_db


def test_buckets_cover_the_lecture_in_half_hours():
    buckets = LectureSlot.buckets(f.at(2, 9, 15), f.at(2, 10, 30))
    assert [b.strftime("%H:%M") for b in buckets] == ["09:00", "09:30", "10:00"]


def test_back_to_back_lectures_share_no_bucket():
    first = set(LectureSlot.buckets(f.at(2, 9), f.at(2, 11)))
    assert first.isdisjoint(LectureSlot.buckets(f.at(2, 11), f.at(2, 13)))


def test_lecture_transitions():
    lecture = Lecture(status=Lecture.Status.PLANNED)
    assert (lecture.can_confirm, lecture.can_deliver, lecture.can_cancel, lecture.can_close) == (
        True,
        False,
        True,
        False,
    )


def test_lecture_end_must_follow_start():
    w = f.world()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lecture.objects.create(
            instructor=w["instructor_a"],
            course=w["course"],
            start=f.at(2, 9),
            end=f.at(2, 9),
            organization=w["org_a"],
            county=w["county_a"],
        )


def test_organization_names_are_unique_per_region():
    w = f.world()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.organization(region=w["village_a"], name="白马村党支部")


def test_organization_county_is_derived_from_the_region():
    w = f.world()
    assert Organization.objects.get(pk=w["org_a"].pk).county == w["county_a"]


def test_lectures_visible_to_an_organizer_are_those_of_their_county():
    w = f.world()
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    f.lecture(course=w["course"], instructor=w["instructor_b"], organization=w["org_b"], start=f.at(2, 9))
    counts = [Lecture.objects.visible_to(u).count() for u in (w["organizer_a"], w["organizer_b"], w["city_organizer"])]
    assert counts == [1, 1, 2]


def test_lectures_visible_to_an_instructor_are_their_own():
    w = f.world()
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    assert Lecture.objects.visible_to(w["instructor_b"].user).count() == 0


def test_campaigns_of_the_city_are_visible_to_a_county_organizer_but_not_of_another_county():
    w = f.world()
    city = f.campaign(region=w["city"])
    f.campaign(region=w["county_a"])
    assert list(Campaign.objects.visible_to(w["organizer_b"])) == [city]


def test_campaign_dates_must_be_in_order():
    w = f.world()
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(name="x", region=w["city"], starts_on=dt.date(2030, 2, 1), ends_on=dt.date(2030, 1, 1))


def test_judge_sees_no_organizations():
    w = f.world()
    judge = base.user(role="judge")
    assert (
        Organization.objects.visible_to(judge).count(),
        Organization.objects.visible_to(w["organizer_a"]).count(),
    ) == (0, 2)
