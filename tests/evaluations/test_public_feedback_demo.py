"""The demo's public feedback: comments on column works in every state, a forum and a field visit; a second run adds
nothing."""

import pytest

from config.demo import public_feedback as demo
from evaluations.models import FieldVisit, PublicComment

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_demo():
    from config.demo import courses as courses_demo
    from config.demo import instructors as instructors_demo

    instructors_demo.seed(scale="city", seed=1)
    courses_demo.seed(scale="city", seed=1)


def test_the_demo_fills_every_state_and_a_second_run_adds_nothing(city_demo):
    first = demo.seed(scale="city", seed=1)
    second = demo.seed(scale="city", seed=1)
    states = set(PublicComment.objects.values_list("state", flat=True))
    assert (first["visits"], second) == (2, {"comments": 0, "visits": 0})
    assert states == {"public", "pending", "removed"}
    assert FieldVisit.objects.filter(course__lead_instructor__user__username="instructor").count() == 2
