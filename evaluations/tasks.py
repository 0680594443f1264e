"""Background work of the evaluation app: the periodic admit/retire review and the competition ranking.

Thin: take ids, call a service, log. Each task may run twice or at the same time as another copy; the services
make that safe (a conditional UPDATE claims a review cycle, the ranking locks its competition row).
"""

from __future__ import annotations

import logging

from celery import shared_task

from core.queue import enqueue
from evaluations.analysis import services as analysis_services
from evaluations.competition import services as competition_services
from evaluations.results import services as result_services
from evaluations.review import run as review_run
from evaluations.review import services as review_services
from evaluations.survey import services as survey_services

log = logging.getLogger(__name__)


@shared_task
def review_due_cycles_task() -> list[int]:
    """Beat tick: enqueue every cycle that is due or whose worker died; which cycles is decided by their dates."""
    due = review_run.review_cycles_due()
    for cycle_id in due:
        enqueue(review_cycle_run_task, cycle_id)
    log.info("review cycles enqueued: %s", due)
    return due


@shared_task(acks_late=True)
def review_cycle_run_task(cycle_id: int) -> int | None:
    written = review_run.review_cycle_run(cycle_id=cycle_id)
    log.info("review cycle %s: %s proposals written", cycle_id, written)
    return written


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def review_mail_task(notification_ids: list[int]) -> int:
    """E-mail copies of review outcomes, one batch over one SMTP connection; retried when the server is away."""
    sent = review_services.review_mail_send(notification_ids=notification_ids)
    log.info("review outcome mails sent: %d", sent)
    return sent


@shared_task
def competition_rank_task(competition_id: int) -> int:
    ranked = competition_services.competition_rank(competition_id=competition_id)
    log.info("competition %s: %d entries ranked", competition_id, ranked)
    return ranked


@shared_task
def results_refresh_task() -> int:
    """Beat tick: recompute the results of lectures whose survey is open or closed in the last four days."""
    refreshed = result_services.results_refresh_recent()
    log.info("lecture results refreshed: %d", refreshed)
    return refreshed


@shared_task(acks_late=True)
def analysis_run_task(analysis_id: int) -> str | None:
    analysis = analysis_services.analysis_run(analysis_id=analysis_id)
    status = analysis.status if analysis else None
    log.info("lecture analysis %s: %s", analysis_id, status or "taken by another worker")
    return status


@shared_task
def analysis_repair_task() -> list[int]:
    requeued = analysis_services.analyses_repair()
    log.info("lecture analyses re-queued: %s", requeued)
    return requeued


@shared_task
def analysis_retention_task() -> int:
    deleted = analysis_services.recordings_delete_expired()
    log.info("lecture recordings deleted after retention: %s", deleted)
    return deleted


@shared_task
def survey_flush_task(evaluation_id: int) -> int:
    """Flush one survey's mixing buffer if it is due, then recompute its result so that scores follow each flush."""
    survey_services.survey_flush_release(evaluation_id=evaluation_id)
    written = survey_services.survey_flush(evaluation_id=evaluation_id)
    # During a burst the next flush is often queued already: it recomputes the score, this one need not.
    if written and not survey_services.survey_flush_pending(evaluation_id=evaluation_id):
        result_services.evaluation_results_refresh(evaluation_id=evaluation_id)
    log.info("survey buffer flushed: %d sheets", written)
    return written


@shared_task
def survey_buffers_flush_task() -> int:
    """Beat tick: flush every buffer that is due and close the surveys whose window has ended (destroying their
    device salt); repairs flushes missed while the broker was down."""
    flushed = 0
    for evaluation_id in survey_services.survey_buffers_due():
        flushed += survey_flush_task(evaluation_id)
    return flushed
