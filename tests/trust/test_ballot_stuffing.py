"""Issue 15, item 3 and issue 14 (wrong today, 5): sheets cannot be stuffed through the QR link, and the speeder
rule cannot be switched off by the client."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Evaluation, Indicator, PendingSheet, Response
from evaluations.survey import services as survey_services
from evaluations.survey.views import DEVICE_COOKIE
from tests import factories
from tests.conftest import refused
from tests.courses import factories as course_factories
from tests.outreach import factories as outreach_factories


@pytest.fixture
def lecture(db):
    tree = factories.region_tree()
    lecturer = factories.instructor(region=tree["county_a"], name="张三")
    course = course_factories.course(lead=lecturer, title="坚持党建引领激活村级治理新动能")
    organization = outreach_factories.organization(region=tree["village_a"], name="白马村党支部")
    start = timezone.now() - dt.timedelta(hours=1)
    lecture = outreach_factories.lecture(course=course, instructor=lecturer, organization=organization, start=start)
    lecture.organizer = factories.organizer(tree["county_a"])
    return lecture


@pytest.fixture
def evaluation(lecture):
    return survey_services.evaluation_open(lecture=lecture, by=lecture.organizer)


def _values(evaluation: Evaluation, number: int = 0) -> dict[int, int]:
    ids = Indicator.objects.filter(dimension__system=evaluation.system).order_by("pk").values_list("pk", flat=True)
    digits = [number // 25 % 5 + 1, number // 5 % 5 + 1, number % 5 + 1]
    return {pk: (digits[i] if i < 3 else 4) for i, pk in enumerate(ids)}


def _submit(evaluation: Evaluation, number: int = 0, address: str = "", values=None) -> None:
    survey_services.survey_submit(
        evaluation=evaluation,
        device_id=uuid.uuid4().hex,
        values=values or _values(evaluation, number),
        satisfaction=4,
        seconds=90,
        address=address,
    )


# --- Attendance -------------------------------------------------------------------------------------------------


def test_attendance_defaults_to_the_lectures_expected_audience(lecture):
    lecture.audience_expected = 40
    lecture.save()
    evaluation = survey_services.evaluation_open(lecture=lecture, by=lecture.organizer)
    assert evaluation.attendance == 40


def test_sheets_beyond_110_percent_of_the_attendance_are_held(lecture):
    evaluation = survey_services.evaluation_open(lecture=lecture, by=lecture.organizer, attendance=10)
    for number in range(13):
        _submit(evaluation, number)
    assert (Response.objects.count(), PendingSheet.objects.filter(held="attendance").count()) == (11, 2)


def test_held_sheets_count_once_the_organizer_accepts_them(lecture, django_capture_on_commit_callbacks):
    evaluation = survey_services.evaluation_open(lecture=lecture, by=lecture.organizer, attendance=5)
    for number in range(8):
        _submit(evaluation, number)
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.held_sheets_accept(evaluation=evaluation, by=lecture.organizer)
    assert (Response.objects.count(), PendingSheet.objects.count()) == (8, 0)


def test_attendance_out_of_range_is_refused(evaluation, lecture):
    with refused("attendance_range"):
        survey_services.evaluation_attendance_set(evaluation=evaluation, attendance=0, by=lecture.organizer)


def test_the_result_page_says_how_many_sheets_were_held_and_why(client, lecture):
    from evaluations.results import services as result_services

    evaluation = survey_services.evaluation_open(lecture=lecture, by=lecture.organizer, attendance=3)
    for number in range(6):
        _submit(evaluation, number)
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(lecture.organizer)
    page = client.get(reverse("evaluations:result_detail", args=[result.pk])).content.decode()
    assert "待核实" in page and "3 份超出所报到课人数的 1.1 倍" in page


# --- Bursts from one address --------------------------------------------------------------------------------------


def test_a_burst_of_near_identical_sheets_from_one_address_is_held(evaluation, settings):
    settings.SURVEY_BURST_SIMILAR = 5
    settings.SURVEY_BURST_SECONDS = 3600  # counts per clock window: a wide one, so the sheets never straddle two
    for _ in range(7):
        _submit(evaluation, address="198.51.100.7", values=_values(evaluation, 0))
    assert PendingSheet.objects.filter(held="burst").count() == 3


def test_a_classroom_behind_one_address_with_different_answers_is_not_held(evaluation):
    for number in range(60):
        _submit(evaluation, number, address="198.51.100.7")
    assert PendingSheet.objects.exclude(held="").count() == 0


def test_the_burst_counter_does_not_store_the_address(evaluation, settings):
    from django.core.cache import cache

    # An in-memory cache whose keys the test can list (Redis in CI: the counters live there, keyed the same way).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "burst"}}
    _submit(evaluation, address="198.51.100.7")
    keys = list(getattr(cache, "_cache", {}).keys())
    assert keys and not any("198.51.100.7" in str(key) for key in keys)


# --- New devices per address -------------------------------------------------------------------------------------


def test_a_classroom_of_300_new_phones_behind_one_address_is_admitted(evaluation):
    for _ in range(300):
        survey_services.survey_device_admit(evaluation=evaluation, address="198.51.100.9")


def test_new_phones_beyond_the_limit_per_address_are_refused(client, evaluation, settings):
    settings.SURVEY_NEW_DEVICES_PER_MINUTE = 2
    url = reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])
    # The limit counts per clock minute: three phones that straddle a minute's end are two windows, so such a try is
    # repeated (the next minute's count starts afresh).
    for _attempt in range(2):
        minute = int(time.time() // 60)
        for _ in range(2):
            client.get(url)
            client.cookies.pop(DEVICE_COOKIE)
        response = client.get(url)
        client.cookies.pop(DEVICE_COOKIE, None)
        if int(time.time() // 60) == minute:
            break
    assert (response.status_code, DEVICE_COOKIE in response.cookies) == (429, False)


# --- The rotating on-screen code ----------------------------------------------------------------------------------


def test_an_on_screen_code_works_two_minutes_after_it_was_shown(evaluation):
    shown = timezone.now()
    token = survey_services.survey_token(evaluation, live_step=survey_services.survey_live_step(shown))
    later = shown + dt.timedelta(seconds=110)
    assert survey_services.survey_resolve(token, now=later).pk == evaluation.pk


def test_an_on_screen_code_expires_after_two_minutes(evaluation):
    shown = timezone.now()
    token = survey_services.survey_token(evaluation, live_step=survey_services.survey_live_step(shown))
    with refused("link_expired"):
        survey_services.survey_resolve(token, now=shown + dt.timedelta(seconds=151))


def test_the_organizer_can_close_the_printed_link(evaluation, lecture):
    survey_services.evaluation_poster_link_set(evaluation=evaluation, open=False, by=lecture.organizer)
    with refused("poster_link_closed"):
        survey_services.survey_resolve(survey_services.survey_token(evaluation))


def test_rotating_the_link_kills_every_earlier_code(client, evaluation, lecture):
    old = survey_services.survey_token(evaluation)
    client.force_login(lecture.organizer)
    client.post(reverse("evaluations:evaluation_link_rotate", args=[evaluation.pk]))
    assert client.get(reverse("evaluations:survey", args=[old])).status_code == 404


def test_the_live_page_shows_a_code_that_opens_the_survey(client, evaluation, lecture):
    client.force_login(lecture.organizer)
    page = client.get(reverse("evaluations:evaluation_live", args=[evaluation.pk])).content.decode()
    assert 'http-equiv="refresh" content="30"' in page and "<svg" in page


# --- The opening time of a sheet (issue 14, wrong today 5) -------------------------------------------------------


def _form(client, evaluation) -> tuple[str, dict]:
    url = reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])
    page = client.get(url)
    data = {"started": page.context["form"].initial["started"], "satisfaction": "4", "comment": ""}
    data.update({f"i{pk}": "5" for pk in _values(evaluation)})
    return url, data


def test_a_sheet_without_its_opening_time_is_refused_and_stores_nothing(client, evaluation):
    url, data = _form(client, evaluation)
    del data["started"]
    response = client.post(url, data)
    assert "没有携带打开时间" in response.content.decode()
    assert (Response.objects.count(), PendingSheet.objects.count()) == (0, 0)


def test_a_forged_opening_time_is_refused(client, evaluation):
    url, data = _form(client, evaluation)
    data["started"] = str(time.time() - 3600)
    client.post(url, data)
    assert PendingSheet.objects.count() + Response.objects.count() == 0


def test_an_opening_time_served_to_another_phone_is_refused(evaluation):
    token = survey_services.survey_started_token(evaluation=evaluation, device_id="phone-a")
    with refused("survey_opened_unknown"):
        survey_services.survey_started_seconds(evaluation=evaluation, device_id="phone-b", token=token)


def test_the_service_refuses_a_sheet_without_seconds(evaluation):
    with refused("survey_opened_unknown"):
        survey_services.survey_submit(
            evaluation=evaluation, device_id="phone", values=_values(evaluation), satisfaction=4, seconds=None
        )


def test_a_fast_straight_lined_sheet_is_dropped_as_a_speeder(client, evaluation):
    url, data = _form(client, evaluation)
    client.post(url, data)  # posted at once, every item 5
    assert Response.objects.get().dropped_reason == "speeder"
