"""Issue 19: approving review proposals in bulk (the ticked ones, or every one matching the filter as confirmed
with its count) decides each proposal once, audited like a single decision; the step panels on the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from evaluations.competition import selectors as competition_selectors
from evaluations.models import JudgeAssignment, ReviewProposal
from evaluations.review import run as review_run
from evaluations.review import services as review_services
from instructors.models import InstructorStatusChange, User
from tests import factories as f
from tests.conftest import refused
from tests.courses import factories as course_factories
from tests.evaluations.factories import YEAR, cycle, good, judge_scores, make_competition, no_shrink
from tests.helpers import count_queries


@pytest.fixture
def review(db):
    """A finished cycle of county A with one retirement (李讲师, 55) and one retention (赵讲师, 85) proposed."""
    no_shrink()
    tree = f.region_tree()
    low = f.instructor(region=tree["county_a"], user=f.user(), name="李讲师")
    good(low, score=55)
    high = f.instructor(region=tree["county_a"], user=f.user(), name="赵讲师")
    good(high, score=85)
    c = cycle(tree["county_a"])
    review_run.review_cycle_run(cycle_id=c.pk)
    return {
        "tree": tree,
        "cycle": c,
        "low": ReviewProposal.objects.get(instructor=low),
        "high": ReviewProposal.objects.get(instructor=high),
        "organizer": f.organizer(tree["county_a"]),
    }


def test_bulk_approve_submitted_twice_decides_each_proposal_once(review):
    ids = [review["low"].pk, review["high"].pk]
    first = review_services.review_proposals_approve(cycle=review["cycle"], ids=ids, by=review["organizer"])
    second = review_services.review_proposals_approve(cycle=review["cycle"], ids=ids, by=review["organizer"])
    audit = InstructorStatusChange.objects.filter(instructor=review["low"].instructor, to_status="retired").count()
    assert (first, second, audit) == ((2, []), (0, []), 1)


def test_bulk_approve_is_audited_with_who_decided(review):
    review_services.review_proposals_approve(cycle=review["cycle"], ids=[review["low"].pk], by=review["organizer"])
    review["low"].refresh_from_db()
    assert (review["low"].status, review["low"].decided_by) == ("approved", review["organizer"])


def test_approve_matching_decides_exactly_the_filtered_proposals(review):
    approved, _errors = review_services.review_proposals_approve_matching(
        cycle=review["cycle"], proposal="retire", expected=1, by=review["organizer"]
    )
    statuses = dict(ReviewProposal.objects.values_list("instructor__name", "status"))
    assert (approved, statuses) == (1, {"李讲师": "approved", "赵讲师": "proposed"})


def test_approve_matching_refuses_when_the_count_confirmed_is_stale(review):
    with refused("selection_changed"):
        review_services.review_proposals_approve_matching(cycle=review["cycle"], expected=1, by=review["organizer"])
    assert ReviewProposal.objects.filter(status="proposed").count() == 2


def test_approve_matching_submitted_twice_does_nothing_the_second_time(review):
    review_services.review_proposals_approve_matching(cycle=review["cycle"], expected=2, by=review["organizer"])
    again = review_services.review_proposals_approve_matching(cycle=review["cycle"], expected=2, by=review["organizer"])
    assert again == (0, [])


def test_approve_matching_with_a_decided_status_filter_approves_nothing(review):
    again = review_services.review_proposals_approve_matching(
        cycle=review["cycle"], status="approved", expected=0, by=review["organizer"]
    )
    assert again == (0, [])


def test_cycle_page_offers_select_all_and_the_matching_count(client, review):
    client.force_login(review["organizer"])
    content = client.get(reverse("evaluations:review_cycle_detail", args=[review["cycle"].pk])).content.decode()
    assert 'data-select-all="ids"' in content
    assert 'name="expected" value="2"' in content and "全部 2 条" in content


def test_cycle_page_shows_the_decide_step_and_no_rule_codes(client, review):
    client.force_login(review["organizer"])
    content = client.get(reverse("evaluations:review_cycle_detail", args=[review["cycle"].pk])).content.decode()
    assert 'aria-current="step"' in content and "2 条拟处理意见待审定" in content
    assert all(code not in content for code in ("quality_below_retire", "sr_below_threshold", "repeated_yellow"))


def test_approve_all_matching_from_the_page(client, review):
    client.force_login(review["organizer"])
    url = reverse("evaluations:review_proposals_approve", args=[review["cycle"].pk])
    response = client.post(url, {"scope": "filter", "proposal": "", "status": "", "expected": "2"})
    assert (response.status_code, ReviewProposal.objects.filter(status="approved").count()) == (302, 2)


def test_approve_all_matching_from_the_page_with_a_stale_count_decides_nothing(client, review):
    client.force_login(review["organizer"])
    url = reverse("evaluations:review_proposals_approve", args=[review["cycle"].pk])
    client.post(url, {"scope": "filter", "expected": "5"})
    assert ReviewProposal.objects.filter(status="approved").count() == 0


def test_organizer_of_another_county_cannot_approve_all(client, review):
    client.force_login(f.organizer(review["tree"]["county_b"]))
    url = reverse("evaluations:review_proposals_approve", args=[review["cycle"].pk])
    assert client.post(url, {"scope": "filter", "expected": "2"}).status_code == 404


def test_cycle_list_shows_each_cycles_step(client, review):
    client.force_login(review["organizer"])
    content = client.get(reverse("evaluations:review_cycle_list")).content.decode()
    assert "<td>审定</td>" in content


# --- Competition facts ----------------------------------------------------------------------------------------------


def test_competition_facts_name_the_judges_still_scoring(db):
    tree = f.region_tree()
    competition = make_competition(tree["city"], year=2026)
    person = f.instructor(region=tree["county_a"], name="王讲师")
    entry = competition.entries.create(course=course_factories.course(lead=person), group=f.group(region=tree["city"]))
    done, late = f.user(role=User.Role.JUDGE, username="j1"), f.user(role=User.Role.JUDGE, username="j2")
    judge_scores(JudgeAssignment.objects.create(competition=competition, entry=entry, judge=done), 80)
    JudgeAssignment.objects.create(competition=competition, entry=entry, judge=late)
    facts = competition_selectors.competition_facts(competition=competition, user=late, manages=False, minimum=2)
    assert (facts.judges_n, facts.judges_lacking, facts.entries_short, facts.my_open_assignments) == (
        2,
        [str(late)],
        1,
        1,
    )


def test_competition_page_says_which_judges_are_missing(client, db):
    tree = f.region_tree()
    competition = make_competition(tree["city"], year=2026)
    person = f.instructor(region=tree["county_a"], name="王讲师")
    entry = competition.entries.create(course=course_factories.course(lead=person), group=f.group(region=tree["city"]))
    late = f.user(role=User.Role.JUDGE, username="late-judge")
    JudgeAssignment.objects.create(competition=competition, entry=entry, judge=late)
    client.force_login(f.organizer(tree["city"]))
    content = client.get(competition.get_absolute_url()).content.decode()
    assert f"还差 1 位评委完成评分：{late}" in content and "2,026" not in content


def test_approving_returns_to_the_list_as_it_was_filtered(client, review):
    client.force_login(review["organizer"])
    url = reverse("evaluations:review_proposals_approve", args=[review["cycle"].pk])
    response = client.post(url, {"scope": "filter", "proposal": "retire", "status": "", "expected": "1"})
    assert response["Location"] == f"{review['cycle'].get_absolute_url()}?proposal=retire"


def test_progress_poll_reloads_the_page_once_the_run_is_over(client, review):
    client.force_login(review["organizer"])
    url = reverse("evaluations:review_cycle_progress", args=[review["cycle"].pk])
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_cycle_list_with_its_step_column_does_not_query_per_cycle(client, review):
    client.force_login(review["organizer"])
    url = reverse("evaluations:review_cycle_list")
    one = count_queries(client, url)
    for quarter in range(2):
        start = dt.date(YEAR + 1, 1 + 3 * quarter, 1)
        cycle(review["tree"]["county_a"], start=start, end=start + dt.timedelta(days=80), kind="quarterly")
    assert count_queries(client, url) == one


def test_proposal_ids_in_the_form_are_not_grouped_by_thousands(client, review):
    ReviewProposal.objects.filter(pk=review["low"].pk).update(id=12345)
    client.force_login(review["organizer"])
    content = client.get(reverse("evaluations:review_cycle_detail", args=[review["cycle"].pk])).content.decode()
    assert 'name="ids" value="12345"' in content


def test_judge_ids_in_the_assign_form_are_not_grouped_by_thousands(client, db):
    tree = f.region_tree()
    competition = make_competition(tree["city"], year=2026)
    f.user(role=User.Role.JUDGE, username="judge-big", id=12345)
    client.force_login(f.organizer(tree["city"]))
    assert '<option value="12345">' in client.get(competition.get_absolute_url()).content.decode()
