from decimal import Decimal

import pytest

from care import demo
from care.models import AwardFund, Greeting, InternalPost, Nomination, StudyApplication
from instructors.models import Instructor, InstructorYearFigures, TeachingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_demo():
    from courses import demo as courses_demo
    from instructors import demo as instructors_demo

    instructors_demo.seed(scale="city", seed=1)
    courses_demo.seed(scale="city", seed=1)
    for i, person in enumerate(Instructor.objects.in_pool().order_by("pk")[:30]):
        InstructorYearFigures.objects.create(
            instructor=person, year=2026, lectures=10, hours=Decimal("20"), quality=Decimal(80 + i % 15)
        )


def test_care_demo_builds_every_part_and_a_second_run_adds_nothing(city_demo):
    first = demo.seed(scale="city", seed=1)
    counts = [Nomination.objects.count(), StudyApplication.objects.count(), Greeting.objects.count()]
    second = demo.seed(scale="city", seed=1)
    assert all(first.values()) and not any(second.values())
    assert [Nomination.objects.count(), StudyApplication.objects.count(), Greeting.objects.count()] == counts


def test_care_demo_keeps_the_fund_within_its_budget_and_leaders_follow_posts(city_demo):
    demo.seed(scale="city", seed=1)
    fund = AwardFund.objects.get()
    led = InternalPost.objects.filter(group__isnull=False, appointments__ended_on__isnull=True).values_list(
        "group_id", "appointments__instructor_id"
    )
    assert fund.balance >= 0
    assert all(TeachingGroup.objects.get(pk=g).leader_id == i for g, i in led)
