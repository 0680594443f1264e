"""Shared fixtures. Services that a test needs (PostgreSQL, Redis, Chromium) skip with a reason where they are
missing, except under REQUIRE_SERVICES=1 (set by .ci/run), where a missing service fails the test instead."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid

import pytest
from celery import _state as celery_state
from celery import current_app
from django.core.exceptions import ValidationError

from config.celery import app as celery_app
from tests import factories
from tests.browser import ARTIFACTS, LAUNCH_ARGS
from tests.s3 import s3_endpoint, s3_settings  # noqa: F401  (fixtures for the S3 storage tests)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a real service is unavailable."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def refused(code: str):
    """Expect a ValidationError carrying ``code``, so a test cannot pass because a different rule refused."""
    with pytest.raises(ValidationError) as info:
        yield info
    codes = [error.code for error in info.value.error_list] if hasattr(info.value, "error_list") else []
    assert code in codes, f"refused with {codes}, expected {code!r}"


@pytest.fixture(autouse=True)
def _eager_celery(settings, tmp_path):
    # Unit tests run tasks in-process; tests/instructors/test_tasks.py also runs a real worker on Redis.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    # A test that imported Celery's worker machinery leaves "we are inside a task" set for the whole process, after
    # which joining any result raises; every test starts outside a task.
    celery_state._set_task_join_will_block(False)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Failed-login counters live in the cache (Redis in CI), which no test transaction rolls back: each test
    # counts under its own prefix so one test's failures never lock another test's user.
    settings.LOGIN_THROTTLE_KEY_PREFIX = f"{uuid.uuid4().hex}:"
    # Survey sheets go straight through the mixing buffer (k = 0: every sheet is flushed at once) so that tests
    # of results read what they submitted; tests of the buffer itself set k (tests/trust/test_survey_unlinkable.py).
    settings.SURVEY_MIX_K = 0
    from evaluations.survey import selectors as survey_selectors

    survey_selectors.survey_indicators_forget()  # ids come back after a rolled-back test (SQLite)
    yield
    # `Celery(...)` makes itself the current app unless told `set_as_current=False`, and the portal's shared tasks
    # resolve through the current app: a test that leaves another one current sends every later `.delay()` there.
    leaked = current_app._get_current_object() is not celery_app
    celery_app.set_current()
    assert not leaked, "the test left another Celery app as the current one (create it with set_as_current=False)"


@pytest.fixture(autouse=True)
def _portal_language():
    # A request activates its language in the thread and nothing deactivates it: after a test that asked for
    # English, text built outside a request (a module's world, stored reasons) would come out in English.
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def tree():
    """A province with one city and two counties, each with a township and a village (tests/factories.py)."""
    return factories.region_tree()


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def page(chromium_path, monkeypatch):
    """A fresh page in headless Chromium (Debian's package) driven by Playwright, in Chinese, on a desktop screen."""
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
