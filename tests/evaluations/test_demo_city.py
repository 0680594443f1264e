"""The city loader of seed_demo (config/demo/evaluations.py): answer sheets drawn in Python, staged on SQLite and
inserted in key order, then the portal's own result computation. What `make run` shows must follow the rules."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.db.models import Count

from config.demo import evaluations as demo
from evaluations.models import Answer, DeviceVote, Evaluation, LectureResult, RaterAnswer, RaterAssignment, Response
from instructors.models import Region
from tests import factories
from tests.outreach import factories as outreach_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_lectures():
    """Twelve delivered lectures in a county of the demo city 嘉州市 (code 5111), which the city loader fills."""
    province = factories.region(name="嘉陵省", level=Region.Level.PROVINCE, code="51")
    city = factories.region(name="嘉州市", level=Region.Level.CITY, parent=province, code="5111")
    county = factories.region(name="嘉城区", parent=city, code="511102")
    town = factories.region(name="青龙镇", level=Region.Level.TOWNSHIP, parent=county, code="511102001")
    village = factories.region(name="白马村", level=Region.Level.VILLAGE, parent=town, code="511102001001")
    lecturer = factories.instructor(region=county)
    course = outreach_factories.course(lead=lecturer)
    organization = outreach_factories.organization(region=village)
    for day in range(1, 13):
        outreach_factories.delivered(
            outreach_factories.lecture(
                course=course, instructor=lecturer, organization=organization, start=outreach_factories.at(day, 9)
            ),
            attendance=30,
        )


def test_city_demo_answers_every_lecture_and_a_second_run_adds_nothing(city_lectures):
    out = io.StringIO()
    first = demo.seed(scale="city", seed=1, stdout=out)
    counts = [Response.objects.count(), Answer.objects.count(), RaterAnswer.objects.count()]
    second = demo.seed(scale="city", seed=1)
    assert first["answers"] == Response.objects.count() == DeviceVote.objects.count() > 12 * 3
    assert second == {"answers": 0}
    assert [Response.objects.count(), Answer.objects.count(), RaterAnswer.objects.count()] == counts
    assert "学员答卷" in out.getvalue()


def test_city_demo_sheets_keep_their_answers_and_results_are_computed(city_lectures):
    demo.seed(scale="city", seed=1)
    assert not Response.objects.annotate(n=Count("answers")).filter(n=0).exists()
    assert Answer.objects.exclude(response__in=Response.objects.all()).count() == 0
    assert LectureResult.objects.count() == Evaluation.objects.filter(lecture__isnull=False).count() == 12
    scored = RaterAssignment.objects.filter(score__isnull=False).annotate(n=Count("answers"))
    assert scored.exists() and not scored.filter(n=0).exists()


def test_city_demo_leaves_no_staging_table(city_lectures):
    demo.seed(scale="city", seed=1)
    temporary = (
        "SELECT name FROM sqlite_temp_master"
        if connection.vendor == "sqlite"
        else ("SELECT relname FROM pg_class WHERE relpersistence = 't'")
    )
    with connection.cursor() as cursor:
        cursor.execute(temporary)
        assert not [name for (name,) in cursor.fetchall() if name.startswith("demo_")]
