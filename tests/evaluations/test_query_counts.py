"""The evaluation pages that list results run the same number of SQL queries for 1, 3 or 60 rows (60 > one page)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Comment, Indicator, LectureResult, RaterAssignment, ResultAction
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from tests import factories
from tests.helpers import count_queries
from tests.outreach import factories as outreach_factories

pytestmark = pytest.mark.django_db


def _lectures_with_results(world, n: int) -> None:
    start = timezone.now() - dt.timedelta(days=400)
    ids, offset = [], LectureResult.objects.count()
    for i in range(offset, offset + n):
        lecture = outreach_factories.lecture(
            course=world["course"],
            instructor=world["lecturer"],
            organization=world["organization"],
            start=start + dt.timedelta(days=3 * i),
        )
        ids.append(survey_services.evaluation_open(lecture=lecture, by=None).pk)
    result_services.results_compute(evaluation_ids=ids)


@pytest.mark.parametrize(
    ("user", "url"),
    [("org_a", "evaluations:result_list"), ("lecturer_user", "evaluations:my_ratings")],
)
def test_result_pages_do_not_query_per_row(client, world, user, url, settings):
    # No cache: every request does the full work (我的评价 otherwise serves its figures from the cache).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(world[user])
    counts = []
    for total in (1, 3, 60):
        _lectures_with_results(world, total - LectureResult.objects.count())
        assert LectureResult.objects.count() == total
        counts.append(count_queries(client, reverse(url)))
    assert counts[0] == counts[1] == counts[2], counts


_sequence = itertools.count(1)


def _evaluations(world, n: int) -> list:
    """`n` more evaluated lectures, each at an organization of its own (the pages name the organization)."""
    evaluations = []
    for _ in range(n):
        i = next(_sequence)
        organization = outreach_factories.organization(region=world["village_a"], name=f"第{i}党支部")
        lecture = outreach_factories.lecture(
            course=world["course"],
            instructor=world["lecturer"],
            organization=organization,
            start=timezone.now() - dt.timedelta(days=30 + 3 * i, hours=2),
        )
        evaluations.append(survey_services.evaluation_open(lecture=lecture, by=None))
    return evaluations


def _answer(evaluation, n: int, *, step: int, satisfaction: int, comment: str = "") -> None:
    values = dict.fromkeys(
        Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True), step
    )
    for k in range(n):
        survey_services.survey_submit(
            evaluation=evaluation,
            device_id=f"phone-{evaluation.pk}-{k}",
            values=values,
            satisfaction=satisfaction,
            comment=comment,
            seconds=60,
            now=evaluation.opens_at + dt.timedelta(hours=1),
        )
    # The lectures lie weeks back, so their window has closed by the clock: the sheets answered "back then" reach
    # the answer tables with the closing flush, as the periodic flush task does for a survey that has ended.
    survey_services.survey_flush(evaluation_id=evaluation.pk, final=True)


def _pending_comments(world, n: int) -> None:
    for evaluation in _evaluations(world, n):
        _answer(evaluation, 1, step=4, satisfaction=4, comment="建议多举本地案例")


def _proposed_consequences(world, n: int) -> None:
    for evaluation in _evaluations(world, n):
        _answer(evaluation, 12, step=2, satisfaction=1)
        # A named expert, so the counted weight reaches 0.60: trainees alone leave the lecture insufficient,
        # and an insufficient lecture proposes nothing.
        RaterAssignment.objects.create(
            evaluation=evaluation, role="expert", name="专家", submitted_at=timezone.now(), score=Decimal(60)
        )
        result_services.result_compute(evaluation=evaluation)


def test_moderation_queue_does_not_query_per_comment(client, world):
    client.force_login(world["org_a"])
    _pending_comments(world, 1)
    one = count_queries(client, reverse("evaluations:moderation_queue"))
    _pending_comments(world, 2)
    assert Comment.objects.filter(state=Comment.State.PENDING).count() == 3
    assert count_queries(client, reverse("evaluations:moderation_queue")) == one


def test_consequences_list_does_not_query_per_action(client, world):
    client.force_login(world["org_a"])
    _proposed_consequences(world, 1)
    one = count_queries(client, reverse("evaluations:action_list"))
    _proposed_consequences(world, 2)
    assert ResultAction.objects.filter(status=ResultAction.Status.PROPOSED).values("result").distinct().count() == 3
    assert count_queries(client, reverse("evaluations:action_list")) == one


def test_my_rating_tasks_do_not_query_per_task(client, world):
    judge = factories.user(role="judge")
    client.force_login(judge)

    def assign(n: int) -> None:
        for evaluation in _evaluations(world, n):
            survey_services.rater_assign(evaluation=evaluation, role="expert", user=judge, by=world["org_a"])

    assign(1)
    one = count_queries(client, reverse("evaluations:my_assignments"))
    assign(2)
    assert RaterAssignment.objects.filter(user=judge).count() == 3
    assert count_queries(client, reverse("evaluations:my_assignments")) == one
