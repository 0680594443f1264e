"""The organizer's and the instructor's exchange pages: lists with their query counts, sharing an instructor,
answering a request (nothing is sent in these tests: on-commit callbacks do not run inside a test transaction),
and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import ExchangeRequest, OutboxMessage, SharedInstructor
from tests import factories
from tests.alliance import factories as alliance_factories
from tests.courses import factories as course_factories
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def _incoming(tree, *, user=None):
    instructor = factories.instructor(region=tree["county_a"], name="李老师", user=user)
    course = course_factories.course(lead=instructor, title="嘉州瑰宝")
    partner = alliance_factories.partner(name="乐山市", base_url="http://127.0.0.1:9")
    return alliance_factories.incoming_exchange(partner_obj=partner, instructor=instructor, course=course)


def test_organizer_shares_an_instructor_and_stops_sharing(client, tree):
    instructor = factories.instructor(region=tree["county_a"])
    client.force_login(factories.organizer(tree["county_a"]))
    client.post(reverse("alliance:instructor_share", args=[instructor.pk]), {"shared": "1"})
    shared = SharedInstructor.objects.get(instructor=instructor).shared
    client.post(reverse("alliance:instructor_share", args=[instructor.pk]), {"shared": "0"})
    assert (shared, SharedInstructor.objects.get(instructor=instructor).shared) == (True, False)


def test_organizer_of_another_county_cannot_share_the_instructor(client, tree):
    instructor = factories.instructor(region=tree["county_a"])
    client.force_login(factories.organizer(tree["county_b"]))
    response = client.post(reverse("alliance:instructor_share", args=[instructor.pk]), {"shared": "1"})
    assert (response.status_code, SharedInstructor.objects.count()) == (404, 0)


def test_organizer_accepts_a_request_and_the_lecture_is_in_our_calendar(client, tree):
    exchange = _incoming(tree)
    client.force_login(factories.organizer(tree["county_a"]))
    client.post(reverse("alliance:exchange_act", args=[exchange.pk, "answer"]), {"accept": "1", "reason": "同意"})
    exchange.refresh_from_db()
    assert (exchange.status, exchange.lecture.venue, OutboxMessage.objects.get().kind) == (
        ExchangeRequest.Status.ACCEPTED,
        "乐山市委党校",
        "answer",
    )


def test_the_requesting_side_cannot_answer_its_own_request(client, tree):
    exchange = _incoming(tree)
    ExchangeRequest.objects.filter(pk=exchange.pk).update(direction=ExchangeRequest.Direction.OUTGOING)
    organizer = factories.organizer(tree["county_a"])
    ExchangeRequest.objects.filter(pk=exchange.pk).update(created_by=organizer)
    client.force_login(organizer)
    response = client.post(reverse("alliance:exchange_act", args=[exchange.pk, "answer"]), {"accept": "1"}, follow=True)
    assert "只有师资所属门户可以答复请求" in response.text


def test_the_instructor_sees_the_request_and_its_external_result_but_cannot_answer(client, tree):
    user = factories.user(role="instructor")
    exchange = _incoming(tree, user=user)
    ExchangeRequest.objects.filter(pk=exchange.pk).update(result_score="88.50", result_explanation="讲解生动")
    client.force_login(user)
    page = client.get(reverse("alliance:exchange_detail", args=[exchange.pk])).text
    refused = client.post(reverse("alliance:exchange_act", args=[exchange.pk, "answer"]), {"accept": "1"})
    assert ("88.50" in page and "讲解生动" in page, refused.status_code) == (True, 403)


def test_the_list_shows_a_message_still_waiting(client, tree):
    exchange = _incoming(tree)
    OutboxMessage.objects.create(exchange=exchange, kind="answer", payload={}, last_error="down", attempts=2)
    client.force_login(factories.organizer(tree["county_a"]))
    assert "待发送" in client.get(reverse("alliance:exchange_list")).text


def test_the_calendar_links_to_the_guest_lectures(client, tree):
    client.force_login(factories.organizer(tree["county_a"]))
    assert reverse("alliance:exchange_list") in client.get(reverse("outreach:calendar")).text


def test_the_instructor_list_never_shows_a_phone(client, tree):
    partner = alliance_factories.partner(name="乐山市")
    alliance_factories.remote_instructor(partner_obj=partner, name="王老师")
    client.force_login(factories.organizer(tree["county_a"]))
    page = client.get(reverse("alliance:remote_instructor_list")).text
    assert "王老师" in page and "乐山市" in page


def test_exchange_list_runs_the_same_queries_for_one_and_three_rows(client, tree):
    organizer = factories.organizer(tree["county_a"])
    client.force_login(organizer)
    partner = alliance_factories.partner(base_url="http://127.0.0.1:9")
    lead = factories.instructor(region=tree["county_a"])
    course = course_factories.course(lead=lead)

    def add_row(days: int) -> None:
        exchange = alliance_factories.incoming_exchange(partner_obj=partner, instructor=lead, course=course, days=days)
        OutboxMessage.objects.create(exchange=exchange, kind="answer", payload={}, next_attempt_at=timezone.now())

    add_row(1)
    one = count_queries(client, reverse("alliance:exchange_list"))
    add_row(2)
    add_row(3)
    assert count_queries(client, reverse("alliance:exchange_list")) == one


@pytest.mark.parametrize("url_name", ["alliance:remote_instructor_list", "alliance:instructor_shared_list"])
def test_instructor_lists_run_the_same_queries_for_one_and_three_rows(client, tree, url_name):
    client.force_login(factories.organizer(tree["county_a"]))
    partner = alliance_factories.partner()

    def add_row() -> None:
        alliance_factories.remote_instructor(partner_obj=partner)
        instructor = factories.instructor(region=tree["county_a"])
        SharedInstructor.objects.create(instructor=instructor)

    add_row()
    one = count_queries(client, reverse(url_name))
    add_row()
    add_row()
    assert count_queries(client, reverse(url_name)) == one


def test_a_request_form_sends_nothing_until_valid(client, tree):
    partner = alliance_factories.partner()
    remote = alliance_factories.remote_instructor(partner_obj=partner)
    client.force_login(factories.organizer(tree["county_a"]))
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    data = {"course": remote.courses[0]["id"], "date": day, "start_time": "10:00", "end_time": "09:00", "place": "x"}
    data["audience_expected"] = 10
    response = client.post(reverse("alliance:exchange_create", args=[remote.pk]), data)
    assert (response.status_code, ExchangeRequest.objects.count()) == (200, 0)


def test_a_valid_request_form_queues_the_message(client, tree):
    partner = alliance_factories.partner()
    remote = alliance_factories.remote_instructor(partner_obj=partner)
    client.force_login(factories.organizer(tree["county_a"]))
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    data = {"course": remote.courses[0]["id"], "date": day, "start_time": "09:00", "end_time": "11:00"}
    data.update(place="乐山市委党校", audience_expected=10)
    client.post(reverse("alliance:exchange_create", args=[remote.pk]), data)
    exchange = ExchangeRequest.objects.get()
    assert (exchange.direction, exchange.outbox.get().kind) == ("out", "request")


def _guest_lectures(tree, *, by) -> tuple[ExchangeRequest, ExchangeRequest]:
    """Two OUTGOING exchanges (we asked a partner's instructor) as the requesting portal keeps them: one accepted,
    one still waiting for the answer."""
    accepted = _incoming(tree)
    asked = alliance_factories.incoming_exchange(
        partner_obj=accepted.partner, instructor=accepted.instructor, course=accepted.course
    )
    ExchangeRequest.objects.filter(pk__in=[accepted.pk, asked.pk]).update(
        direction=ExchangeRequest.Direction.OUTGOING, created_by=by
    )
    ExchangeRequest.objects.filter(pk=accepted.pk).update(status=ExchangeRequest.Status.ACCEPTED)
    ExchangeRequest.objects.filter(pk=asked.pk).update(course_title="尚未答复的课")
    return ExchangeRequest.objects.get(pk=accepted.pk), ExchangeRequest.objects.get(pk=asked.pk)


def test_an_accepted_guest_lecture_is_drawn_in_the_requesting_region_calendar_only(client, tree):
    organizer = factories.organizer(tree["county_a"])
    accepted, _asked = _guest_lectures(tree, by=organizer)
    week = f"?week={timezone.localtime(accepted.start).date().isoformat()}"
    client.force_login(organizer)
    ours = client.get(reverse("outreach:calendar") + week).content.decode()
    client.force_login(factories.organizer(tree["county_b"]))
    theirs = client.get(reverse("outreach:calendar") + week).content.decode()
    assert ("嘉州瑰宝" in ours, "尚未答复的课" in ours, accepted.get_absolute_url() in ours) == (True, False, True)
    assert "嘉州瑰宝" not in theirs
