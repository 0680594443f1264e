"""The evaluation pages that list results run the same number of SQL queries for 1, 3 or 60 rows (60 > one page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import LectureResult
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
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


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


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
        counts.append(_queries(client, reverse(url)))
    assert counts[0] == counts[1] == counts[2], counts
