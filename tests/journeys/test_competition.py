"""Journey: an organizer opens a 十佳课程擂台赛 in its final, whose judges have all scored, reads the step panel,
computes the ranking, checks it, publishes it and sees the published result. Clicks only; the login page is the one
URL typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from evaluations.models import Competition, Entry, JudgeAssignment
from instructors.models import User
from tests import factories as f
from tests.browser import login, shot
from tests.courses import factories as course_factories
from tests.evaluations.factories import judge_scores, make_competition

JUDGES = ["张评委", "李评委", "王评委", "刘评委", "陈评委"]
SCORES = [80.41, 82.0, 79.5, 85.25, 78.0]  # each entry adds its own offset


def _no_grouped_years(page) -> None:
    assert not re.search(r"\b2,0\d\d\b", page.inner_text("body")), "a year printed with a thousands separator"


@pytest.fixture
def competition(db) -> Competition:
    """The city's 2026 competition in its final: three entries, five judges who scored every criterion of each."""
    tree = f.region_tree()
    f.organizer(tree["city"], username="organizer")
    competition = make_competition(tree["city"], year=2026)
    judges = [f.user(role=User.Role.JUDGE, username=f"judge{i}", display_name=name) for i, name in enumerate(JUDGES)]
    for number, title in enumerate(["乡村振兴中的基层党建", "新时代党员教育", "红色家风传承"], start=1):
        person = f.instructor(region=tree["county_a"], name=f"讲师{number}")
        entry = Entry.objects.create(
            competition=competition,
            course=course_factories.course(lead=person, title=title),
            group=f.group(region=tree["city"], name=f"第{number}教研组"),
            number=number,
        )
        entry.instructors.add(person)
        for judge, score in zip(judges, SCORES, strict=True):
            assignment = JudgeAssignment.objects.create(competition=competition, entry=entry, judge=judge)
            judge_scores(assignment, score - number)
    return competition


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_ranks_and_publishes_a_competition(page, live_server, competition):
    login(page, live_server.url, "organizer")
    page.get_by_role("button", name="评价").click()
    page.get_by_role("link", name="十佳课程擂台赛").click()
    row = page.locator("tbody tr", has_text=competition.name)
    expect(row).to_contain_text("2026")
    expect(row).to_contain_text("决赛评分")
    _no_grouped_years(page)
    shot(page, "competition", "01-list")

    page.get_by_role("link", name=competition.name).click()
    steps = page.get_by_test_id("steps")
    expect(steps.locator('[aria-current="step"]')).to_contain_text("计算排名")
    expect(steps.locator("li.step-done")).to_have_count(3)
    expect(page.get_by_test_id("next-step")).to_contain_text("全部评委已完成评分")
    expect(page.locator("tbody tr")).to_have_count(3)
    shot(page, "competition", "02-detail")

    steps.get_by_role("button", name="计算排名").click()
    expect(steps.locator('[aria-current="step"]')).to_contain_text("发布结果")
    expect(page.get_by_test_id("next-step")).to_contain_text("请在结果页核对后发布")
    shot(page, "competition", "03-ranked")

    page.get_by_role("link", name="比赛结果").click()
    expect(page.locator("h1")).to_contain_text("比赛结果")
    ranked = page.locator("tbody tr")
    expect(ranked).to_have_count(3)
    expect(ranked.first).to_contain_text("乡村振兴中的基层党建")
    expect(ranked.first).to_contain_text("张评委 79.41；李评委 81.00；王评委 78.50")
    assert "79.410" not in page.inner_text("body")
    shot(page, "competition", "04-results")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_test_id("next-step").get_by_role("button", name="发布结果").click()
    expect(steps.locator('[aria-current="step"]')).to_contain_text("公示")
    expect(steps.locator("li.step-done")).to_have_count(5)
    expect(page.get_by_test_id("next-step")).to_contain_text("结果已发布")
    assert "不能再重新计算" in asked[0]
    _no_grouped_years(page)
    shot(page, "competition", "05-published")

    page.get_by_role("link", name="比赛结果").click()
    expect(page.get_by_text("发布于")).to_be_visible()
    expect(page.locator("tbody tr").first.get_by_role("link")).to_have_count(1)  # the certificate of a top-ten entry
    _no_grouped_years(page)
    shot(page, "competition", "06-published-results")
    competition.refresh_from_db()
    assert (competition.phase, competition.is_published) == ("publicity", True)
