"""The instructor's journey (issue 19): sign in → 我的档案 → the Q bar and what Q is made of → their lectures →
我的评价 → the review history, clicking as the instructor does and saving a screenshot at each step."""

import datetime as dt

import pytest
from django.utils import timezone

from evaluations.models import ReviewProposal
from evaluations.results import services as result_services
from tests import factories
from tests.browser import login, shot
from tests.courses import factories as course_factories
from tests.evaluations import factories as eval_factories

J = "instructor"


def _world() -> None:
    """张三 with this year's two scored lectures and one with insufficient data, a norm, the stored Q, and a decided
    review of last year."""
    tree = factories.region_tree()
    year = timezone.localdate().year
    person = factories.instructor(region=tree["county_a"], name="张三", user=factories.user(username="zhangsan"))
    course = course_factories.course(lead=person, title="坚持党建引领激活村级治理新动能")
    for month in (3, 4):
        eval_factories.lecture_with_result(instructor=person, course=course, start=eval_factories.at(month, year=year))
    eval_factories.lecture_with_result(
        instructor=person, course=course, start=eval_factories.at(5, year=year), score=None, insufficient=True
    )
    result_services.instructor_quality_refresh(instructor=person, year=year)
    factories.norm(year=year, quality="70")
    cycle = eval_factories.cycle(tree["city"], start=dt.date(year - 1, 1, 1), end=dt.date(year - 1, 12, 31))
    ReviewProposal.objects.create(
        cycle=cycle, instructor=person, proposal="retain", rule="retain", status="approved", decision="retain"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_instructor_follows_profile_to_lectures_ratings_and_reviews(page, live_server):
    _world()
    login(page, live_server.url, "zhangsan")
    shot(page, J, "01-home")
    assert page.get_by_role("link", name="我的档案").first.is_visible()

    page.get_by_role("link", name="我的档案").first.click()
    page.wait_for_selector("#quality")
    shot(page, J, "02-profile")
    assert "张三" in page.locator("h1").inner_text()
    profile_q = page.locator("[data-quality]").inner_text().strip()
    assert profile_q != "—"
    bar = page.get_by_role("progressbar", name="年度质量分 Q")
    assert bar.is_visible()
    explained = page.locator("[data-quality-explained]")
    assert "学时加权平均" in explained.inner_text() and "有效问卷足够的授课（本年度 2 次）" in explained.inner_text()
    assert explained.get_by_role("link", name="评分规则").is_visible()

    record = page.locator("#record")
    with page.expect_navigation():
        record.locator("[data-record=lectures] a").first.click()
    page.wait_for_load_state()
    shot(page, J, "03-lecture")
    assert "坚持党建引领激活村级治理新动能" in page.content()
    page.go_back()

    page.locator("#record").get_by_role("link", name="我的评价").click()
    page.wait_for_selector("[data-count-note=rated]")
    shot(page, J, "04-my-ratings")
    note = page.locator("[data-count-note=rated]").inner_text()
    assert "共 3 次授课已出评价结果，其中 2 次有效问卷足够" in note
    assert page.locator("table").first.locator("tbody tr").count() == 3
    assert page.locator("[data-quality]").inner_text().strip() == profile_q  # the one stored Q, on both pages

    with page.expect_navigation():
        page.locator("tbody tr").first.get_by_role("link", name="详情").click()
    page.wait_for_load_state()
    shot(page, J, "05-result")
    assert "坚持党建引领激活村级治理新动能" in page.content()

    page.get_by_role("link", name="我的档案").first.click()
    with page.expect_navigation():
        page.locator("#record").get_by_role("link", name="我的考评结果").click()
    page.wait_for_load_state()
    shot(page, J, "06-review-history")
    assert page.locator("tbody tr").count() == 1 and "留用" in page.locator("tbody").inner_text()
