"""Issue 19: the step panels. The pure step functions on every state of a review cycle and of a competition (no
database: the objects are built in memory), then the panels and the select-all on the real pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.steps import CURRENT, DONE, TODO, sentences
from evaluations.competition.steps import CompetitionFacts, competition_current_step, competition_steps
from evaluations.models import Competition, ReviewCycle
from evaluations.review.steps import review_steps


def _cycle(status: str, *, processed: int = 0, total: int = 0) -> ReviewCycle:
    return ReviewCycle(pk=7, status=status, processed=processed, total=total, due_at=timezone.now())


def _states(progress) -> list[str]:
    return [step.state for step in progress.steps]


# --- Review: 创建考评周期 → 运行 → 审定 → 结果运用 ------------------------------------------------------------------


def test_review_without_a_cycle_asks_the_organizer_to_plan_one():
    progress = review_steps(cycle=None, may_manage=True)
    assert (_states(progress), progress.next.url) == ([CURRENT, TODO, TODO, TODO], "/evaluations/reviews/#plan")


def test_review_pending_offers_to_run_now_as_a_post():
    progress = review_steps(cycle=_cycle("pending"), may_manage=True)
    assert (_states(progress), progress.next.url, progress.next.is_form) == (
        [DONE, CURRENT, TODO, TODO],
        "/evaluations/reviews/7/start/",
        True,
    )


def test_review_running_has_no_button_and_says_how_far_it_is():
    progress = review_steps(cycle=_cycle("running", processed=3, total=10), may_manage=True)
    assert (_states(progress)[1], progress.next.url, "3" in progress.next.text) == (CURRENT, "", True)


def test_review_done_with_undecided_proposals_points_to_them():
    progress = review_steps(cycle=_cycle("done"), proposals_n=5, undecided_n=2, may_manage=True)
    assert (_states(progress), progress.next.url) == ([DONE, DONE, CURRENT, TODO], "/evaluations/reviews/7/#proposals")


def test_review_undecided_seen_by_someone_who_may_not_decide_says_who_does():
    progress = review_steps(cycle=_cycle("done"), proposals_n=5, undecided_n=2, may_manage=False)
    assert (progress.next.url, progress.current.key) == ("", "decide")


def test_review_all_decided_is_complete_and_offers_the_next_cycle():
    progress = review_steps(cycle=_cycle("done"), proposals_n=5, undecided_n=0, may_manage=True)
    assert (_states(progress), progress.current, progress.next.url) == (
        [DONE, DONE, DONE, DONE],
        None,
        "/evaluations/reviews/#plan",
    )


# --- Competition: 报名 → 初赛互评 → 决赛评分 → 计算排名 → 发布结果 → 公示 ---------------------------------------------


def _competition(phase: str, *, ranked: bool = False, published: bool = False) -> Competition:
    today = dt.date(2026, 6, 1)
    return Competition(
        pk=3,
        name="2026年十佳课程擂台赛",
        year=2026,
        phase=phase,
        registration_ends=today,
        preliminary_ends=today,
        final_ends=today,
        publicity_ends=today,
        ranked_at=timezone.now() if ranked else None,
        published_at=timezone.now() if published else None,
    )


def test_competition_registration_lets_the_organizer_start_the_peer_review():
    progress = competition_steps(
        competition=_competition("registration"), facts=CompetitionFacts(entries_n=4, manages=True)
    )
    assert (progress.current.key, progress.next.url) == ("registration", "/evaluations/competitions/3/advance/")


def test_competition_registration_without_entries_has_no_button():
    progress = competition_steps(competition=_competition("registration"), facts=CompetitionFacts(manages=True))
    assert (progress.current.key, progress.next.url) == ("registration", "")


def test_competition_preliminary_names_the_groups_still_to_score():
    facts = CompetitionFacts(entries_n=3, groups_missing=["甲组", "乙组"], manages=True)
    progress = competition_steps(competition=_competition("preliminary"), facts=facts)
    assert (progress.current.key, "甲组、乙组" in progress.next.text) == ("preliminary", True)


def test_competition_preliminary_sends_a_group_leader_to_the_peer_page():
    facts = CompetitionFacts(entries_n=3, groups_missing=["甲组"], my_groups_missing=["甲组"])
    progress = competition_steps(competition=_competition("preliminary"), facts=facts)
    assert progress.next.url == "/evaluations/competitions/3/peer/"


def test_competition_final_without_judges_asks_to_assign_them():
    progress = competition_steps(competition=_competition("final"), facts=CompetitionFacts(manages=True))
    assert (progress.current.key, progress.next.url) == ("final", "/evaluations/competitions/3/#judges")


def test_competition_final_names_the_judges_still_scoring_and_offers_no_button():
    facts = CompetitionFacts(entries_n=3, judges_n=5, judges_lacking=["张三", "李四"], entries_short=1, manages=True)
    progress = competition_steps(competition=_competition("final"), facts=facts)
    assert (progress.current.key, progress.next.url, "张三、李四" in progress.next.text) == ("final", "", True)


def test_competition_final_sends_a_judge_with_open_scores_to_the_score_page():
    facts = CompetitionFacts(entries_n=3, judges_n=5, judges_lacking=["张三"], my_open_assignments=2)
    progress = competition_steps(competition=_competition("final"), facts=facts)
    assert progress.next.url == "/evaluations/competitions/3/score/"


def test_competition_fully_scored_asks_to_compute_the_ranking():
    facts = CompetitionFacts(entries_n=3, judges_n=5, manages=True)
    progress = competition_steps(competition=_competition("final"), facts=facts)
    assert (_states(progress), progress.next.url) == (
        [DONE, DONE, DONE, CURRENT, TODO, TODO],
        "/evaluations/competitions/3/rank/",
    )


def test_competition_scores_changed_after_ranking_asks_to_rank_again():
    facts = CompetitionFacts(entries_n=3, judges_n=5, changed_since_ranking=True, manages=True)
    assert competition_current_step(_competition("final", ranked=True), facts) == "rank"


def test_competition_ranked_asks_to_publish_with_a_confirmation():
    facts = CompetitionFacts(entries_n=3, judges_n=5, manages=True)
    progress = competition_steps(competition=_competition("final", ranked=True), facts=facts)
    assert (progress.current.key, progress.next.url, bool(progress.next.confirm)) == (
        "publish",
        "/evaluations/competitions/3/advance/",
        True,
    )


def test_competition_ranked_seen_by_an_instructor_says_the_organizers_publish():
    facts = CompetitionFacts(entries_n=3, judges_n=5)
    progress = competition_steps(competition=_competition("final", ranked=True), facts=facts)
    assert (progress.current.key, progress.next.url) == ("publish", "")


def test_competition_published_is_in_its_public_notice():
    progress = competition_steps(
        competition=_competition("publicity", ranked=True, published=True), facts=CompetitionFacts(manages=True)
    )
    assert (_states(progress), progress.next.url) == (
        [DONE, DONE, DONE, DONE, DONE, CURRENT],
        "/evaluations/competitions/3/advance/",
    )


def test_competition_closed_has_every_step_done_and_links_the_results():
    progress = competition_steps(
        competition=_competition("closed", ranked=True, published=True), facts=CompetitionFacts()
    )
    assert (set(_states(progress)), progress.next.url) == ({DONE}, "/evaluations/competitions/3/results/")


def test_competition_list_row_shows_the_final_until_ranked():
    assert (
        competition_current_step(_competition("final")),
        competition_current_step(_competition("final", ranked=True)),
    ) == ("final", "publish")


def test_sentences_drop_the_space_after_chinese_punctuation_only():
    assert (sentences("待审定。 请勾选"), sentences("Wait. Then go")) == ("待审定。请勾选", "Wait. Then go")
