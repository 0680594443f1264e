"""Journey: an organizer plans an admit/retire review cycle, runs it, sees the proposals, selects them all,
approves them and is told what comes next. Clicks only; the login page is the one URL typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from evaluations.models import ReviewProposal
from evaluations.review import run as review_run
from instructors.models import InstructorStatusChange
from tests import factories as f
from tests.browser import login, shot
from tests.evaluations.factories import YEAR, cycle, good, no_shrink

RULE_CODES = ("quality_below_retire", "sr_below_threshold", "repeated_yellow")


def _no_codes_or_grouped_years(page) -> None:
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert not any(code in text for code in RULE_CODES)
    assert not re.search(r"\b2,0\d\d\b", text), "a year printed with a thousands separator"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_runs_a_review_and_approves_every_proposal(page, live_server):
    no_shrink()
    tree = f.region_tree()
    f.organizer(tree["county_a"], username="organizer")
    good(f.instructor(region=tree["county_a"], user=f.user(), name="李讲师"), score=55)
    good(f.instructor(region=tree["county_a"], user=f.user(), name="赵讲师"), score=85)

    login(page, live_server.url, "organizer")
    page.get_by_role("button", name="评价").click()
    page.get_by_role("link", name="师资进退考评").click()
    steps = page.get_by_test_id("steps")
    expect(steps.locator('[aria-current="step"]')).to_contain_text("创建考评周期")
    shot(page, "review", "01-cycles")

    plan = page.locator("form#plan")
    plan.get_by_label("地区").select_option(label=tree["county_a"].name)
    plan.get_by_label("考评期起").fill(f"{YEAR}-01-01")
    plan.get_by_label("考评期止").fill(f"{YEAR}-12-31")
    plan.get_by_label("执行时间").fill(f"{YEAR + 1}-01-05T09:00")
    plan.get_by_role("button", name="安排").click()
    expect(page.locator("h1")).to_contain_text(str(YEAR))
    expect(steps.locator('[aria-current="step"]')).to_contain_text("运行")
    expect(steps.locator("li.step-done")).to_have_count(1)
    shot(page, "review", "02-planned")

    steps.get_by_role("button", name="立即执行").click()
    expect(steps.locator('[aria-current="step"]')).to_contain_text("审定")
    expect(page.get_by_test_id("next-step")).to_contain_text("2 条拟处理意见待审定")
    expect(page.locator("tbody tr")).to_have_count(2)
    _no_codes_or_grouped_years(page)
    shot(page, "review", "03-proposals")

    page.get_by_label("全选本页").check()
    expect(page.locator('input[name="ids"]:checked')).to_have_count(2)
    expect(page.get_by_text("已选 2 条")).to_be_visible()
    shot(page, "review", "04-selected")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="批准所选拟处理意见").click()
    expect(page.get_by_text("已批准 2 条拟处理意见。")).to_be_visible()
    assert "2 条" in asked[0]
    expect(steps.locator("li.step-done")).to_have_count(4)
    expect(page.get_by_test_id("next-step")).to_contain_text("全部拟处理意见已审定")
    expect(page.get_by_test_id("next-step").get_by_role("link", name="创建下一个考评周期")).to_be_visible()
    expect(page.get_by_role("button", name="批准所选拟处理意见")).to_have_count(0)
    _no_codes_or_grouped_years(page)
    shot(page, "review", "05-decided")

    assert list(ReviewProposal.objects.order_by("instructor__name").values_list("status", flat=True)) == [
        "approved",
        "approved",
    ]
    assert InstructorStatusChange.objects.filter(to_status="retired", instructor__name="李讲师").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_approves_every_proposal_matching_a_filter(page, live_server):
    no_shrink()
    tree = f.region_tree()
    f.organizer(tree["county_a"], username="organizer")
    for name, score in [("李讲师", 55), ("钱讲师", 50), ("赵讲师", 85)]:
        good(f.instructor(region=tree["county_a"], user=f.user(), name=name), score=score)
    review_run.review_cycle_run(cycle_id=cycle(tree["county_a"]).pk)

    login(page, live_server.url, "organizer")
    page.get_by_role("button", name="评价").click()
    page.get_by_role("link", name="师资进退考评").click()
    expect(page.get_by_test_id("next-step")).to_contain_text("3 条拟处理意见待审定")
    page.get_by_test_id("next-step").get_by_role("link", name="前往拟处理意见").click()
    page.get_by_label("拟处理意见").select_option(label="退出")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(2)
    shot(page, "review", "11-filtered")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="批准符合筛选条件的全部 2 条待审定意见").click()
    expect(page.get_by_text("已批准 2 条拟处理意见。")).to_be_visible()
    assert "2 条" in asked[0]
    expect(page.get_by_test_id("next-step")).to_contain_text("1 条拟处理意见待审定")
    expect(page.get_by_label("拟处理意见")).to_have_value("retire")  # back on the list as filtered
    shot(page, "review", "12-matching-approved")
    statuses = dict(ReviewProposal.objects.values_list("instructor__name", "status"))
    assert statuses == {"李讲师": "approved", "钱讲师": "approved", "赵讲师": "proposed"}
