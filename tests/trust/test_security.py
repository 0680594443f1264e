"""Deploy-level protections that a user meets: the Content Security Policy, login throttling with a Chinese
message, session expiry and password rules."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-secret-123"  # tests/factories.py
LOCKED = "登录失败次数过多"


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_every_page_carries_a_policy_of_our_own_origin_only(client):
    user = f.organizer(f.region_tree()["county_a"])
    client.force_login(user)
    for url in (reverse("login"), reverse("home"), reverse("instructors:instructor_list"), reverse("healthz")):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy and "http" not in policy


def test_templates_hold_no_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        for needle in (' style="', "<style", " onclick=", " onchange=", " onsubmit=", "javascript:"):
            if needle in text:
                offenders.append(f"{path.relative_to(root)}: {needle.strip()}")
        for tag in text.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            if "src=" not in head and "application/json" not in head:
                offenders.append(f"{path.relative_to(root)}: inline <script>")
    assert offenders == []


def test_five_failures_lock_the_account_even_for_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    user = f.user(username="zhangsan")
    for _ in range(4):
        assert LOCKED not in _login(client, "zhangsan", "wrong").content.decode()
    fifth = _login(client, "ZhangSan ", "wrong")  # case and spaces count as the same account
    assert fifth.status_code == 200
    locked = _login(client, "zhangsan", PASSWORD)
    body = locked.content.decode()
    assert locked.status_code == 200 and LOCKED in body and "15 分钟" in body
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by this one's failures.
    lisi = f.user(username="lisi")
    assert _login(client, "lisi", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(lisi.pk)
    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD)  # locking changes nothing on the account


def test_the_lock_expires_and_a_success_resets_the_count(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_SECONDS = 1
    f.user(username="wangwu")
    _login(client, "wangwu", "wrong")
    _login(client, "wangwu", "wrong")
    assert LOCKED in _login(client, "wangwu", PASSWORD).content.decode()
    time.sleep(1.2)  # the lock window (1 s here) passes
    assert _login(client, "wangwu", PASSWORD).status_code == 302
    client.logout()
    _login(client, "wangwu", "wrong")  # one failure after a success: not locked
    assert _login(client, "wangwu", PASSWORD).status_code == 302


def test_many_failures_from_one_address_lock_that_address(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    f.user(username="zhaoliu")
    for name in ("a1", "a2", "a3"):
        _login(client, name, "wrong")
    assert LOCKED in _login(client, "zhaoliu", PASSWORD).content.decode()
    other = client.__class__()
    assert _login(other, "zhaoliu", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_admin_login_is_throttled_too(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    f.user(username="root", is_staff=True, is_superuser=True, role="admin")
    response = client.post(reverse("admin:login"), {"username": "root", "password": "wrong"})
    assert response.status_code == 200
    page = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert page.status_code == 200 and LOCKED in page.content.decode()


def test_an_expired_session_sends_the_user_back_to_the_login(client, settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.force_login(f.organizer(f.region_tree()["county_a"]))
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    if settings.SESSION_ENGINE == "config.sessions":  # the cached copy carries its own expiry: drop it
        from django.core.cache import cache

        cache.delete(f"django.contrib.sessions.cached_db{client.cookies[settings.SESSION_COOKIE_NAME].value}")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("password", "message"),
    [("12345678901", "只包含数字"), ("abc12", "太短"), ("password123", "太常见"), ("zhangsan-2024", "太相似")],
)
def test_weak_new_passwords_are_refused_in_chinese(client, password, message):
    user = f.user(username="zhangsan-2024x", display_name="zhangsan")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200 and message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_behind_our_proxy_the_forwarded_client_is_counted_not_the_proxy(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    f.user(username="sunqi")
    via = {"REMOTE_ADDR": "10.0.0.1"}
    for name in ("x1", "x2"):  # a client that forges a first hop still gets its real address counted
        _login(client, name, "wrong", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **via)
    assert LOCKED in _login(client, "sunqi", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **via).content.decode()
    assert _login(client, "sunqi", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2", **via).status_code == 302
    # From a peer that is not our proxy the header is ignored: the peer itself is counted.
    other = _login(client, "x3", "wrong", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert LOCKED not in other.content.decode()
