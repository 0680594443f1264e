"""Celery tasks of the review and the competition: the beat tick decides by data, and a real worker on Redis runs a
review cycle against the PostgreSQL test database."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from config.middleware import request_id_var
from evaluations import tasks
from evaluations.models import ReviewCycle, ReviewProposal
from evaluations.review import services as review_services
from tests import factories as f
from tests.cluster import celery_worker
from tests.conftest import need
from tests.evaluations.factories import cycle, good, make_competition


@pytest.mark.django_db
def test_beat_tick_runs_only_due_cycles():
    tree = f.region_tree()
    good(f.instructor(region=tree["county_a"]))
    due = cycle(tree["county_a"], due_at=timezone.now() - dt.timedelta(minutes=1))
    later = cycle(
        tree["county_a"],
        start=dt.date(2030, 1, 1),
        end=dt.date(2030, 12, 31),
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    assert tasks.review_due_cycles_task() == [due.pk]
    assert list(ReviewCycle.objects.order_by("pk").values_list("status", flat=True)) == ["done", "pending"]
    assert later.pk not in tasks.review_due_cycles_task()


@pytest.mark.django_db
def test_moving_the_due_date_needs_no_deploy():
    tree = f.region_tree()
    planned = cycle(tree["county_a"], due_at=timezone.now() + dt.timedelta(days=30))
    ReviewCycle.objects.filter(pk=planned.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.review_due_cycles_task() == [planned.pk]


@pytest.mark.django_db
def test_competition_rank_task_returns_the_number_ranked():

    assert tasks.competition_rank_task(make_competition(f.region_tree()["city"]).pk) == 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_celery_worker_on_redis_runs_a_review_cycle(settings):
    """The organizer's start enqueues on commit; a separate worker process consumes from Redis and writes proposals."""
    need(bool(django_settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "the worker process needs the PostgreSQL test database (DATABASE_URL)")
    with celery_worker() as worker:
        tree = f.region_tree()
        people = [f.instructor(region=tree["county_a"]) for _ in range(3)]
        for person in people:
            good(person)
        planned = cycle(tree["county_a"], due_at=timezone.now() + dt.timedelta(days=30))
        request_id = f"req-{uuid.uuid4().hex[:12]}"  # as if an organizer's request started it
        token = request_id_var.set(request_id)
        try:
            review_services.review_cycle_start(
                cycle=planned, by=None
            )  # autocommit: on_commit fires at once and enqueues
        finally:
            request_id_var.reset(token)
        deadline = time.monotonic() + 60
        status = "pending"
        while time.monotonic() < deadline and status != "done":
            time.sleep(0.5)
            status = ReviewCycle.objects.values_list("status", flat=True).get(pk=planned.pk)
        assert status == "done", "the worker did not finish the review within 60 s"
        assert ReviewProposal.objects.filter(cycle=planned).count() == 3
    # The worker's log line of the task carries the id of the request that queued it.
    output = worker.output
    assert re.search(rf"review cycle {planned.pk}: 3 proposals written \[{request_id}\]", output), output[-3000:]
