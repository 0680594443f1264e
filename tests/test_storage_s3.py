"""Media on S3-compatible storage, against a real S3 server (moto's server mode) on loopback, not a mock of ours."""

import importlib.util
import io
import runpy
import socket
import subprocess
import sys
import time
import warnings

import pytest
import requests
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from instructors import services
from instructors.models import Instructor
from tests import factories
from tests.conftest import need

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


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile("face.jpg", buffer.getvalue(), content_type="image/jpeg")


def _s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )


@pytest.mark.services
@pytest.mark.django_db
def test_photo_upload_lands_in_the_bucket_and_another_node_reads_it(
    s3_settings, s3_endpoint, django_capture_on_commit_callbacks
):
    person = factories.instructor(region=factories.region_tree()["county_a"])
    with django_capture_on_commit_callbacks(execute=True):  # the thumbnail task runs eagerly, reading from S3
        services.instructor_set_photo(instructor=person, upload=_photo())
    person = Instructor.objects.get(pk=person.pk)

    stored = _s3_client(s3_endpoint).get_object(Bucket=BUCKET, Key=person.photo.name)["Body"].read()
    other_node = storages.create_storage(s3_settings.STORAGES["default"])  # a fresh instance, as on another node
    with other_node.open(person.photo.name, "rb") as handle:
        assert handle.read() == stored
    assert other_node.exists(person.photo_thumbnail.name)


@pytest.mark.services
@pytest.mark.django_db
def test_photo_url_is_a_signed_link_that_serves_the_file(s3_settings):
    person = factories.instructor(region=factories.region_tree()["county_a"])
    services.instructor_set_photo(instructor=person, upload=_photo())
    url = Instructor.objects.get(pk=person.pk).photo.url
    response = requests.get(url, timeout=10)
    assert ("Signature=" in url or "X-Amz-Signature=" in url, response.status_code) == (True, 200)
    assert response.content[:2] == b"\xff\xd8"  # a JPEG


@pytest.mark.services
@pytest.mark.django_db
def test_same_name_uploaded_twice_keeps_both_files(s3_settings, s3_endpoint):
    region = factories.region_tree()["county_a"]
    first, second = factories.instructor(region=region), factories.instructor(region=region)
    services.instructor_set_photo(instructor=first, upload=_photo())
    services.instructor_set_photo(instructor=second, upload=_photo())
    names = {Instructor.objects.get(pk=p.pk).photo.name for p in (first, second)}
    keys = {o["Key"] for o in _s3_client(s3_endpoint).list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert len(names) == 2 and names <= keys


def test_without_a_bucket_media_stays_on_local_disk(monkeypatch):
    monkeypatch.delenv("S3_BUCKET", raising=False)
    fresh = _settings_from_env()
    assert fresh["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
