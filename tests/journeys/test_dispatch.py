"""Journey (issue 19): an organizer turns a request (点单) into a lecture (派课) and confirms it, only by clicking."""

import pytest
from playwright.sync_api import expect

from outreach.models import Lecture
from tests import factories as base
from tests.browser import login, shot
from tests.outreach import factories as f


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_dispatches_a_request_and_confirms_the_lecture(page, live_server):
    w = f.world()
    base.user(username="paike", role="organizer", region=w["county_a"])
    colleague = base.instructor(region=w["county_a"], name="王五")
    w["course"].co_instructors.add(colleague)
    base.instructor(region=w["county_a"], name="赵六")  # same county, does not teach the course: never offered
    # 张三 (the lead instructor) already teaches at 白马村党支部 on the morning the request prefers.
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(1, 9))
    f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])

    login(page, live_server.url, "paike")
    page.get_by_role("link", name="示范课下基层").first.click()
    with page.expect_navigation():
        page.locator(".nav-tabs").get_by_role("link", name="点单").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="课程点单").is_visible()
    shot(page, "dispatch", "01-requests")

    with page.expect_navigation():
        page.get_by_role("link", name="派课：白马村小学").click()
    page.wait_for_load_state()
    assert page.get_by_label("日期").input_value() == "2030-03-01"
    shot(page, "dispatch", "02-dispatch-page")

    # The time form is sent by GET: wait for that page (with its script) before reading or clicking on it.
    with page.expect_navigation():
        page.get_by_role("button", name="查看空闲师资").click()
    page.wait_for_load_state()
    suggestions = page.locator("[data-suggestions]").inner_text()
    assert "该时段没空" in suggestions and "白马村党支部" in suggestions and "该时段空闲" in suggestions
    assert "赵六" not in suggestions and "本课程合讲人" in suggestions and "匹配度" in suggestions
    assert page.get_by_role("button", name="选派张三").count() == 0
    shot(page, "dispatch", "03-who-is-free")

    page.get_by_role("button", name="选派王五").click()
    expect(page.locator("select[name=instructor]")).to_have_value(str(colleague.pk))
    assert "已选择：王五。" in page.locator("[data-pick-status]").inner_text()
    assert page.evaluate("document.activeElement.textContent.trim()") == "安排授课"
    shot(page, "dispatch", "04-instructor-chosen")

    page.keyboard.press("Enter")  # the focus is on 安排授课: the keyboard alone finishes the dispatch
    page.wait_for_url("**/outreach/lectures/*/")
    lecture = Lecture.objects.get(request__organization=w["org_a2"])
    assert "授课已安排。" in page.locator("main").inner_text()
    details = page.locator("dl").inner_text()
    assert "王五" in details and "白马村小学" in details and "2030-03-01" in page.locator("main").inner_text()
    assert (
        page.get_by_role("link", name="王五", exact=True).is_visible()
        and page.get_by_role("link", name="王五 本周日程").is_visible()
    )
    assert "确认授课" in page.locator("[data-next-step]").inner_text()
    shot(page, "dispatch", "05-lecture")

    with page.expect_navigation():
        page.get_by_role("button", name="确认授课").click()
    page.wait_for_load_state()
    assert "授课已确认。" in page.locator("main").inner_text()
    assert "登记实到人数" in page.locator("[data-next-step]").inner_text()
    lecture.refresh_from_db()
    assert (lecture.status, lecture.instructor_id, page.url.endswith(lecture.get_absolute_url())) == (
        Lecture.Status.CONFIRMED,
        colleague.pk,
        True,
    )
    shot(page, "dispatch", "06-confirmed")
