"""Joint events (联合研讨峰会): the host's rules (capacity, deadline, cancellation, idempotent retries), the signed
registration endpoint, and the pages (organizer's create/publish, member's registration, registrations and export)."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alliance import keys, selectors, services, signing
from alliance.models import JointEvent, Partner, Registration
from tests import factories
from tests.alliance import factories as alliance_factories
from tests.helpers import count_queries
from tests.refusals import refused

pytestmark = pytest.mark.django_db

DATA = {"name": "张三", "unit": "市委党校", "role": "instructor", "contact": "13912345678"}


def _partner(status: str = Partner.Status.ACTIVE) -> Partner:
    return alliance_factories.partner(name="乐山市", key=keys.public_key_text(), status=status)


def _receive(event: JointEvent, *, portal: Partner | None = None, uid: uuid.UUID | None = None, person: str = "p1"):
    return services.registration_receive(
        event=event, portal=portal, uid=uid or uuid.uuid4(), person_key=person, data=DATA
    )


# --- the host's rules ------------------------------------------------------------------------------------------


def test_registration_beyond_capacity_is_refused_as_full():
    event = alliance_factories.joint_event(capacity=1)
    _receive(event, person="p1")
    with refused("full"):
        _receive(event, person="p2")
    assert event.registrations.count() == 1


def test_registration_after_the_deadline_is_refused_as_closed():
    event = alliance_factories.joint_event(registration_deadline=timezone.now() - dt.timedelta(minutes=1))
    with refused("closed"):
        _receive(event)


def test_registration_for_a_cancelled_event_is_refused_as_closed():
    event = services.event_cancel(event=alliance_factories.joint_event())
    with refused("closed"):
        _receive(event)


def test_a_retry_with_the_same_uid_is_stored_once():
    partner = _partner()
    event = alliance_factories.joint_event(capacity=1)
    uid = uuid.uuid4()
    first = _receive(event, portal=partner, uid=uid)
    again = _receive(event, portal=partner, uid=uid)  # the event is full by now: the retry still gets its answer
    assert (again.pk, again.status, event.registrations.count()) == (first.pk, "confirmed", 1)


def test_a_second_click_by_the_same_member_gives_the_same_registration():
    event = alliance_factories.joint_event()
    member = factories.user()
    first = services.event_register(event=event, user=member, data=DATA)
    second = services.event_register(event=event, user=member, data=DATA)
    assert (first.pk, Registration.objects.count()) == (second.pk, 1)


def test_publishing_gives_a_new_stamp_and_drafts_stay_out_of_the_feed(tree):
    organizer = factories.organizer(tree["county_a"])
    data = {
        "title": "成渝党员教育峰会",
        "theme": "",
        "starts_on": dt.date(2030, 5, 1),
        "ends_on": dt.date(2030, 5, 2),
        "place": "嘉州会堂",
        "description": "",
        "registration_deadline": timezone.now() + dt.timedelta(days=3),
        "capacity": 10,
    }
    event = services.event_save(event=None, data=data, sessions=[], by=organizer)
    draft_feed = selectors.event_feed_page(since=0, limit=10)["items"]
    published = services.event_publish(event=event)
    feed = selectors.event_feed_page(since=0, limit=10)["items"]
    assert (draft_feed, [i["id"] for i in feed], event.region) == ([], [published.pk], tree["county_a"])


def test_publishing_twice_is_refused():
    event = alliance_factories.joint_event()
    with refused("not_draft"):
        services.event_publish(event=event)


# --- the signed registration endpoint --------------------------------------------------------------------------


def _signed_post(client, event: JointEvent, payload: dict, **sign_kwargs):
    path = reverse("alliance:api_event_register", args=[event.pk])
    body = json.dumps(payload).encode()
    prepared = signing.sign(requests.Request("POST", f"http://testserver{path}", data=body).prepare(), **sign_kwargs)
    headers = {name: prepared.headers[name] for name in ("Signature", "Signature-Input", "Content-Digest", "Date")}
    return client.post(path, data=body, content_type="application/json", headers=headers), (path, body, headers)


def _payload(**extra) -> dict:
    return {"uid": str(uuid.uuid4()), "person_key": "user:7", **DATA, **extra}


def test_a_partner_registers_its_member_and_a_retry_is_answered_the_same(client):
    partner = _partner()
    event = alliance_factories.joint_event()
    payload = _payload()
    first, _sent = _signed_post(client, event, payload)
    again, _sent = _signed_post(client, event, payload)
    stored = Registration.objects.get()
    assert (first.json()["status"], again.json()["status"], stored.portal, stored.contact) == (
        "confirmed",
        "confirmed",
        partner,
        DATA["contact"],
    )


def test_a_full_event_answers_full_with_409(client):
    _partner()
    event = alliance_factories.joint_event(capacity=0)
    response, _sent = _signed_post(client, event, _payload())
    assert (response.status_code, response.json()["code"], Registration.objects.count()) == (409, "full", 0)


def test_a_bad_payload_is_refused_with_a_code(client):
    _partner()
    response, _sent = _signed_post(client, alliance_factories.joint_event(), _payload(name="", role="boss"))
    assert (response.status_code, response.json()["code"]) == (400, "bad_registration")


def test_a_forged_registration_is_refused(client):
    _partner()
    event = alliance_factories.joint_event()
    _response, (path, _body, headers) = _signed_post(client, event, _payload())
    forged = json.dumps(_payload(name="冒名者")).encode()  # the Content-Digest covers the first body only
    response = client.post(path, data=forged, content_type="application/json", headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")


def test_a_replayed_registration_is_refused(client):
    _partner()
    event = alliance_factories.joint_event()
    _response, (path, body, headers) = _signed_post(client, event, _payload())
    response = client.post(path, data=body, content_type="application/json", headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "replayed")


def test_a_suspended_partner_cannot_register(client):
    _partner(status=Partner.Status.SUSPENDED)
    response, _sent = _signed_post(client, alliance_factories.joint_event(), _payload())
    assert (response.status_code, response.json()["code"], Registration.objects.count()) == (
        403,
        "partner_suspended",
        0,
    )


def test_an_unknown_key_cannot_register(client):
    _partner()
    response, _sent = _signed_post(
        client, alliance_factories.joint_event(), _payload(), key=Ed25519PrivateKey.generate()
    )
    assert (response.status_code, response.json()["code"]) == (401, "unknown_partner")


def test_an_event_of_a_partner_is_not_registered_here(client):
    partner = _partner()
    event = alliance_factories.joint_event(partner_obj=partner)
    response, _sent = _signed_post(client, event, _payload())
    assert (response.status_code, response.json()["code"]) == (404, "unknown_event")


# --- pages -----------------------------------------------------------------------------------------------------


def _session_data(rows: list[dict]) -> dict:
    data = {"sessions-TOTAL_FORMS": str(len(rows)), "sessions-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"sessions-{i}-{k}": v for k, v in row.items()})
    return data


def test_organizer_creates_an_event_with_its_agenda_and_publishes_it(client, tree):
    client.force_login(factories.organizer(tree["county_a"]))
    data = {
        "title": "成渝党员教育峰会",
        "starts_on": "2030-05-01",
        "ends_on": "2030-05-02",
        "place": "嘉州会堂",
        "registration_deadline": "2030-04-20T18:00",
        "capacity": "80",
        **_session_data([{"starts_at": "2030-05-01T09:00", "title": "开幕式", "speaker": "王主任", "room": "一号厅"}]),
    }
    response = client.post(reverse("alliance:event_create"), data)
    event = JointEvent.objects.get()
    client.post(reverse("alliance:event_publish", args=[event.pk]))
    event.refresh_from_db()
    assert (response.status_code, event.sessions.count(), event.status) == (302, 1, "published")


def test_editing_a_published_event_replaces_its_agenda_and_gives_a_new_stamp(client, tree):
    event = alliance_factories.joint_event(region=tree["county_a"])
    stamp = event.stamp
    client.force_login(factories.organizer(tree["county_a"]))
    form = client.get(reverse("alliance:event_update", args=[event.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["registration_deadline"] = "2030-04-20T18:00"
    rows = [
        {"starts_at": "2030-05-01T09:00", "title": "主旨报告"},
        {"starts_at": "2030-05-01T10:00", "title": "分组讨论"},
    ]
    client.post(reverse("alliance:event_update", args=[event.pk]), {**data, **_session_data(rows)})
    event.refresh_from_db()
    assert (list(event.sessions.values_list("title", flat=True)), event.stamp > stamp) == (
        ["主旨报告", "分组讨论"],
        True,
    )


def test_a_short_contact_is_not_shown_whole():
    assert Registration(contact="1234").masked_contact == "***4"


def test_an_organizer_of_another_county_cannot_edit_the_event(client, tree):
    event = alliance_factories.joint_event(region=tree["county_a"])
    client.force_login(factories.organizer(tree["county_b"]))
    response = client.post(reverse("alliance:event_cancel", args=[event.pk]))
    event.refresh_from_db()
    assert (response.status_code, event.status) == (404, "published")


def test_a_member_registers_on_the_page_and_sees_the_status(client):
    event = alliance_factories.joint_event()
    client.force_login(factories.user())
    client.post(reverse("alliance:event_register", args=[event.pk]), DATA)
    response = client.get(event.get_absolute_url())
    assert "已确认" in response.text and Registration.objects.get().status == "confirmed"


def test_the_list_shows_partner_events_with_their_host(client):
    partner = _partner()
    alliance_factories.joint_event(partner_obj=partner, title="乐山峰会")
    client.force_login(factories.user())
    response = client.get(reverse("alliance:event_list"))
    assert "乐山峰会" in response.text and "主办：乐山市" in response.text


def test_drafts_are_not_listed_to_members(client, tree):
    alliance_factories.joint_event(region=tree["county_a"], status="draft", title="草稿会")
    client.force_login(factories.user())
    assert "草稿会" not in client.get(reverse("alliance:event_list")).text


def test_registrations_list_and_export_mask_the_contact(client, tree):
    event = alliance_factories.joint_event(region=tree["county_a"])
    _receive(event, portal=_partner())
    client.force_login(factories.organizer(tree["county_a"]))
    page = client.get(reverse("alliance:registration_list", args=[event.pk]))
    export = client.get(reverse("alliance:registration_export", args=[event.pk]))
    cells = [c for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row]
    assert (DATA["contact"] in page.text, "乐山市" in page.text, DATA["contact"] in cells) == (False, True, False)
    assert "*******5678" in cells


def test_event_list_runs_the_same_queries_for_one_and_three_events(client, tree):
    partner = _partner()
    member = factories.user()
    client.force_login(member)

    def add_row(n: int) -> None:
        event = alliance_factories.joint_event(partner_obj=partner if n % 2 else None, region=tree["county_a"])
        if event.is_ours:
            services.event_register(event=event, user=member, data=DATA)

    add_row(0)
    one = count_queries(client, reverse("alliance:event_list"))
    add_row(1)
    add_row(2)
    assert count_queries(client, reverse("alliance:event_list")) == one
