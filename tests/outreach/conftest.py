"""Shared fixtures of the outreach tests: a hand-made year of lectures, plays and organizations."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import Course
from instructors.models import Instructor
from outreach import services
from outreach.models import BroadcastProgramme, Organization, PlayLog
from tests import factories as base

from . import factories as f

YEAR = 2020


@pytest.fixture
def report():
    """A hand-made year: 4 delivered lectures (one organization visited twice), 1 planned, 1 cancelled."""
    w = f.world()
    municipal = base.instructor(region=w["city"], name="赵六", tier=Instructor.Tier.MUNICIPAL)
    premium = f.course(lead=municipal, status=Course.Status.PREMIUM)
    org_a, org_a2, org_b = w["org_a"], w["org_a2"], w["org_b"]  # 30 members each
    Organization.objects.filter(pk=org_b.pk).update(member_count=12)
    for day, person, org, course in [
        (2, w["instructor_a"], org_a, w["course"]),
        (3, w["instructor_a"], org_a, w["course"]),
        (4, municipal, org_a2, premium),
        (5, w["instructor_b"], org_b, w["course"]),
    ]:
        f.delivered(
            f.lecture(course=course, instructor=person, organization=org, start=f.at(day, 9, year=YEAR)), attendance=40
        )
    f.lecture(course=w["course"], instructor=w["instructor_b"], organization=org_b, start=f.at(20, 9, year=YEAR))
    cancelled = f.lecture(course=w["course"], instructor=municipal, organization=org_b, start=f.at(21, 9, year=YEAR))
    services.lecture_cancel(lecture=cancelled, reason="改期", by=None)
    programme = BroadcastProgramme.objects.create(title="党课开讲啦第1期")
    station_a = f.station(village=w["village_a"], listeners=100)
    f.station(village=w["village_b"], listeners=70)
    for month, day in [(3, 1), (3, 2), (4, 1)]:
        PlayLog.objects.create(
            station=station_a, programme=programme, played_at=timezone.make_aware(dt.datetime(YEAR, month, day, 8))
        )
    return w
