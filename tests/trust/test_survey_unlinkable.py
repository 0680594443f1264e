"""Issue 15, item 2: an answer cannot be linked to its phone, its comment or its neighbours, even by someone who
reads the whole database and the logs (README "Evaluation", DEPLOY.md "Threat model of the survey")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import uuid
from collections import defaultdict

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from evaluations.models import Comment, DeviceVote, Evaluation, Indicator, PendingSheet, Response
from evaluations.survey import selectors as survey_selectors
from evaluations.survey import services as survey_services
from tests import factories
from tests.conftest import need, refused
from tests.courses import factories as course_factories
from tests.outreach import factories as outreach_factories


def _evaluation() -> Evaluation:
    tree = factories.region_tree()
    lecturer = factories.instructor(region=tree["county_a"], name="张三")
    course = course_factories.course(lead=lecturer, title="坚持党建引领激活村级治理新动能")
    organization = outreach_factories.organization(region=tree["village_a"], name="白马村党支部")
    start = timezone.now() - dt.timedelta(hours=1)
    lecture = outreach_factories.lecture(course=course, instructor=lecturer, organization=organization, start=start)
    return survey_services.evaluation_open(lecture=lecture, by=factories.organizer(tree["county_a"]))


@pytest.fixture
def evaluation(db, settings):
    settings.SURVEY_MIX_K = 10
    return _evaluation()


def _indicators(evaluation: Evaluation) -> list[int]:
    return list(
        Indicator.objects.filter(dimension__system=evaluation.system).order_by("pk").values_list("pk", flat=True)
    )


def _submit(
    evaluation: Evaluation, number: int, device: str | None = None, comment: str = "", address: str = ""
) -> None:
    """Sheet ``number`` carries its number in its first three answers (base 5), so a test can tell sheets apart."""
    ids = _indicators(evaluation)
    digits = [number // 25 % 5 + 1, number // 5 % 5 + 1, number % 5 + 1]
    values = {pk: (digits[i] if i < 3 else 4) for i, pk in enumerate(ids)}
    survey_services.survey_submit(
        evaluation=evaluation,
        device_id=device or uuid.uuid4().hex,
        values=values,
        satisfaction=4,
        comment=comment,
        seconds=90,
        address=address,
    )


def _number(response: Response, ids: list[int]) -> int:
    values = {a.indicator_id: a.value for a in response.answers.all()}
    return (values[ids[0]] - 1) * 25 + (values[ids[1]] - 1) * 5 + (values[ids[2]] - 1)


def test_a_sheet_waits_in_the_buffer_and_is_counted_at_once(evaluation):
    for number in range(3):
        _submit(evaluation, number)
    received = survey_selectors.sheets_received(evaluation=evaluation)
    assert (received, Response.objects.count(), PendingSheet.objects.count()) == (3, 0, 3)


def test_the_buffer_carries_no_device_address_or_time():
    columns = {f.column for f in PendingSheet._meta.concrete_fields}
    assert columns == {"id", "evaluation_id", "values", "satisfaction", "comment", "speeder", "held"}


def test_a_flush_writes_a_random_batch_and_keeps_k_waiting(evaluation):
    for number in range(25):  # the 20th sheet triggers a flush of 10, keeping 10 waiting
        _submit(evaluation, number)
    assert (Response.objects.count(), PendingSheet.objects.count()) == (10, 15)


def test_closing_writes_every_sheet_and_destroys_the_salt(evaluation):
    for number in range(13):
        _submit(evaluation, number, comment=f"意见{number}")
    Evaluation.objects.filter(pk=evaluation.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    written = survey_services.survey_flush(evaluation_id=evaluation.pk)
    evaluation.refresh_from_db()
    assert (written, Response.objects.count(), Comment.objects.count()) == (13, 13, 13)
    assert (evaluation.device_salt, PendingSheet.objects.count()) == ("", 0)


def test_a_flush_that_runs_twice_loses_and_duplicates_nothing(evaluation):
    for number in range(12):
        _submit(evaluation, number)
    survey_services.survey_flush(evaluation_id=evaluation.pk, final=True)
    survey_services.survey_flush(evaluation_id=evaluation.pk, final=True)
    assert (Response.objects.count(), PendingSheet.objects.count()) == (12, 0)


def test_the_periodic_task_closes_ended_surveys(evaluation):
    from evaluations.tasks import survey_buffers_flush_task

    _submit(evaluation, 1)
    Evaluation.objects.filter(pk=evaluation.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    survey_buffers_flush_task()
    evaluation.refresh_from_db()
    assert (evaluation.device_salt, Response.objects.count()) == ("", 1)


def test_the_device_key_is_not_derived_from_the_secret_key(evaluation):
    under_secret_key = hmac.new(
        django_settings.SECRET_KEY.encode(), f"{evaluation.pk}:phone".encode(), hashlib.sha256
    ).hexdigest()
    assert survey_services.device_hash(evaluation, "phone") != under_secret_key


def test_after_the_window_not_even_the_phone_links_a_device_to_the_survey(evaluation):
    survey_services.survey_flush(evaluation_id=evaluation.pk, final=True)
    evaluation.refresh_from_db()
    with refused("survey_closed"):
        survey_services.device_hash(evaluation, "phone")


def test_logs_of_a_submission_and_flush_carry_no_device_or_address(evaluation, caplog):
    caplog.set_level(logging.DEBUG)
    for number in range(20):
        _submit(evaluation, number, device=f"device-{number}-secret", address="203.0.113.77")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "device-" not in text and "203.0.113.77" not in text
    assert Response.objects.count() == 10  # the flush ran (and logged) inside this capture


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_row_positions_reveal_at_most_the_flush(settings):
    """50 sheets from 50 phones in a known order: response ids, comment ids, ctid and xmin tell at most which flush
    of at least k sheets a sheet came in; after the window the salt is gone."""
    need(connection.vendor == "postgresql", "ctid and xmin need PostgreSQL (DATABASE_URL)")
    settings.SURVEY_MIX_K = 10
    evaluation = _evaluation()
    ids = _indicators(evaluation)
    for number in range(50):
        _submit(evaluation, number, device=f"phone-{number}", comment=f"第{number}条意见")
    Evaluation.objects.filter(pk=evaluation.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    survey_services.survey_flush(evaluation_id=evaluation.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, xmin::text FROM evaluations_response WHERE evaluation_id = %s ORDER BY ctid", [evaluation.pk]
        )
        physical = cursor.fetchall()
        cursor.execute(
            "SELECT text, xmin::text FROM evaluations_comment WHERE evaluation_id = %s ORDER BY id", [evaluation.pk]
        )
        comments = cursor.fetchall()
    responses = {r.pk: r for r in Response.objects.filter(evaluation=evaluation).prefetch_related("answers")}
    flushes: dict[str, list[int]] = defaultdict(list)
    for pk, xmin in physical:
        flushes[xmin].append(_number(responses[pk], ids))
    comment_flushes: dict[str, list[int]] = defaultdict(list)
    for text, xmin in comments:
        comment_flushes[xmin].append(int(text[1:-3]))
    # Every sheet arrived once; each flush (one transaction, one xmin) holds at least k sheets.
    assert sorted(n for batch in flushes.values() for n in batch) == list(range(50))
    assert min(len(batch) for batch in flushes.values()) >= 10
    # Inside each flush, neither the physical order nor the comment ids follow the order of submission, and the
    # comments are in another order than the answers (probability of failing by chance: under 1 in 3 million).
    assert all(batch != sorted(batch) for batch in flushes.values())
    assert all(batch != sorted(batch) for batch in comment_flushes.values())
    assert [sorted(b) for b in flushes.values()] == [sorted(b) for b in comment_flushes.values()]
    # Response ids are random UUIDs, and answer rows share their response's transaction.
    assert len({pk.version for pk in responses}) == 1 and next(iter(responses)).version == 4
    evaluation.refresh_from_db()
    assert evaluation.device_salt == ""
    assert DeviceVote.objects.filter(evaluation=evaluation).count() == 50
