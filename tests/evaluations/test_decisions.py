"""Issue 14: decisions people can trust. Each "wrong today" item has a test that fails on commit 0bc64ab; the
docstring says what it guards."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import PremiumLibraryEntry
from evaluations.competition import services as competition_services
from evaluations.models import (
    AudienceScore,
    CompetitionResult,
    Entry,
    Indicator,
    LectureResult,
    PeerScore,
    RaterAssignment,
    ResultAction,
    ReviewProposal,
    ScoringSettings,
)
from evaluations.results import services as result_services
from evaluations.review import run as review_run
from evaluations.scoring import DEFAULTS, ranking
from evaluations.survey import services as survey_services
from instructors.models import InstructorYearFigures, User
from tests import factories as f
from tests.evaluations.factories import (
    YEAR,
    at,
    cycle,
    good,
    judge_scores,
    lecture_with_result,
    make_competition,
    no_shrink,
)
from tests.outreach import factories as of

# --- 1. One yearly quality Q ---------------------------------------------------------------------------------------


@pytest.fixture
def finalist(db):
    """An instructor with two lectures scored 80 (no shrinkage) whose course ranked 11th in the published
    competition of the year: Q = 80 + finalist bonus 1 = 81.00."""
    no_shrink()
    tree = f.region_tree()
    account = f.user()
    person = f.instructor(region=tree["county_a"], user=account, name="李讲师")
    good(person, n=2, score=80)
    competition = make_competition(tree["city"], year=YEAR, published_at=timezone.now())
    entry = Entry.objects.create(
        competition=competition, course=of.course(lead=person), group=f.group(region=tree["city"]), number=1
    )
    entry.instructors.add(person)
    CompetitionResult.objects.create(competition=competition, entry=entry, rank=11, final=Decimal("70.00"))
    result_services.instructors_quality_refresh(year=YEAR, instructor_ids=[person.pk])
    review_cycle = cycle(tree["county_a"])
    review_run.review_cycle_run(cycle_id=review_cycle.pk)
    return {"tree": tree, "person": person, "account": account, "organizer": f.organizer(tree["county_a"])}


def test_q_is_the_same_on_profile_my_ratings_review_and_export_for_a_finalist(client, finalist):
    """Guards wrong #1: instructors_quality_refresh passed finalist=0, so the profile showed 80.00 and the review
    81.00. Now one computation, stored once, read everywhere."""
    person = finalist["person"]
    stored = InstructorYearFigures.objects.get(instructor=person, year=YEAR).quality
    proposal = ReviewProposal.objects.get(instructor=person)
    client.force_login(finalist["account"])
    mine = client.get(reverse("evaluations:my_ratings"), {"year": YEAR}).content.decode()
    headline = Decimal(re.search(r"data-quality>([\d.]+)<", mine).group(1))
    client.force_login(finalist["organizer"])
    profile = client.get(reverse("instructors:instructor_detail", args=[person.pk])).content.decode()
    proposal_page = client.get(reverse("evaluations:review_proposal_detail", args=[proposal.pk])).content.decode()
    export = load_workbook(io.BytesIO(client.get(reverse("evaluations:result_export"), {"year": YEAR}).content))
    exported = [row for row in export["年度质量分"].iter_rows(values_only=True)][1][2]
    assert {stored, proposal.quality, headline, Decimal(str(exported))} == {Decimal("81.00")}
    assert "81.00" in profile and "Q = 81.00" in proposal_page


def test_publication_puts_the_finalist_bonus_into_the_stored_q(db):
    """Guards wrong #1: the stored Q must change when the competition that gives the bonus is published."""
    no_shrink()
    tree = f.region_tree()
    person = f.instructor(region=tree["county_a"], name="王讲师")
    good(person, n=2, score=80)
    result_services.instructors_quality_refresh(year=YEAR, instructor_ids=[person.pk])
    competition = make_competition(tree["city"], year=YEAR, phase="final", ranked_at=timezone.now())
    entry = Entry.objects.create(
        competition=competition, course=of.course(lead=person), group=f.group(region=tree["city"]), number=1
    )
    entry.instructors.add(person)
    CompetitionResult.objects.create(competition=competition, entry=entry, rank=11, final=Decimal("70.00"))
    competition_services.competition_advance(competition=competition, by=f.organizer(tree["city"]))
    assert InstructorYearFigures.objects.get(instructor=person, year=YEAR).quality == Decimal("81.00")


def test_my_ratings_explains_q_and_shows_the_plain_mean_and_satisfaction_as_a_percentage(client, finalist):
    """Guards the 我的评价 headline: the same Q with how it was computed, the plain mean beside it, 90 %."""
    client.force_login(finalist["account"])
    page = client.get(reverse("evaluations:my_ratings"), {"year": YEAR}).content.decode()
    assert "我的年度质量分 Q" in page and "我的授课得分简单平均" in page
    assert "90 %" in page


# --- 2. Insufficient data decides nothing --------------------------------------------------------------------------


@pytest.fixture
def evaluation(world):
    return survey_services.evaluation_open(lecture=world["lecture"], by=world["org_a"])


def _answers(evaluation, n: int, *, step: int, satisfaction: int) -> None:
    values = {
        pk: step for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    }
    for _ in range(n):
        survey_services.survey_submit(
            evaluation=evaluation, device_id=uuid.uuid4().hex, values=values, satisfaction=satisfaction, seconds=60.0
        )


def test_insufficient_lecture_carries_no_flag_and_proposes_no_consequence(world, evaluation):
    """Guards wrong #2: 12 unhappy trainees and no named rater (counted weight 0.40 < 0.60) made a red flag and
    proposed rectification and retraining from a lecture marked 数据不足."""
    _answers(evaluation, 12, step=2, satisfaction=1)
    result = result_services.result_compute(evaluation=evaluation)
    assert (result.insufficient, result.flag, result.sr_yellow) == (True, "", False)
    assert not ResultAction.objects.filter(result=result).exists()


def test_recomputing_a_lecture_that_became_insufficient_withdraws_its_undecided_proposals(world, evaluation):
    """Guards wrong #2: a proposal stays only while the result supports it."""
    _answers(evaluation, 12, step=2, satisfaction=1)
    expert = RaterAssignment.objects.create(
        evaluation=evaluation, role="expert", name="专家", submitted_at=timezone.now(), score=Decimal(60)
    )
    result = result_services.result_compute(evaluation=evaluation)
    assert ResultAction.objects.filter(result=result).count() == 2
    expert.delete()
    result_services.result_compute(evaluation=evaluation)
    assert not ResultAction.objects.filter(result=result).exists()


def test_insufficient_result_page_says_how_many_more_answers_it_needed(client, world, evaluation):
    """Guards wrong #2: the page says 还需 N 份有效问卷 and that the lecture decides nothing."""
    _answers(evaluation, 5, step=4, satisfaction=4)
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:result_detail", args=[result.pk])).content.decode()
    assert "还需 3 份有效问卷" in page and "不计入考评" in page


def test_insufficient_red_lecture_gives_no_penalty_in_q_and_no_red_flag_in_the_review(db):
    """Guards wrong #2: the review counted the red flag of an insufficient lecture (warn: red_flag)."""
    no_shrink()
    tree = f.region_tree()
    person = f.instructor(region=tree["county_a"])
    good(person, n=2, score=85)
    lecture_with_result(instructor=person, score=40, flag="red", insufficient=True, start=at(6))
    review_cycle = cycle(tree["county_a"])
    review_run.review_cycle_run(cycle_id=review_cycle.pk)
    proposal = ReviewProposal.objects.get(instructor=person)
    assert (proposal.quality, proposal.figures["red_flags"], proposal.rule) == (Decimal("85.00"), 0, "retain")


def test_an_insufficient_trial_lecture_does_not_admit_a_candidate(db):
    """Guards wrong #2 in the review: admission must not rest on a lecture without enough answers."""
    from instructors.models import Instructor

    tree = f.region_tree()
    candidate = f.instructor(region=tree["county_a"], status=Instructor.Status.CANDIDATE)
    lecture_with_result(
        instructor=candidate, score=86, sr=0.9, sr_n=30, experts=[85, 90, 80], insufficient=True, start=at(5)
    )
    review_run.review_cycle_run(cycle_id=cycle(tree["county_a"]).pk)
    assert not ReviewProposal.objects.filter(instructor=candidate).exists()


# --- 3. Competition: the judge minimum ------------------------------------------------------------------------------


@pytest.fixture
def arena(db):
    """Three entries: A with 5 judges, B with 1 judge, C with no judge but peers 99 and audience 99."""
    tree = f.region_tree()
    competition = make_competition(tree["city"])
    judges = [f.user(role=User.Role.JUDGE, username=f"judge{i}") for i in range(5)]
    entries = []
    for i in range(3):
        person = f.instructor(region=tree["county_a"], name=f"讲师{i}")
        group = f.group(region=tree["city"])
        entry = Entry.objects.create(competition=competition, course=of.course(lead=person), group=group, number=i + 1)
        entry.instructors.add(person)
        entries.append(entry)
    for judge in judges:
        judge_scores(competition_services.judge_assign(entry=entries[0], judge=judge), 80)
    judge_scores(competition_services.judge_assign(entry=entries[1], judge=judges[0]), 95)
    recused = competition_services.judge_assign(entry=entries[1], judge=judges[1])
    competition_services.judge_recuse(assignment=recused, by=judges[1])
    PeerScore.objects.create(entry=entries[2], group=entries[0].group, value=Decimal(99))
    AudienceScore.objects.create(entry=entries[2], n=30, mean=Decimal(99))
    return {"tree": tree, "competition": competition, "entries": entries, "organizer": f.organizer(tree["city"])}


def test_entries_below_the_judge_minimum_are_not_ranked(arena):
    """Guards wrong #3: an entry with one judge was ranked, and one with no judge ranked 1st on peers + audience."""
    competition_services.competition_rank(competition_id=arena["competition"].pk)
    ranks = dict(CompetitionResult.objects.values_list("entry_id", "rank"))
    a, b, c = (e.pk for e in arena["entries"])
    assert (ranks[a], ranks[b], ranks[c]) == (1, None, None)
    assert CompetitionResult.objects.get(entry_id=c).breakdown["eligible"] is False


def test_publication_never_promotes_an_entry_below_the_judge_minimum(arena):
    """Guards wrong #3: never published, never premium."""
    competition_services.competition_rank(competition_id=arena["competition"].pk)
    competition_services.competition_advance(competition=arena["competition"], by=arena["organizer"])
    promoted = set(PremiumLibraryEntry.objects.values_list("course_id", flat=True))
    assert promoted == {arena["entries"][0].course_id}


def test_ranking_warns_the_organizer_which_entries_lack_which_judges(client, arena, settings):
    """Guards wrong #3: ranking says which entries lack judges and who (a recused judge is missing)."""
    settings.CELERY_BROKER_URL = "memory://"
    client.force_login(arena["organizer"])
    response = client.post(reverse("evaluations:competition_rank", args=[arena["competition"].pk]), follow=True)
    text = response.content.decode()
    assert "仅 1/5 位评委完整评分" in text and "judge1" in text
    assert "仅 0/5 位评委完整评分" in text


def test_results_page_shows_below_requirement_to_organizers_and_hides_it_after_publication(client, arena):
    """Guards wrong #3: 未达评分要求 (k/5 位评委) on the organizer's page; not in the published results."""
    competition_services.competition_rank(competition_id=arena["competition"].pk)
    client.force_login(arena["organizer"])
    url = reverse("evaluations:competition_results", args=[arena["competition"].pk])
    assert "未达评分要求（1/5 位评委）" in client.get(url).content.decode()
    competition_services.competition_advance(competition=arena["competition"], by=arena["organizer"])
    client.force_login(f.user())
    published = client.get(url).content.decode()
    assert "未达评分要求" not in published


# --- 4. Tie-breaks on exact values ----------------------------------------------------------------------------------


def test_tie_break_compares_exact_values_not_rounded_ones():
    """Guards wrong #4: judges' means 80.001 and 80.004 were rounded to 80.00 before breaking a tie on F."""
    rows = [
        ranking.Ranked(1, Decimal("85.00"), Decimal("80.00"), Decimal("80"), Decimal("80"), exact=(80.001, 80, 80)),
        ranking.Ranked(2, Decimal("85.00"), Decimal("80.00"), Decimal("80"), Decimal("80"), exact=(80.004, 80, 80)),
    ]
    ranked = ranking.rank(rows)
    assert [(r.entry, r.rank, r.tie_break) for r in ranked] == [(2, 1, "judges"), (1, 2, "judges")]
    assert ranked[1].tie_values == ("judges", 80.001, 80.004, 2)


def test_results_page_shows_the_values_behind_a_tie_break(client, db):
    """Guards wrong #4: the page printed the English code of the tie-break; now the values that decided it."""
    tree = f.region_tree()
    competition = make_competition(tree["city"])
    judges = [f.user(role=User.Role.JUDGE, username=f"j{i}") for i in range(5)]
    # 0.65 × 80 + 0.35 × 80 = 0.65 × 73 + 0.35 × 93 = 80.00: equal F and judges' mean, the effect decides.
    for number, (value, effect) in enumerate(((80, 80), (73, 93)), start=1):
        person = f.instructor(region=tree["county_a"])
        entry = Entry.objects.create(
            competition=competition, course=of.course(lead=person), group=f.group(region=tree["city"]), number=number
        )
        for judge in judges:
            judge_scores(competition_services.judge_assign(entry=entry, judge=judge), value, effect=effect)
    competition_services.competition_rank(competition_id=competition.pk)
    client.force_login(f.organizer(tree["city"]))
    page = client.get(reverse("evaluations:competition_results", args=[competition.pk])).content.decode()
    assert "同分时的决定依据" in page and "培训效果分：93.0000 对 80.0000" in page
    assert "现场观众" in page and "0.70/0.20/0.10" not in page


# --- 5. In Chinese, with the values used --------------------------------------------------------------------------


def test_rule_labels_quote_the_settings_version_the_proposal_used(client, db):
    """Guards the hard-coded "below 60": the label quotes the threshold of the version stored on the proposal."""
    ScoringSettings.objects.filter(is_current=True).update(is_current=False)
    ScoringSettings.objects.create(
        version=77, params={**DEFAULTS, "shrink_k": 0, "review": {"retire_quality": 65}}, is_current=True
    )
    tree = f.region_tree()
    person = f.instructor(region=tree["county_a"])
    good(person, n=2, score=62)
    review_cycle = cycle(tree["county_a"])
    review_run.review_cycle_run(cycle_id=review_cycle.pk)
    proposal = ReviewProposal.objects.get(instructor=person)
    client.force_login(f.organizer(tree["county_a"]))
    page = client.get(reverse("evaluations:review_proposal_detail", args=[proposal.pk])).content.decode()
    assert (proposal.scoring.version, proposal.rule) == (77, "quality_below_retire")
    assert "年度质量分 Q 低于 65" in page and "True" not in page and "{&#x27;" not in page


def test_flag_rule_is_named_in_words_with_links_to_both_yellow_lectures(client, world, evaluation):
    """Guards the code `repeated_yellow` on the page: the rule in words and links to the lectures it used."""
    instructor = world["lecturer"]
    earlier = lecture_with_result(
        instructor=instructor, course=world["course"], start=timezone.now() - dt.timedelta(days=30), sr=0.7
    )
    LectureResult.objects.filter(pk=earlier.pk).update(sr_yellow=True)
    _answers(evaluation, 10, step=4, satisfaction=4)  # 10 of 12 satisfied: 83 %, yellow, upper bound above 85 %
    _answers(evaluation, 2, step=4, satisfaction=1)
    RaterAssignment.objects.create(
        evaluation=evaluation, role="expert", name="专家", submitted_at=timezone.now(), score=Decimal(85)
    )
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:result_detail", args=[result.pk])).content.decode()
    assert result.flag_rule == "repeated_yellow" and "repeated_yellow" not in page
    assert "同一课程最近 3 次授课中 2 次黄色预警" in page
    assert reverse("evaluations:result_detail", args=[earlier.pk]) in page


def test_small_groups_stay_private_for_the_instructor(client, world, evaluation):
    """Guards privacy: with 3 answers the instructor sees 人数过少，不单独显示 instead of the distribution."""
    _answers(evaluation, 3, step=4, satisfaction=4)
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(world["lecturer_user"])
    page = client.get(reverse("evaluations:result_detail", args=[result.pk])).content.decode()
    assert "人数过少，不单独显示" in page


def test_scoring_rules_page_renders_the_current_settings(client, world):
    """The 评分规则 page is built from the settings in force, not from fixed text."""
    ScoringSettings.objects.filter(is_current=True).update(is_current=False)
    ScoringSettings.objects.create(version=88, params={**DEFAULTS, "red_score": 55}, is_current=True)
    client.force_login(world["lecturer_user"])
    page = client.get(reverse("evaluations:scoring_rules")).content.decode()
    assert "第 88 版评分设置" in page and "综合得分低于 55" in page


# --- 9. Consequences list -------------------------------------------------------------------------------------------


def test_consequences_list_query_count_does_not_grow(client, db):
    """The consequences list (结果运用) runs a fixed number of queries for 1 or 3 proposals."""
    tree = f.region_tree()
    organizer = f.organizer(tree["county_a"])
    person = f.instructor(region=tree["county_a"])

    def add() -> None:
        result = lecture_with_result(instructor=person, score=50, flag="red")
        ResultAction.objects.create(result=result, kind="rectify", rule="score_below_red_line", figures={"n": 12})

    add()
    client.force_login(organizer)
    url = reverse("evaluations:action_list")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add()
    add()
    with CaptureQueriesContext(connection) as three:
        assert "综合得分" in client.get(url).content.decode()
    assert len(three) == len(one)


# --- 8. Demo data ---------------------------------------------------------------------------------------------------


def test_demo_settles_old_consequences_and_keeps_recent_ones_pending(db):
    """The organizer's home showed 999+ pending consequences: the demo now settles those older than 45 days."""
    from config.demo import evaluations as demo

    tree = f.region_tree()
    f.organizer(tree["county_a"], username="organizer")
    person = f.instructor(region=tree["county_a"])
    old = lecture_with_result(instructor=person, score=50, flag="red", start=timezone.now() - dt.timedelta(days=90))
    new = lecture_with_result(instructor=person, score=50, flag="red", start=timezone.now() - dt.timedelta(days=3))
    for result in (old, new):
        for kind in ("rectify", "retrain"):
            ResultAction.objects.create(result=result, kind=kind, rule="score_below_red_line")
    demo._settle_old_consequences()
    statuses = dict(ResultAction.objects.filter(result=old).values_list("kind", "status"))
    assert statuses == {"rectify": "dismissed", "retrain": "confirmed"}
    assert set(ResultAction.objects.filter(result=new).values_list("status", flat=True)) == {"proposed"}


def test_demo_course_qualities_make_most_lectures_fine():
    """Most courses are good: fewer than one in ten draws is a weak course (the source of red flags)."""
    import random

    from config.demo import evaluations as demo

    rng = random.Random(1)
    draws = [demo._course_quality(rng) for _ in range(2000)]
    assert sum(q < 3.95 for q in draws) / len(draws) < 0.10
    assert sum(q >= 4.1 for q in draws) / len(draws) > 0.75
