"""Celery tasks of the care app: thin, idempotent (a second run sends nothing twice)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import services

log = logging.getLogger(__name__)


@shared_task
def send_greetings_task() -> int:
    """Today's festival and anniversary greetings; the unique Greeting key makes a rerun send none."""
    sent = services.greetings_send(today=timezone.localdate())
    log.info("greetings sent: %s", sent)
    return sent
