"""Media on S3-compatible storage, against a real S3 server (moto's server mode) on loopback, not a mock of ours."""

import io

import pytest
import requests
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from instructors import services
from instructors.models import Instructor
from tests import factories
from tests.s3 import BUCKET, _settings_from_env


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
