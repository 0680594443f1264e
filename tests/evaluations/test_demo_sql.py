"""The province loader generates answers inside PostgreSQL: check that what it writes obeys the portal's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count

from config.demo.evaluations_sql import seed_sql
from evaluations.models import Answer, DeviceVote, Evaluation, Indicator, LectureResult, Response
from tests import factories
from tests.conftest import need
from tests.outreach import factories as outreach_factories

pytestmark = pytest.mark.django_db


def test_generated_answers_follow_the_scoring_rules(db):
    need(connection.vendor == "postgresql", "the loader is PostgreSQL SQL (DATABASE_URL)")
    tree = factories.region_tree()
    lecturer = factories.instructor(region=tree["county_a"])
    course = outreach_factories.course(lead=lecturer)
    organization = outreach_factories.organization(region=tree["village_a"])
    for day in range(1, 21):
        outreach_factories.delivered(
            outreach_factories.lecture(
                course=course, instructor=lecturer, organization=organization, start=outreach_factories.at(day, 9)
            ),
            attendance=60,
        )
    counts = seed_sql(lecture_filter="true", seed=1)
    assert counts["evaluations"] == 20 and counts["responses"] >= 20 * 3
    assert Response.objects.count() == DeviceVote.objects.count() == counts["responses"]
    assert Answer.objects.count() == counts["answers"]
    weights = dict(Indicator.objects.values_list("pk", "weight"))
    min_weight = Decimal("0.6667")
    for response in Response.objects.prefetch_related("answers")[:300]:
        values = {a.indicator_id: a.value for a in response.answers.all()}
        answered = sum(weights[k] for k in values)
        assert response.answered_weight == round(answered, 4)
        if response.dropped_reason == "speeder":
            assert set(values.values()) == {5} and not response.valid
        elif answered < min_weight:
            assert response.dropped_reason == "too_little" and not response.valid
        else:
            expected = sum(weights[k] * v for k, v in values.items()) / answered * 20
            assert response.valid and abs(response.score - expected) <= Decimal("0.01")
    per_sheet = Response.objects.annotate(n=Count("answers")).values_list("n", flat=True)
    n_indicators = len(weights)
    assert any(0 < n < n_indicators for n in per_sheet)  # skippers skip some items, not all at once
    assert LectureResult.objects.count() == 20
    assert not Evaluation.objects.annotate(n=Count("responses")).filter(n=0).exists()
    # Seeding again adds nothing: every delivered lecture has its evaluation.
    assert seed_sql(lecture_filter="true", seed=1)["evaluations"] == 0
