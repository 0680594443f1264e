"""The joint-event feed pulled over real HTTP from a portal that is its own partner (live_server), registrations sent
through the outbox to the host portal (and retried when it is down), and a partner whose event feed is nonsense."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading

import pytest
from django.utils import timezone

from alliance import keys, services
from alliance.models import JointEvent, Partner, Registration
from tests import factories
from tests.alliance import factories as alliance_factories

pytestmark = pytest.mark.django_db(transaction=True)

DATA = {"name": "张三", "unit": "市委党校", "role": "organizer", "contact": "13912345678"}


def _partner(base_url: str) -> Partner:
    return alliance_factories.partner(name="乐山市", base_url=base_url, key=keys.public_key_text())


def _our_event(**extra) -> JointEvent:
    """An event of ours, published the way an organizer does it (so it has a stamp of our feed)."""
    return alliance_factories.joint_event(**extra)


def test_pull_lists_a_published_event_with_its_agenda_once(live_server):
    partner = _partner(live_server.url)
    ours = _our_event(title="成渝峰会")
    alliance_factories.joint_event(status=JointEvent.Status.DRAFT, title="草稿")
    services.partner_pull(partner=partner)
    services.partner_pull(partner=partner)
    pulled = JointEvent.objects.get(partner=partner)
    assert (pulled.title, pulled.remote_id, pulled.sessions.count(), pulled.host_name) == (
        "成渝峰会",
        ours.pk,
        1,
        "乐山市",
    )


def test_a_cancelled_event_is_pulled_again_as_cancelled(live_server):
    partner = _partner(live_server.url)
    ours = _our_event()
    services.partner_pull(partner=partner)
    services.event_cancel(event=ours)
    services.partner_pull(partner=partner)
    assert JointEvent.objects.get(partner=partner).status == "cancelled"


def test_a_member_registers_for_a_partner_event_and_the_host_confirms(live_server):
    partner = _partner(live_server.url)
    host_event = _our_event()
    services.partner_pull(partner=partner)
    pulled = JointEvent.objects.get(partner=partner)
    services.event_register(event=pulled, user=factories.user(), data=DATA)  # sent on commit (eager Celery)
    outbox = Registration.objects.get(event=pulled)
    at_host = Registration.objects.get(event=host_event)
    assert (outbox.status, outbox.contact, at_host.portal, at_host.contact) == (
        "confirmed",
        "",
        partner,
        DATA["contact"],
    )


def test_a_registration_waits_while_the_host_is_down_and_is_sent_later(live_server, settings):
    partner = _partner(live_server.url)
    _our_event()
    services.partner_pull(partner=partner)
    pulled = JointEvent.objects.get(partner=partner)
    Partner.objects.filter(pk=partner.pk).update(base_url="http://127.0.0.1:9")  # nothing listens there
    services.event_register(event=pulled, user=factories.user(), data=DATA)
    waiting = Registration.objects.get(event=pulled)
    Partner.objects.filter(pk=partner.pk).update(base_url=live_server.url)
    Registration.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    services.registrations_send_enqueue()
    waiting_status, attempts = waiting.status, waiting.attempts
    waiting.refresh_from_db()
    assert (waiting_status, attempts, waiting.status, waiting.attempts) == ("pending", 1, "confirmed", 2)


def test_a_full_host_event_shows_full_on_the_members_portal(live_server):
    partner = _partner(live_server.url)
    _our_event(capacity=0)
    services.partner_pull(partner=partner)
    pulled = JointEvent.objects.get(partner=partner)
    services.event_register(event=pulled, user=factories.user(), data=DATA)
    assert Registration.objects.get(event=pulled).status == "full"


# --- a partner whose event feed is nonsense --------------------------------------------------------------------


class _Canned(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = self.routes.get(self.path.split("?")[0], b"")
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def canned():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    _Canned.routes = {}


def _event_item(n: int, **extra) -> dict:
    item = {"id": n, "stamp": n, "status": "published", "title": f"会{n}", "theme": "", "place": "会堂"}
    item.update({"starts_on": "2030-05-01", "ends_on": "2030-05-02", "description": "", "capacity": 10})
    item.update({"registration_deadline": "2030-04-20T10:00:00+08:00", "sessions": []})
    item.update(extra)
    return item


def test_a_bad_event_keeps_the_whole_page_out_and_is_recorded(canned):
    empty = {"items": [], "next": 0, "more": False}
    page = {"items": [_event_item(1), _event_item(2, ends_on="2030-04-01")], "next": 2, "more": False}
    _Canned.routes = {
        "/alliance/api/courses/": json.dumps(empty).encode(),
        "/alliance/api/events/": json.dumps(page).encode(),
    }
    partner = _partner(canned)
    services.partner_pull(partner=partner)
    partner.refresh_from_db()
    assert (JointEvent.objects.count(), partner.events_stamp, partner.failures) == (0, 0, 1)
    assert "ends before it starts" in partner.last_error


def test_a_good_event_page_is_stored_and_moves_the_cursor(canned):
    empty = {"items": [], "next": 0, "more": False}
    page = {"items": [_event_item(1), _event_item(3)], "next": 3, "more": False}
    _Canned.routes = {
        "/alliance/api/courses/": json.dumps(empty).encode(),
        "/alliance/api/events/": json.dumps(page).encode(),
    }
    partner = _partner(canned)
    services.partner_pull(partner=partner)
    partner.refresh_from_db()
    assert (JointEvent.objects.filter(partner=partner).count(), partner.events_stamp, partner.failures) == (2, 3, 0)
