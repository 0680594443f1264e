"""Browser journeys in headless Chromium (Debian's package) driven by Playwright against the live server."""

import pytest

from tests import factories
from tests.browser import ARTIFACTS, LAUNCH_ARGS


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_finds_instructor_by_pinyin_initials(page, live_server):
    tree = factories.region_tree()
    factories.user(username="organizer", role="organizer", region=tree["city"])
    factories.instructor(region=tree["county_a"], name="张三", employer="嘉城区委党校")
    factories.instructor(region=tree["county_b"], name="李四")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("organizer")
    page.get_by_label("密码").fill("pw-secret-123")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="师资库").first.click()
    page.get_by_label("搜索").fill("zs")
    page.get_by_role("button", name="搜索").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    page.get_by_role("link", name="张三").click()
    page.wait_for_selector("h1")
    assert "张三" in page.locator("h1").inner_text()
    assert "嘉城区委党校" in page.content()
    page.screenshot(path=str(ARTIFACTS / "instructor_profile.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_trainee_fills_in_the_survey_on_a_phone(chromium_path, live_server):
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from evaluations.models import Response
    from evaluations.survey import services as survey_services
    from tests.courses import factories as course_factories
    from tests.outreach import factories as outreach_factories

    tree = factories.region_tree()
    lecturer = factories.instructor(region=tree["county_a"], name="张三")
    course = course_factories.course(lead=lecturer, title="坚持党建引领激活村级治理新动能")
    organization = outreach_factories.organization(region=tree["village_a"], name="白马村党支部")
    lecture = outreach_factories.lecture(
        course=course, instructor=lecturer, organization=organization, start=timezone.now() - dt.timedelta(hours=1)
    )
    evaluation = survey_services.evaluation_open(lecture=lecture, by=None)
    url = f"{live_server.url}/evaluations/s/{survey_services.survey_token(evaluation)}/"
    import os

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS, headless=True)
            context = browser.new_context(
                locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            page = context.new_page()
            page.goto(url)
            assert "坚持党建引领激活村级治理新动能" in page.content()
            for group in page.locator(".scale").all():
                group.locator("label").nth(3).tap()
            page.get_by_text("满意", exact=True).tap()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "survey_phone.png"), full_page=True)
            page.get_by_role("button", name="提交").tap()
            page.wait_for_url("**/thanks/")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "survey_phone_done.png"), full_page=True)
            assert "感谢" in page.content()
            page.goto(url)  # the same phone opens the link again: told so, no second form
            assert "该手机已作答" in page.content() and page.get_by_role("button", name="提交").count() == 0
            context.close()
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert Response.objects.filter(evaluation=evaluation).count() == 1
