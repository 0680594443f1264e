"""Browser journey: an organizer dispatches an instructor to a request and sees the lecture on the calendar."""

import pytest

from tests import factories
from tests.browser import ARTIFACTS

from . import factories as f


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_dispatches_a_request_and_sees_it_on_the_calendar(page, live_server):
    w = f.world()
    organizer = factories.user(username="organizer", role="organizer", region=w["county_a"])
    request = f.course_request(organization=w["org_a2"], course=w["course"], by=organizer)

    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("organizer")
    page.locator("input[name=password]").fill("pw-secret-123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    page.goto(f"{live_server.url}{request.get_absolute_url()}")
    assert "张三" in page.locator(".list-group").inner_text()
    page.locator("#dispatch-time input[name=date]").fill("2030-03-12")
    page.locator("#dispatch-time input[name=start_time]").fill("14:00")
    page.locator("#dispatch-time input[name=end_time]").fill("16:00")
    page.locator("select[name=instructor]").select_option(str(w["instructor_a"].pk))
    page.get_by_role("button", name="安排授课").click()
    page.wait_for_url("**/outreach/lectures/*/")
    page.goto(f"{live_server.url}/outreach/calendar/?county={w['county_a'].pk}&month=2030-03")
    assert "14:00 张三" in page.locator("table.calendar-grid").inner_text()
    page.screenshot(path=str(ARTIFACTS / "outreach_calendar.png"), full_page=True)
