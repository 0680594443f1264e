"""Builders for outreach test data, on top of the registry's factories."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from courses.models import Course, Topic
from instructors.models import Instructor, Region, User
from outreach.models import Campaign, CourseRequest, Lecture, Organization, Station
from outreach.services import lecture_schedule
from tests import factories as base

_seq = itertools.count(1)


def course(*, lead: Instructor, status: str = Course.Status.ACTIVE, title: str | None = None) -> Course:
    topic, _created = Topic.objects.get_or_create(name="党的创新理论")
    return Course.objects.create(title=title or f"课程{next(_seq)}", topic=topic, lead_instructor=lead, status=status)


def organization(
    *, region: Region, name: str | None = None, type: str = Organization.Type.VILLAGE, members: int = 30
) -> Organization:
    org = Organization(name=name or f"组织{next(_seq)}", type=type, region=region, member_count=members)
    org.fill_county()
    org.save()
    return org


def at(day: int, hour: int, minute: int = 0, *, year: int = 2030, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def lecture(
    *,
    course: Course,
    instructor: Instructor,
    organization: Organization,
    start: dt.datetime,
    hours: float = 2,
    by: User | None = None,
    **extra,
) -> Lecture:
    return lecture_schedule(
        course=course,
        instructor=instructor,
        start=start,
        end=start + dt.timedelta(hours=hours),
        organization=organization,
        venue="会议室",
        by=by,
        **extra,
    )


def delivered(lecture: Lecture, *, attendance: int = 40, hours: str = "2") -> Lecture:
    """Mark a (past) lecture delivered without the service's photo handling (bulk-like, for report data)."""
    Lecture.objects.filter(pk=lecture.pk).update(
        status=Lecture.Status.DELIVERED, audience_actual=attendance, hours=hours
    )
    lecture.refresh_from_db()
    return lecture


def campaign(*, region: Region, year: int = 2030, **targets) -> Campaign:
    return Campaign.objects.create(
        name=f"{year}年万堂示范课下基层{next(_seq)}",
        region=region,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        target_lectures=targets.get("lectures", 10),
        target_organizations=targets.get("organizations", 5),
        target_members=targets.get("members", 100),
    )


def course_request(*, organization: Organization, course: Course, by: User, **extra) -> CourseRequest:
    return CourseRequest.objects.create(
        organization=organization,
        course=course,
        preferred_from=dt.date(2030, 3, 1),
        preferred_to=dt.date(2030, 3, 31),
        expected_audience=50,
        created_by=by,
        **extra,
    )


def station(*, village: Region, listeners: int = 100) -> Station:
    return Station.objects.create(region=village, county=village.county, listeners=listeners)


def world() -> dict:
    """Two counties with a village each, an organizer per county and the city, two instructors, a course."""
    tree = base.region_tree()
    town_b = base.region(name="龙泉镇", level=Region.Level.TOWNSHIP, parent=tree["county_b"])
    tree["village_b"] = base.region(name="石桥村", level=Region.Level.VILLAGE, parent=town_b)
    a_user = base.user()
    b_user = base.user()
    tree["instructor_a"] = base.instructor(region=tree["county_a"], name="张三", user=a_user)
    tree["instructor_b"] = base.instructor(region=tree["county_b"], name="李四", user=b_user)
    tree["course"] = course(lead=tree["instructor_a"])
    tree["org_a"] = organization(region=tree["village_a"], name="白马村党支部")
    tree["org_a2"] = organization(region=tree["village_a"], name="白马村小学", type=Organization.Type.SCHOOL)
    tree["org_b"] = organization(region=tree["village_b"], name="石桥村党支部")
    tree["city_organizer"] = base.organizer(tree["city"])
    tree["organizer_a"] = base.organizer(tree["county_a"])
    tree["organizer_b"] = base.organizer(tree["county_b"])
    return tree
