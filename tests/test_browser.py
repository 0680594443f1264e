"""Browser journeys in headless Chromium (Debian's package) driven by Playwright against the live server."""

from pathlib import Path

import pytest

from tests import factories
from tests.conftest import need

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page(chromium_path, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        need(False, "playwright is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


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
