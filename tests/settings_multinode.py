"""Settings of the cluster test (tests/test_multinode.py): production settings plus a test-only periodic entry that
runs every BEAT_TEST_INTERVAL seconds, an idempotent cheap task, to count how often beat fires."""

import os

from config.settings import *  # noqa: F403
from config.settings import CELERY_BEAT_SCHEDULE

CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "test-heartbeat": {
        "task": "instructors.tasks.missing_thumbnails_task",
        "schedule": float(os.environ.get("BEAT_TEST_INTERVAL", "3")),
    },
}
