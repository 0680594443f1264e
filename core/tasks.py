"""Background work of the ground floor: large Excel imports."""

import logging

from celery import shared_task

from . import imports

log = logging.getLogger(__name__)


@shared_task
def import_job_run_task(job_id: str) -> bool:
    ran = imports.import_job_run(job_id=job_id)
    log.info("import job %s: %s", job_id, "done" if ran else "already handled")
    return ran


@shared_task
def import_jobs_resume_task() -> int:
    queued = imports.import_jobs_resume()
    log.info("import jobs queued again: %d", queued)
    return queued
