"""A real Celery worker killed in the middle of an analysis leaves it retryable, never stuck part-way; the periodic
tasks repair and expire."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from evaluations import tasks
from evaluations.analysis import services, synth
from evaluations.models import LectureAnalysis
from tests import factories as f
from tests.conftest import need
from tests.evaluations.factories import lecture_with_result

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_retention_task_counts_what_it_deleted():
    assert tasks.analysis_retention_task() == 0


@pytest.mark.django_db
def test_repair_task_requeues_nothing_when_nothing_is_stale():
    assert tasks.analysis_repair_task() == []


def _worker(queue: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "-l", "info",
         "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_analysis_leaves_it_retryable_and_a_new_worker_finishes(settings, media_dir):
    need(bool(django_settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "the worker process needs the PostgreSQL test database (DATABASE_URL)")
    db = connection.settings_dict
    queue = f"test-analysis-{uuid.uuid4().hex[:8]}"
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}",
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    # Sixteen minutes of speech: long enough for the worker to be killed while it works.
    part, recording = media_dir / "part.wav", media_dir / "long-lecture.wav"
    synth.build_speech(part, [(s, 0.5) for s in synth.SENTENCES * 10], rate=160)
    subprocess.run(["sox", str(part), str(recording), "repeat", "3"], check=True)
    county = f.region_tree()["county_a"]
    teacher = f.instructor(region=county, user=f.user(region=county))
    lecture = lecture_with_result(instructor=teacher).lecture
    old_eager, old_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    workers = [_worker(queue, env)]
    try:
        analysis = services.analysis_create(
            upload=SimpleUploadedFile("long.wav", recording.read_bytes()), lecture=lecture, by=teacher.user
        )
        deadline = time.monotonic() + 120
        progress = 0.0
        while time.monotonic() < deadline and progress <= 0.05:
            time.sleep(0.2)
            progress = LectureAnalysis.objects.values_list("progress", flat=True).get(pk=analysis.pk)
        os.killpg(workers[0].pid, signal.SIGKILL)  # the worker dies at once, in the middle of the work
        workers[0].wait(timeout=20)
        killed = LectureAnalysis.objects.get(pk=analysis.pk)
        assert (killed.status, 0.05 < killed.progress < 1.0, killed.result) == ("running", True, {})

        # Beat's repair, later than the stale limit, re-queues it; a new worker takes it and finishes.
        workers.append(_worker(queue, env))
        later = timezone.now() + dt.timedelta(seconds=settings.ANALYSIS_STALE_SECONDS + 1)
        assert services.analyses_repair(now=later) == [analysis.pk]
        deadline = time.monotonic() + 180
        status = "queued"
        while time.monotonic() < deadline and status not in ("done", "failed"):
            time.sleep(0.5)
            status = LectureAnalysis.objects.values_list("status", flat=True).get(pk=analysis.pk)
        finished = LectureAnalysis.objects.get(pk=analysis.pk)
        assert (finished.status, finished.progress, finished.attempts) == ("done", 1.0, 2)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = old_eager, old_queue
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.communicate(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
