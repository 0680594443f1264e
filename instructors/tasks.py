"""Background work of the registry: photo thumbnails."""

import logging

from celery import shared_task

from . import services
from .models import Instructor

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def make_thumbnail_task(instructor_id: int) -> bool:
    made = services.instructor_make_thumbnail(instructor_id=instructor_id)
    log.info("thumbnail for instructor %s: %s", instructor_id, "made" if made else "nothing to do")
    return made


@shared_task
def missing_thumbnails_task() -> int:
    ids = list(Instructor.objects.exclude(photo="").filter(photo_thumbnail="").values_list("pk", flat=True)[:1000])
    for pk in ids:
        services.instructor_make_thumbnail(instructor_id=pk)
    log.info("made %d missing thumbnails", len(ids))
    return len(ids)
