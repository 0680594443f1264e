import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int

ROOT = Path(__file__).resolve().parents[1]
PROD_KEY = "k" * 20 + "production-secret-key-for-the-deploy-check-0123456789"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=PROD_KEY,
        ALLOWED_HOSTS="djsz.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="djsz.example.gov.cn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_bad_boolean_in_environment_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)


def test_integer_below_minimum_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "3")
    with pytest.raises(ImproperlyConfigured):
        env_int("SOME_NUMBER", 10, minimum=5)


def test_smtp_relay_comes_from_the_environment_and_refuses_tls_with_ssl():
    probe = "from django.conf import settings as s; print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT)"
    relay = {"EMAIL_HOST": "mail.djsz.example.gov.cn", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "1"}
    result = _manage("shell", "-v", "0", "-c", probe, **relay)
    assert result.stdout.split() == ["mail.djsz.example.gov.cn", "587", "True", "10"], result.stderr[-500:]
    both = _manage("check", **relay, EMAIL_USE_SSL="1")
    assert both.returncode != 0 and "exclusive" in both.stderr


def test_loading_the_settings_creates_no_folder(tmp_path):
    """Logs, media, broker and static folders are made by `make setup`, scripts/run.sh or the first write, never by
    importing the settings. The one thing a development checkout keeps from its first start is its random secret
    key (var/secret_key, so that no published key signs anything); with SECRET_KEY given, not even that."""
    var = tmp_path / "fresh-var"
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()"
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    given = {**clean, "VAR_DIR": str(var), "SECRET_KEY": "k" * 60}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=given, capture_output=True, text=True)
    assert (result.returncode, var.exists()) == (0, False), result.stderr
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, "VAR_DIR": str(var)}, capture_output=True, text=True
    )
    assert (result.returncode, sorted(p.name for p in var.rglob("*"))) == (0, ["secret_key"]), result.stderr
