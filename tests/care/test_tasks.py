import datetime as dt

import pytest
from django.core import mail

from care import festivals, services
from care.models import Greeting
from care.tasks import send_greetings_task
from evaluations.models import Notification
from instructors.models import Instructor
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 9, 10), ["teachers_day"]),
        (dt.date(2026, 7, 1), ["july_first"]),
        (dt.date(2026, 2, 17), ["spring_festival"]),  # 正月初一 of 2026
        (dt.date(2025, 10, 6), ["mid_autumn"]),  # 八月十五 of 2025
        (dt.date(2026, 9, 25), ["mid_autumn"]),
        (dt.date(2026, 3, 3), []),
    ],
)
def test_occasions_on_finds_solar_and_lunar_festivals(day, expected):
    assert festivals.occasions_on(day) == expected


def test_a_29_february_joiner_is_greeted_on_28_february_of_a_common_year():
    assert (
        festivals.is_anniversary(dt.date(2024, 2, 29), dt.date(2026, 2, 28)),
        festivals.is_anniversary(dt.date(2024, 2, 29), dt.date(2028, 2, 28)),
    ) == (True, False)


@pytest.fixture
def person():
    tree = f.region_tree()
    return f.instructor(
        region=tree["county_a"], user=f.user(username="teacher", email="t@example.com"), joined_on=dt.date(2020, 5, 8)
    )


def test_greetings_run_twice_on_the_same_day_send_once(person):
    first = services.greetings_send(today=dt.date(2026, 9, 10))
    second = services.greetings_send(today=dt.date(2026, 9, 10))
    assert (first, second, Notification.objects.filter(user=person.user).count(), len(mail.outbox)) == (1, 0, 1, 1)


def test_greeting_uses_the_organizers_text_with_the_name_filled_in(person):
    services.greeting_text_save(occasion="teachers_day", subject="节日快乐", text="{name}老师节日快乐", by=None)
    services.greetings_send(today=dt.date(2026, 9, 10))
    assert Greeting.objects.get().text == f"{person.name}老师节日快乐"


def test_anniversary_greeting_counts_the_years(person):
    services.greetings_send(today=dt.date(2026, 5, 8))
    assert Greeting.objects.values_list("occasion", "emailed").get() == ("anniversary", True)
    assert "6周年" in Greeting.objects.get().text


def test_retired_instructors_are_not_greeted(person):
    Instructor.objects.filter(pk=person.pk).update(status=Instructor.Status.RETIRED)
    assert services.greetings_send(today=dt.date(2026, 9, 10)) == 0


def test_no_email_is_sent_without_an_address(person):
    person.user.email = ""
    person.user.save()
    services.greetings_send(today=dt.date(2026, 7, 1))
    assert (Greeting.objects.get().emailed, len(mail.outbox)) == (False, 0)


def test_the_beat_task_sends_todays_greetings(person, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 7, 1))
    assert send_greetings_task.apply().result == 1


def test_the_greeting_job_is_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["care-greetings"]["task"] == "care.tasks.send_greetings_task"
