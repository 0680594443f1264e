"""Evaluation of instructor training sessions (以训提能: 课中现场评估, 课后反馈调整)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from evaluations import scoring
from evaluations.models import Evaluation, Indicator, LectureResult, Response, SessionResult
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from instructors.models import InstructorYearFigures
from tests import factories
from tests.conftest import refused
from tests.courses import factories as course_factories
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(world):
    """A session of a city programme that started an hour ago."""
    topic = course_factories.topic("授课技巧")
    programme = course_factories.programme(region=world["city"], topics=[topic])
    created = course_factories.session(programme_obj=programme, topic_obj=topic, capacity=60)
    created.starts_at = timezone.now() - dt.timedelta(hours=1)
    created.save()
    return created


@pytest.fixture
def evaluation(session, world):
    return survey_services.evaluation_open_session(session=session, by=world["city_org"])


def _answer(evaluation, step: int, satisfaction: int, n: int = 1) -> None:
    values = dict.fromkeys(
        Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True), step
    )
    for _ in range(n):
        survey_services.survey_submit(
            evaluation=evaluation,
            device_id=uuid.uuid4().hex,
            values=values,
            satisfaction=satisfaction,
            seconds=60,
            now=evaluation.opens_at + dt.timedelta(minutes=30),
        )


def test_session_score_is_the_trainee_mean_once_the_minimum_is_reached():
    enough = scoring.session_score((8, 72.0), scoring.DEFAULTS)
    assert (enough.score, enough.insufficient, enough.counted_weight) == (72.0, False, 1.0)
    few = scoring.session_score((7, 72.0), scoring.DEFAULTS)
    assert (few.score, few.insufficient, few.reason) == (None, True, "few_trainees")


def test_an_evaluation_rates_exactly_one_lecture_or_one_session(world, session, evaluation):
    system, params = evaluation.system, evaluation.scoring
    window = {"opens_at": timezone.now(), "closes_at": timezone.now()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(system=system, scoring=params, **window)
    other = course_factories.session(programme_obj=session.programme, topic_obj=session.topic)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(lecture=world["lecture"], session=other, system=system, scoring=params, **window)


def test_opening_twice_returns_the_same_evaluation_with_the_lecture_window(session, evaluation, world):
    again = survey_services.evaluation_open_session(session=session, by=world["city_org"])
    assert again.pk == evaluation.pk
    assert (evaluation.opens_at, evaluation.closes_at - evaluation.opens_at) == (
        session.starts_at,
        dt.timedelta(hours=72),
    )
    assert evaluation.subject.kind == "session" and evaluation.subject.teacher == session.teacher


def test_result_is_the_mean_of_valid_sheets_with_wilson_bounds(evaluation, session):
    _answer(evaluation, step=4, satisfaction=4, n=8)  # 80 points each
    _answer(evaluation, step=2, satisfaction=1, n=2)  # 40 points each
    result = result_services.session_results_compute(evaluation_ids=[evaluation.pk])[0]
    # (8 × 80 + 2 × 40) / 10 = 72.00; satisfaction 8/10 with one-sided 95 % Wilson bounds (z = 1.645).
    assert (result.score, result.insufficient, result.trainee_n) == (Decimal("72.00"), False, 10)
    assert (result.sr, result.sr_lower, result.sr_upper) == (Decimal("0.8"), Decimal("0.5408"), Decimal("0.9314"))
    assert (result.satisfied_n, result.sr_n, result.sr_yellow) == (8, 10, True)
    assert result.explanation["formula"] == "(1×72.00) / (1) = 72.00"
    assert result.dimension_scores and all(v == 72.0 for v in result.dimension_scores.values())
    assert result.session == session and result.year == timezone.localtime(session.starts_at).year


def test_recomputing_gives_identical_numbers_and_touches_no_instructor(evaluation):
    _answer(evaluation, step=5, satisfaction=4, n=9)
    first = result_services.session_results_compute(evaluation_ids=[evaluation.pk])[0]
    second = result_services.session_results_compute(evaluation_ids=[evaluation.pk])[0]
    fields = ("score", "sr", "sr_lower", "sr_upper", "trainee_n", "dimension_scores", "explanation")
    assert [getattr(first, f) for f in fields] == [getattr(second, f) for f in fields]
    assert (SessionResult.objects.count(), LectureResult.objects.count()) == (1, 0)
    assert InstructorYearFigures.objects.count() == 0
    # The lecture path ignores session evaluations, and the session path lecture ones.
    assert result_services.results_compute(evaluation_ids=[evaluation.pk]) == []


def test_below_the_trainee_minimum_the_result_says_so(client, world, evaluation):
    _answer(evaluation, step=4, satisfaction=4, n=5)
    result = result_services.session_results_compute(evaluation_ids=[evaluation.pk])[0]
    assert (result.score, result.insufficient) == (None, True)
    client.force_login(world["city_org"])
    page = client.get(reverse("evaluations:session_result_detail", args=[result.pk])).content.decode()
    assert "还需 3 份学员答卷" in page


def test_beat_refresh_also_computes_session_results(evaluation):
    _answer(evaluation, step=4, satisfaction=4, n=8)
    result_services.results_refresh_recent(now=evaluation.opens_at + dt.timedelta(hours=2))
    assert SessionResult.objects.get(evaluation=evaluation).score == Decimal("80.00")


def test_no_named_raters_on_a_session(evaluation, world):
    with refused("session_trainees_only"):
        survey_services.rater_assign(
            evaluation=evaluation, role="expert", user=factories.user(role="judge"), by=world["city_org"]
        )


def test_phone_answers_a_session_once_through_the_qr_link(client, evaluation, session):
    url = reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])
    page = client.get(url)
    body = page.content.decode()
    assert session.title in body and session.teacher in body
    data = {"started": page.context["form"].initial["started"], "satisfaction": "4", "comment": "很实用"}
    for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True):
        data[f"i{pk}"] = "5"
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200 and Response.objects.filter(evaluation=evaluation).count() == 1
    assert evaluation.comments.get().text == "很实用"


def test_organizer_opens_computes_and_reads_within_scope(client, world, session):
    client.force_login(world["city_org"])
    listing = client.get(reverse("evaluations:session_list"))
    assert session.title in listing.content.decode()
    opened = client.post(reverse("evaluations:session_evaluation_open", args=[session.pk]))
    evaluation = Evaluation.objects.get(session=session)
    assert opened["Location"] == evaluation.get_absolute_url()
    detail = client.get(evaluation.get_absolute_url()).content.decode()
    assert session.teacher in detail and "evaluation_assign" not in detail
    poster = client.get(reverse("evaluations:evaluation_poster", args=[evaluation.pk])).content.decode()
    assert session.title in poster
    computed = client.post(reverse("evaluations:evaluation_compute", args=[evaluation.pk]))
    result = SessionResult.objects.get(evaluation=evaluation)
    assert computed["Location"] == reverse("evaluations:session_result_detail", args=[result.pk])
    # A county organizer does not run the city's programme; an instructor is no organizer at all.
    client.force_login(world["org_a"])
    assert client.get(evaluation.get_absolute_url()).status_code == 404
    assert client.get(reverse("evaluations:session_result_detail", args=[result.pk])).status_code == 404
    assert client.post(reverse("evaluations:session_evaluation_open", args=[session.pk])).status_code == 404
    client.force_login(world["lecturer_user"])
    assert client.get(reverse("evaluations:session_result_detail", args=[result.pk])).status_code == 404
    assert client.get(reverse("evaluations:session_list")).status_code == 403


def test_menu_feedback_ranks_topics_weakest_first(client, world, session, evaluation):
    strong_topic = course_factories.topic("理论知识")
    strong = course_factories.session(programme_obj=session.programme, topic_obj=strong_topic)
    strong.starts_at = session.starts_at
    strong.save()
    strong_eval = survey_services.evaluation_open_session(session=strong, by=None)
    _answer(evaluation, step=3, satisfaction=2, n=8)  # 60
    _answer(strong_eval, step=5, satisfaction=4, n=10)  # 100
    result_services.session_results_compute(evaluation_ids=[evaluation.pk, strong_eval.pk])
    client.force_login(world["city_org"])
    page = client.get(reverse("evaluations:session_list"))
    rows = page.context["feedback"]
    assert [(r["session__topic__name"], r["mean"], r["sr"]) for r in rows] == [
        ("授课技巧", Decimal("60.00"), 0.0),
        ("理论知识", Decimal("100.00"), 1.0),
    ]


def test_session_list_does_not_query_per_row(client, world, session):
    client.force_login(world["city_org"])
    counts = []
    for extra in (0, 2, 5):
        for _ in range(extra):
            more = course_factories.session(programme_obj=session.programme, topic_obj=session.topic)
            _answer(survey_services.evaluation_open_session(session=more, by=None), step=4, satisfaction=4, n=8)
        result_services.session_results_compute(evaluation_ids=list(Evaluation.objects.values_list("pk", flat=True)))
        counts.append(count_queries(client, reverse("evaluations:session_list")))
    assert counts[0] == counts[1] == counts[2], counts
