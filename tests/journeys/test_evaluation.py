"""The evaluation journey (issue 19): an organizer finds a lecture in 评价 → 授课评价 by county and state, opens its
evaluation (state, short link), the A4 poster (打印, 下载) and back; then a phone opens the short link read from
the page, answers, opens it again and is told 该手机已作答 with no form. A screenshot at each step."""

import datetime as dt

import pytest
from django.utils import timezone

from evaluations.models import Response
from evaluations.survey import services as survey_services
from tests import factories
from tests.browser import login, shot
from tests.courses import factories as course_factories
from tests.outreach import factories as outreach_factories

J = "evaluation"


def _world() -> None:
    """An open survey and a not-yet-open one in 嘉城区, an open one in 平羌县; the city organizer sees all three."""
    tree = factories.region_tree()
    factories.organizer(tree["city"], username="cityorg")
    now = timezone.now()
    for county, title, start in (
        (tree["county_a"], "坚持党建引领激活村级治理新动能", now - dt.timedelta(hours=1)),
        (tree["county_a"], "学习贯彻党的二十大精神", now + dt.timedelta(days=2)),
        (tree["county_b"], "平羌县的示范课", now - dt.timedelta(hours=1)),
    ):
        lecturer = factories.instructor(region=county, name="张三")
        course = course_factories.course(lead=lecturer, title=title)
        organization = outreach_factories.organization(region=county, name=f"{title}党支部")
        lecture = outreach_factories.lecture(course=course, instructor=lecturer, organization=organization, start=start)
        survey_services.evaluation_open(lecture=lecture, by=None, attendance=40)


def _filter(page, county: str, state: str) -> None:
    page.get_by_label("县（市、区）").select_option(label=county)
    page.get_by_label("状态").select_option(label=state)
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()


def _phone_answers(page, short_url: str) -> None:
    """A phone (its own browser context: its own cookies) scans the code, answers, and scans it again."""
    phone = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    mobile.goto(short_url)
    assert "坚持党建引领激活村级治理新动能" in mobile.content()
    shot(mobile, J, "07-phone-survey")
    for group in mobile.locator(".scale").all():
        group.locator("label").nth(3).tap()
    mobile.get_by_text("满意", exact=True).tap()
    mobile.get_by_role("button", name="提交").tap()
    mobile.wait_for_url("**/thanks/")
    shot(mobile, J, "08-phone-thanks")
    assert "感谢" in mobile.content()
    mobile.goto(short_url)  # scanning the poster again
    shot(mobile, J, "09-phone-already")
    assert "该手机已作答" in mobile.content()
    assert mobile.get_by_role("button", name="提交").count() == 0 and mobile.locator("form .scale").count() == 0
    phone.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_opens_poster_and_a_phone_answers_once(page, live_server):
    _world()
    login(page, live_server.url, "cityorg")
    page.get_by_role("button", name="评价").click()
    with page.expect_navigation():
        page.get_by_role("link", name="待评价授课（二维码）").click()
    page.wait_for_load_state()
    shot(page, J, "01-lecture-list")
    assert page.locator("tbody tr").count() == 3

    _filter(page, "嘉城区", "尚未开放")
    shot(page, J, "02-filter-upcoming")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "学习贯彻党的二十大精神" in rows.first.inner_text()
    with page.expect_navigation():
        rows.first.get_by_role("link", name="二维码及答卷").click()
    page.wait_for_load_state()
    shot(page, J, "03-evaluation-upcoming")
    assert "问卷尚未开放。" in page.get_by_role("status").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="← 待评价授课").click()
    page.wait_for_load_state()

    _filter(page, "嘉城区", "开放中")
    shot(page, J, "04-filter-open")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "坚持党建引领激活村级治理新动能" in rows.first.inner_text()
    assert "开放中" in rows.first.inner_text()
    with page.expect_navigation():
        rows.first.get_by_role("link", name="二维码及答卷").click()
    page.wait_for_load_state()
    shot(page, J, "05-evaluation-open")
    assert "问卷正在开放。" in page.get_by_role("status").inner_text()
    short_link = page.locator("p", has_text="短链接").get_by_role("link")
    short_url = short_link.get_attribute("href")
    assert short_url.startswith(live_server.url) and short_link.inner_text() == short_url

    with page.expect_navigation():
        page.get_by_role("link", name="可打印的 A4 海报").click()
    page.wait_for_load_state()
    shot(page, J, "06-poster")
    assert page.get_by_role("button", name="打印").is_visible()
    assert page.get_by_role("link", name="下载二维码").is_visible()
    assert short_url in page.locator(".url").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="← 返回评价页面").click()
    page.wait_for_load_state()
    assert "问卷正在开放。" in page.get_by_role("status").inner_text()

    _phone_answers(page, short_url)
    assert Response.objects.count() == 1
    page.reload()
    shot(page, J, "10-evaluation-received")
    assert page.locator("p.display-6").first.inner_text().strip() == "1"
