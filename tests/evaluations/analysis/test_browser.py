"""The 授课分析 page in headless Chromium: the charts draw under the strict CSP, and a suggestion's button moves the
player to its moment."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.analysis import services
from tests import factories as f
from tests.browser import ARTIFACTS
from tests.evaluations.factories import lecture_with_result


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_analysis_page_draws_charts_and_seeks_the_player(page, live_server, lecture_at):  # noqa: F811
    county = f.region_tree()["county_a"]
    teacher = f.instructor(region=county, user=f.user(username="teacher", region=county))
    lecture = lecture_with_result(instructor=teacher).lecture
    path, _ = lecture_at(160)
    analysis = services.analysis_create(
        upload=SimpleUploadedFile("课.wav", path.read_bytes()), lecture=lecture, by=teacher.user
    )
    services.analysis_run(analysis_id=analysis.pk)
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("teacher")
    page.get_by_label("密码").fill("pw-secret-123")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}{analysis.get_absolute_url()}")
    page.wait_for_selector("#chart-pace canvas")
    page.screenshot(path=str(ARTIFACTS / "lecture_analysis.png"), full_page=True)
    page.get_by_role("button", name="从此处播放").first.click()
    positions = []
    for _ in range(20):  # the page's CSP forbids eval, so poll from here rather than with wait_for_function
        positions.append(page.locator("#player").evaluate("player => player.currentTime"))
        if positions[-1] > 0:
            break
        page.wait_for_timeout(250)
    first_seek = float(page.get_by_role("button", name="从此处播放").first.get_attribute("data-seek"))
    assert (positions[-1] >= first_seek - 2.5, problems) == (True, [])
