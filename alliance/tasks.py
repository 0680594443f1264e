"""Thin Celery tasks of the alliance: fetch by id, call a service, log."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services, signing
from .models import Partner, Registration

log = logging.getLogger(__name__)


@shared_task
def partners_pull_task() -> int:
    """Periodic (settings.CELERY_BEAT_SCHEDULE): queue a pull of every partner that is due."""
    return services.partners_pull_enqueue()


@shared_task
def partner_pull_task(partner_id: int) -> bool:
    partner = Partner.objects.filter(pk=partner_id, status=Partner.Status.ACTIVE).first()
    if partner is None:
        return False
    ok = services.partner_pull(partner=partner)
    if ok:
        services.partner_instructors_pull(partner=partner)
    log.info("alliance pull from %s: %s", partner, "ok" if ok else "failed")
    return ok


@shared_task
def nonces_prune_task() -> int:
    return signing.nonces_prune()


@shared_task
def outbox_send_task(exchange_id: int) -> int:
    """Send an exchange's waiting messages to the partner (in order; a failure waits its back-off)."""
    return services.outbox_send(exchange_id=exchange_id)


@shared_task
def outbox_send_due_task() -> int:
    """Periodic (settings.CELERY_BEAT_SCHEDULE): queue the exchanges whose waiting message is due again."""
    return services.outbox_enqueue_due()


@shared_task
def registrations_send_task() -> int:
    """Periodic (settings.CELERY_BEAT_SCHEDULE): queue a send of every joint-event registration that is due."""
    return services.registrations_send_enqueue()


@shared_task
def registration_send_task(registration_id: int) -> str:
    registration = Registration.objects.filter(pk=registration_id, status=Registration.Status.PENDING).first()
    if registration is None:
        return ""
    registration = services.registration_send(registration=registration)
    log.info("alliance registration %s: %s", registration.uid, registration.status)
    return registration.status
