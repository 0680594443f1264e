import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from config.celery import app as celery_app
from instructors import services, tasks
from instructors.models import Instructor
from tests import factories
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (500, 700), (10, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db
def test_missing_thumbnails_task_repairs_and_is_idempotent():
    tree = factories.region_tree()
    person = factories.instructor(region=tree["county_a"])
    services.instructor_set_photo(instructor=person, upload=_photo())  # on_commit not run: no thumbnail yet
    assert tasks.missing_thumbnails_task() == 1
    assert tasks.missing_thumbnails_task() == 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_celery_worker_on_redis_makes_the_thumbnail(settings):
    """The photo service enqueues on commit; a separate worker process consumes from Redis and writes the file."""
    need(bool(django_settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "the worker process needs the PostgreSQL test database (DATABASE_URL)")
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-l",
            "info",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    old_eager, old_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        tree = factories.region_tree()
        person = factories.instructor(region=tree["county_a"])
        services.instructor_set_photo(instructor=person, upload=_photo())  # commits, then enqueues on Redis
        deadline = time.monotonic() + 60
        thumbnail = ""
        while time.monotonic() < deadline and not thumbnail:
            time.sleep(0.5)
            thumbnail = Instructor.objects.values_list("photo_thumbnail", flat=True).get(pk=person.pk)
        assert thumbnail, "the worker did not make the thumbnail within 60 s"
        with Image.open(Path(settings.MEDIA_ROOT) / thumbnail) as image:
            assert max(image.size) <= 320
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = old_eager, old_queue
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output[-3000:])
