"""seed_demo's analysed lecture: built from synthetic speech by the real engine, once."""

import pytest

from evaluations import demo_analysis
from evaluations.models import LectureAnalysis
from tests import factories as f
from tests.evaluations.factories import lecture_with_result

pytestmark = pytest.mark.django_db


def test_demo_analyses_the_demo_instructors_lecture_once(media_dir):
    county = f.region_tree()["county_a"]
    teacher = f.instructor(region=county, user=f.user(username="instructor", region=county))
    lecture_with_result(instructor=teacher)
    counts = [demo_analysis.seed(stdout=None)["analyses"], demo_analysis.seed(stdout=None)["analyses"]]
    analysis = LectureAnalysis.objects.get()
    assert (counts, analysis.status, len(analysis.result["sections"])) == ([1, 0], "done", 3)


def test_demo_has_a_monotone_stretch_and_a_long_pause(media_dir):
    county = f.region_tree()["county_a"]
    teacher = f.instructor(region=county, user=f.user(username="instructor", region=county))
    lecture_with_result(instructor=teacher)
    demo_analysis.seed(stdout=None)
    codes = {s["code"] for s in LectureAnalysis.objects.get().result["suggestions"]}
    assert {"monotone", "long_pause"} <= codes
