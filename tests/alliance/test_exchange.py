"""师资交流互访 between two portals, simulated in-process: the portal is its own partner (live_server, one
database), so the requesting side's OUTGOING row and the home side's INCOMING row of the same exchange live side by
side, and every message between them is a real signed HTTP request."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from alliance import keys, services, signing
from alliance.models import ExchangeRequest, OutboxMessage, Partner, RemoteInstructor
from instructors.models import InstructorYearFigures
from outreach.models import Lecture, Organization
from outreach.services import lecture_schedule
from tests import factories
from tests.courses import factories as course_factories
from tests.refusals import refused

pytestmark = pytest.mark.django_db(transaction=True)

Status = ExchangeRequest.Status


def _partner(base_url: str, name: str = "乐山市") -> Partner:
    partner = Partner(name=name, base_url=base_url, public_key=keys.public_key_text())
    partner.full_clean()
    partner.save()
    return partner


def _home():
    """Our shared instructor with a shared course, and the organizer of their county."""
    county = factories.region_tree()["county_a"]
    instructor = factories.instructor(region=county, name="李老师")
    course = course_factories.course(lead=instructor, title="嘉州瑰宝")
    services.course_share(course=course, shared=True, by=None)
    services.instructor_share(instructor=instructor, shared=True, by=None)
    return instructor, course, factories.organizer(county)


def _ask(partner: Partner, *, hours_ago: int = 3) -> ExchangeRequest:
    services.partner_instructors_pull(partner=partner)
    remote = RemoteInstructor.objects.get(partner=partner)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=hours_ago)
    requester = factories.organizer(factories.region(name="乐山市中区"))
    return services.exchange_request(
        remote=remote,
        course_remote_id=remote.courses[0]["id"],
        start=start,
        end=start + dt.timedelta(hours=2),
        place="乐山市委党校报告厅",
        audience_expected=80,
        note="",
        by=requester,
    )


def _incoming(out: ExchangeRequest) -> ExchangeRequest:
    return ExchangeRequest.objects.get(uuid=out.uuid, direction=ExchangeRequest.Direction.INCOMING)


def _payload(instructor, course, **extra) -> dict:
    start = timezone.now() + dt.timedelta(days=7)
    payload = {
        "uuid": str(uuid.uuid4()),
        "instructor": instructor.pk,
        "course": course.pk,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=2)).isoformat(),
        "place": "乐山市委党校",
        "audience": 50,
        "note": "",
    }
    payload.update(extra)
    return payload


def test_instructor_feed_lists_shared_instructors_without_personal_data(live_server):
    _partner(live_server.url)
    instructor, course, _org = _home()
    response = signing.signed_get(f"{live_server.url}/alliance/api/instructors/")
    item = response.json()["instructors"][0]
    assert (item["name"], item["courses"]) == ("李老师", [{"id": course.pk, "title": "嘉州瑰宝"}])
    assert instructor.phone not in response.text and instructor.id_number not in response.text


def test_unsharing_an_instructor_withdraws_them_at_the_next_pull(live_server):
    partner = _partner(live_server.url)
    instructor, _course, _org = _home()
    services.partner_instructors_pull(partner=partner)
    services.instructor_share(instructor=instructor, shared=False, by=None)
    services.partner_instructors_pull(partner=partner)
    assert (RemoteInstructor.objects.count(), RemoteInstructor.objects.listed().count()) == (1, 0)


def test_exchange_round_trip_counts_at_home_and_brings_the_result_back(live_server):
    partner = _partner(live_server.url)
    instructor, _course, home_org = _home()
    out = _ask(partner)
    incoming = _incoming(out)
    assert (incoming.status, incoming.instructor) == (Status.REQUESTED, instructor)
    services.exchange_answer(exchange=incoming, accept=True, reason="同意", by=home_org)
    incoming.refresh_from_db()
    out.refresh_from_db()
    assert (out.status, incoming.lecture.status, incoming.lecture.venue) == (
        Status.ACCEPTED,
        Lecture.Status.CONFIRMED,
        "乐山市委党校报告厅",
    )
    services.exchange_deliver(exchange=out, attendance=76, hours=Decimal("2"), by=out.created_by)
    figures = InstructorYearFigures.objects.get(instructor=instructor, year=timezone.localtime(out.start).year)
    assert (figures.lectures, _incoming(out).lecture.status) == (1, Lecture.Status.DELIVERED)
    services.exchange_record_result(
        exchange=out, score=Decimal("91.5"), explanation="讲解生动", trainees=60, by=out.created_by
    )
    incoming = _incoming(out)
    assert (incoming.status, incoming.result_score, incoming.result_explanation) == (
        Status.EVALUATED,
        Decimal("91.50"),
        "讲解生动",
    )
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


def test_a_decline_travels_back_with_its_reason_and_is_audited(live_server):
    partner = _partner(live_server.url)
    _instructor, _course, home_org = _home()
    out = _ask(partner, hours_ago=-48)
    services.exchange_answer(exchange=_incoming(out), accept=False, reason="另有安排", by=home_org)
    out.refresh_from_db()
    change = out.status_changes.first()
    assert (out.status, out.answer_reason, change.changed_by, "乐山市" in change.reason) == (
        Status.DECLINED,
        "另有安排",
        None,
        True,
    )


def test_a_cancellation_frees_the_home_instructor(live_server):
    partner = _partner(live_server.url)
    _instructor, _course, home_org = _home()
    out = _ask(partner, hours_ago=-48)
    services.exchange_answer(exchange=_incoming(out), accept=True, reason="", by=home_org)
    out.refresh_from_db()
    services.exchange_cancel(exchange=out, reason="场地调整", by=out.created_by)
    incoming = _incoming(out)
    assert (incoming.status, incoming.lecture.status) == (Status.CANCELLED, Lecture.Status.CANCELLED)


def test_a_retried_request_or_answer_changes_nothing_more(live_server):
    _partner(live_server.url)
    instructor, course, home_org = _home()
    payload = _payload(instructor, course)
    url = f"{live_server.url}/alliance/api/exchanges/"
    first, again = signing.signed_post(url, payload), signing.signed_post(url, payload)
    assert (first.status_code, again.status_code, again.json()["uuid"]) == (200, 200, payload["uuid"])
    assert ExchangeRequest.objects.filter(uuid=payload["uuid"]).count() == 1
    incoming = ExchangeRequest.objects.get(uuid=payload["uuid"])
    services.exchange_answer(exchange=incoming, accept=False, reason="不便", by=home_org)
    message_url = f"{live_server.url}/alliance/api/exchanges/{payload['uuid']}/cancel/"
    twice = [signing.signed_post(message_url, {"reason": "x"}).status_code for _ in range(2)]
    assert twice == [409, 409]  # a declined request cannot be cancelled: refused each time, nothing changed


def test_partner_down_leaves_the_message_waiting_and_the_retry_delivers_it_once(live_server):
    partner = _partner("http://127.0.0.1:9")  # nothing listens there
    _home()
    Partner.objects.filter(pk=partner.pk).update(base_url=live_server.url)
    partner.refresh_from_db()
    services.partner_instructors_pull(partner=partner)
    Partner.objects.filter(pk=partner.pk).update(base_url="http://127.0.0.1:9")
    partner.refresh_from_db()
    out = _ask(partner, hours_ago=-48)
    message = OutboxMessage.objects.get(exchange=out)
    assert (message.pending, message.attempts, ExchangeRequest.objects.count()) == (True, 1, 1)
    Partner.objects.filter(pk=partner.pk).update(base_url=live_server.url)
    assert services.outbox_enqueue_due() == 0  # still waiting out its back-off
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    services.outbox_enqueue_due()
    services.outbox_enqueue_due()
    message.refresh_from_db()
    assert (message.sent_at is not None, ExchangeRequest.objects.filter(uuid=out.uuid).count()) == (True, 2)


def test_an_accept_that_clashes_is_refused_and_writes_nothing(live_server):
    partner = _partner(live_server.url)
    instructor, course, home_org = _home()
    out = _ask(partner, hours_ago=-48)
    incoming = _incoming(out)
    place = Organization.objects.create(
        name="本地单位", type="agency", region=instructor.region, county=instructor.region
    )
    lecture_schedule(
        course=course,
        instructor=instructor,
        start=incoming.start,
        end=incoming.end,
        organization=place,
        venue="",
        by=None,
    )
    with refused("instructor_overlap"):
        services.exchange_answer(exchange=incoming, accept=True, reason="", by=home_org)
    incoming.refresh_from_db()
    assert (incoming.status, OutboxMessage.objects.filter(exchange=incoming).count()) == (Status.REQUESTED, 0)


def test_declining_needs_a_reason(live_server):
    partner = _partner(live_server.url)
    _instructor, _course, home_org = _home()
    out = _ask(partner, hours_ago=-48)
    with refused("reason_missing"):
        services.exchange_answer(exchange=_incoming(out), accept=False, reason=" ", by=home_org)


# --- refusals of the signed endpoints -------------------------------------------------------------------------------


def test_an_unsigned_request_is_refused(live_server, client):
    response = client.post(reverse("alliance:api_exchanges"), "{}", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (401, "signature_missing")


def test_a_request_for_an_instructor_not_shared_is_refused(live_server):
    _partner(live_server.url)
    instructor, course, _org = _home()
    services.instructor_share(instructor=instructor, shared=False, by=None)
    response = signing.signed_post(f"{live_server.url}/alliance/api/exchanges/", _payload(instructor, course))
    assert (response.status_code, response.json()["code"], ExchangeRequest.objects.count()) == (
        400,
        "instructor_not_shared",
        0,
    )


def test_a_course_the_instructor_does_not_give_is_refused(live_server):
    _partner(live_server.url)
    instructor, _course, _org = _home()
    other = course_factories.course(lead=factories.instructor(region=instructor.region, name="王老师"))
    services.course_share(course=other, shared=True, by=None)
    response = signing.signed_post(f"{live_server.url}/alliance/api/exchanges/", _payload(instructor, other))
    assert (response.status_code, response.json()["code"]) == (400, "course_not_given")


def test_a_malformed_message_is_refused(live_server):
    _partner(live_server.url)
    instructor, course, _org = _home()
    response = signing.signed_post(
        f"{live_server.url}/alliance/api/exchanges/", _payload(instructor, course, start="morgen")
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_message")


def test_a_message_about_an_unknown_exchange_is_refused(live_server):
    _partner(live_server.url)
    response = signing.signed_post(f"{live_server.url}/alliance/api/exchanges/{uuid.uuid4()}/answer/", {"x": 1})
    assert (response.status_code, response.json()["code"]) == (404, "unknown_exchange")


def test_a_suspended_partner_is_refused(live_server):
    partner = _partner(live_server.url)
    instructor, course, _org = _home()
    services.partner_set_status(partner=partner, status=Partner.Status.SUSPENDED)
    response = signing.signed_post(f"{live_server.url}/alliance/api/exchanges/", _payload(instructor, course))
    assert (response.status_code, response.json()["code"]) == (403, "partner_suspended")


def test_a_body_changed_after_signing_is_refused(live_server):
    _partner(live_server.url)
    instructor, course, _org = _home()
    body = json.dumps(_payload(instructor, course)).encode()
    prepared = signing.sign(
        requests.Request(
            "POST",
            f"{live_server.url}/alliance/api/exchanges/",
            data=body,
            headers={"Content-Type": "application/json"},
        ).prepare()
    )
    prepared.body = body.replace(b"50", b"99")
    prepared.headers["Content-Length"] = str(len(prepared.body))
    response = requests.Session().send(prepared, timeout=10)
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")
