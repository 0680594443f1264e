"""What the browser tests share: Chromium's launch arguments and the folder where screenshots go. The `page` fixture
that uses them lives in tests/conftest.py."""

from pathlib import Path

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

JOURNEYS = ARTIFACTS / "journeys"


def login(page, base_url: str, username: str, password: str = "pw-secret-123") -> None:
    """Sign in through the login form, the way a user does (the only URL a journey types is its first one)."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def shot(page, journey: str, step: str) -> None:
    """Save a full-page screenshot of one step of a journey to test-artifacts/journeys/<journey>-<step>.png."""
    JOURNEYS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEYS / f"{journey}-{step}.png"), full_page=True)
