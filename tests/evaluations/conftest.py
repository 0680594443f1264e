import datetime as dt

import pytest
from django.utils import timezone

from evaluations.survey import services as survey_services
from tests import factories
from tests.courses import factories as course_factories
from tests.outreach import factories as outreach_factories


@pytest.fixture
def world(db):
    """A city with two counties, an instructor with a lecture that started an hour ago, organizers of both counties."""
    tree = factories.region_tree()
    instructor_user = factories.user(username="lecturer")
    lecturer = factories.instructor(region=tree["county_a"], name="张三", user=instructor_user)
    other_user = factories.user(username="colleague")
    colleague = factories.instructor(region=tree["county_a"], name="李四", user=other_user)
    group = factories.group(region=tree["city"], name="乡村振兴教研组")
    group.members.add(lecturer, colleague)
    course = course_factories.course(lead=lecturer, title="坚持党建引领激活村级治理新动能")
    organization = outreach_factories.organization(region=tree["village_a"], name="白马村党支部")
    start = timezone.now() - dt.timedelta(hours=1)
    lecture = outreach_factories.lecture(course=course, instructor=lecturer, organization=organization, start=start)
    return {
        **tree,
        "lecturer": lecturer,
        "lecturer_user": instructor_user,
        "colleague": colleague,
        "colleague_user": other_user,
        "group": group,
        "course": course,
        "organization": organization,
        "lecture": lecture,
        "org_a": factories.organizer(tree["county_a"]),
        "org_b": factories.organizer(tree["county_b"]),
        "city_org": factories.organizer(tree["city"]),
    }


@pytest.fixture
def evaluation(world):
    """The evaluation of the world's lecture, opened by the county organizer."""
    return survey_services.evaluation_open(lecture=world["lecture"], by=world["org_a"])
