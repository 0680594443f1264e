"""Health endpoints: cheap, unauthenticated, exempt from the HTTPS redirect, and they leak nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import health

ROOT = Path(__file__).resolve().parents[1]
PROD_KEY = "k" * 20 + "production-secret-key-for-the-health-check-0123456789"


def test_healthz_answers_ok_without_touching_the_database(client):
    # No django_db mark: any query would raise here.
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_readyz_reports_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "ok"


@pytest.mark.django_db
def test_readyz_checks_the_cache_when_redis_is_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the cache below is local memory: the check itself must pass
    response = client.get("/readyz")
    assert json.loads(response.content)["checks"] == {"database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_with_a_terse_body_when_the_database_fails(client, monkeypatch, settings):
    settings.REDIS_URL = ""  # no cache check: the body has the database only
    monkeypatch.setattr(health, "_database_ok", lambda: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "checks": {"database": "fail"}}


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/readyz")
    body = response.content.decode()
    assert (response.status_code, json.loads(body)["checks"]["cache"]) == (503, "fail")
    assert "127.0.0.1" not in body and "Connection" not in body


@pytest.mark.django_db
def test_health_endpoints_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)$"]
    assert [client.get(p).status_code for p in ("/healthz", "/readyz", "/login/")] == [200, 200, 301]


def test_production_settings_answer_health_over_http_and_redirect_the_rest():
    """With DEBUG=0 the load balancer's plain-HTTP probe gets 200; every other page is redirected to HTTPS."""
    script = (
        "import django; django.setup(); from django.test import Client; c = Client();"
        "print([c.get(p).status_code for p in ('/healthz', '/login/')])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": PROD_KEY}
    env["ALLOWED_HOSTS"] = "testserver"
    env.pop("SECURE_SSL_REDIRECT", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "[200, 301]", result.stderr[-2000:]


def test_health_endpoints_need_no_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
