"""A real S3 server (moto's server mode) on loopback for the storage tests, and settings pointing at it.

The fixtures ``s3_endpoint`` and ``s3_settings`` are registered by tests/conftest.py."""

import importlib.util
import runpy
import socket
import subprocess
import sys
import time
import warnings

import pytest
import requests

BUCKET = "djsz-media-test"


def _settings_from_env() -> dict:
    """Run config/settings.py again under the current environment (it is read once at import)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "found in sys.modules": intended, we want a second copy
        return runpy.run_module("config.settings")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server in its own process, with an empty bucket."""
    from tests.conftest import need  # conftest imports this module for its fixtures

    need(importlib.util.find_spec("moto") is not None, "moto[server] is not installed (pip install -e '.[dev]')")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(endpoint, timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the moto S3 server did not start")
                time.sleep(0.2)
        import boto3

        boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
        ).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_settings(settings, s3_endpoint, monkeypatch):
    """STORAGES exactly as config/settings.py builds them from the S3_* environment."""
    for name, value in {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    fresh = _settings_from_env()
    settings.STORAGES = fresh["STORAGES"]
    return settings
