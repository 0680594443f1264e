"""Background work of outreach: the yearly coverage figures read by the dashboard and the annual report."""

import logging

from celery import shared_task
from django.utils import timezone

from . import services

log = logging.getLogger(__name__)


@shared_task
def coverage_figures_refresh_task() -> int:
    """After a change: recompute the stored figures whose data changed."""
    done = services.coverage_figures_refresh_stale()
    log.info("coverage figures: %d recomputed", done)
    return done


@shared_task
def coverage_figures_repair_task() -> int:
    """Periodic: create the current year's figures where missing and recompute stale or hour-old ones."""
    made = services.coverage_figures_ensure(year=timezone.localdate().year)
    done = services.coverage_figures_refresh_stale(max_age=services.FIGURES_MAX_AGE)
    log.info("coverage figures: %d created, %d recomputed", made, done)
    return made + done
