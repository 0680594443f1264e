"""The profile's links to an instructor's courses, lectures, ratings and review history, its Q bar, and the counts
that must agree between the profile and 我的评价."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import ReviewProposal
from evaluations.results import services as result_services
from evaluations.review import run as review_run
from instructors.models import Instructor, InstructorYearFigures
from tests import factories
from tests.evaluations import factories as eval_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(world):
    """This year the lecturer has two scored lectures and one with insufficient data; last year one scored. Q stored."""
    year = timezone.localdate().year
    person, course = world["lecturer"], world["course"]
    first, _second = (
        eval_factories.lecture_with_result(instructor=person, course=course, start=eval_factories.at(m, year=year))
        for m in (3, 4)
    )
    eval_factories.lecture_with_result(
        instructor=person, course=course, start=eval_factories.at(5, year=year), score=None, insufficient=True
    )
    eval_factories.lecture_with_result(instructor=person, course=course, start=eval_factories.at(5, year=year - 1))
    result_services.instructor_quality_refresh(instructor=person, year=year)
    factories.norm(year=year, quality="70")
    return first


def _attr(page: str, marker: str, name: str) -> str:
    return re.search(rf'{marker}[^>]*\b{name}="([^"]*)"', page).group(1)


def test_profile_and_my_ratings_show_the_same_stored_q_and_scored_count(client, world, rated):
    stored = InstructorYearFigures.objects.get(instructor=world["lecturer"], year=rated.year)
    client.force_login(world["lecturer_user"])
    profile = client.get(world["lecturer"].get_absolute_url()).content.decode()
    mine = client.get(reverse("evaluations:my_ratings")).content.decode()
    q = re.compile(r"data-quality>([^<]*)<")
    assert q.search(profile).group(1).strip() == q.search(mine).group(1).strip() == str(stored.quality)
    assert _attr(profile, "data-quality-explained", "data-scored") == _attr(
        mine, 'data-count-note="rated"', "data-scored"
    )
    assert (stored.scored_lectures, _attr(mine, 'data-count-note="rated"', "data-rated")) == (2, "3")


def test_profile_q_bar_and_explanation_link_the_rules(client, world, rated):
    client.force_login(world["lecturer_user"])
    page = client.get(world["lecturer"].get_absolute_url()).content.decode()
    assert 'aria-label="年度质量分 Q"' in page
    assert reverse("evaluations:scoring_rules") + "#quality" in page


def test_own_profile_links_to_my_ratings_lectures_and_reviews(client, world, rated):
    cycle = eval_factories.cycle(world["city"])
    ReviewProposal.objects.create(
        cycle=cycle,
        instructor=world["lecturer"],
        proposal="retain",
        rule="retain",
        status="approved",
        decision="retain",
    )
    client.force_login(world["lecturer_user"])
    page = client.get(world["lecturer"].get_absolute_url()).content.decode()
    for url in (
        reverse("evaluations:my_ratings"),
        reverse("evaluations:review_my_outcomes"),
        reverse("outreach:my_schedule"),
        world["lecture"].get_absolute_url(),
        world["course"].get_absolute_url(),
        reverse("evaluations:result_detail", args=[rated.pk]),
        reverse("evaluations:review_proposal_detail", args=[cycle.proposals.get().pk]),
    ):
        assert url in page, url


def test_organizer_sees_the_instructors_results_not_my_ratings(client, world, rated):
    client.force_login(world["org_a"])
    page = client.get(world["lecturer"].get_absolute_url()).content.decode()
    assert f"{reverse('evaluations:result_list')}?instructor={world['lecturer'].pk}" in page
    assert reverse("evaluations:my_ratings") not in page


def test_result_list_filtered_by_instructor_shows_only_theirs(client, world, rated):
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:result_list"), {"instructor": world["colleague"].pk}).content.decode()
    assert reverse("evaluations:result_detail", args=[rated.pk]) not in page


def test_undecided_proposal_is_not_on_the_instructors_own_profile(client, world, rated):
    cycle = eval_factories.cycle(world["city"])
    proposal = ReviewProposal.objects.create(cycle=cycle, instructor=world["lecturer"], proposal="warn", rule="x")
    client.force_login(world["lecturer_user"])
    own = client.get(world["lecturer"].get_absolute_url()).content.decode()
    client.force_login(world["city_org"])
    organizer = client.get(world["lecturer"].get_absolute_url()).content.decode()
    assert (proposal.get_absolute_url() in own, proposal.get_absolute_url() in organizer) == (False, True)


def test_my_ratings_counts_the_chosen_year_only(client, world, rated):
    client.force_login(world["lecturer_user"])
    page = client.get(reverse("evaluations:my_ratings"), {"year": rated.year - 1}).content.decode()
    assert (_attr(page, 'data-count-note="rated"', "data-rated"), page.count("/evaluations/results/")) == ("1", 1)


def test_result_list_for_one_instructor_names_them(client, world, rated):
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:result_list"), {"instructor": world["lecturer"].pk}).content.decode()
    assert "仅显示 张三 的评价结果" in page
    assert page.count('href="/evaluations/results/') == 4  # the three of this year and last year's


def test_review_total_is_the_pool_and_the_candidates_and_says_so(client, world):
    factories.instructor(region=world["county_a"], name="候选人", status="candidate")
    factories.instructor(region=world["county_a"], name="已退出", status="retired")
    cycle = eval_factories.cycle(world["city"])
    review_run.review_cycle_run(cycle_id=cycle.pk)
    client.force_login(world["city_org"])
    page = client.get(reverse("evaluations:review_cycle_detail", args=[cycle.pk])).content.decode()
    cycle.refresh_from_db()
    assert cycle.total == Instructor.objects.in_pool().count() + 1 == 3
    assert "考评对象：本地区在库（在库或考察期）师资及候选师资" in page
