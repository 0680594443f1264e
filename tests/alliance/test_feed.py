"""The shared-course feed, pulled over real HTTP from a portal that is its own partner (live_server), and from a
small stand-in server for a partner that answers nonsense."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading

import pytest
from django.urls import reverse

from alliance import keys, services, signing
from alliance.models import AdoptedCourse, Partner, RemoteCourse
from courses.models import Course
from courses.services import courseware_upload
from instructors.models import Region
from tests import factories
from tests.courses import factories as course_factories
from tests.refusals import refused

pytestmark = pytest.mark.django_db(transaction=True)


def _partner(base_url: str, name: str = "乐山市") -> Partner:
    partner = Partner(name=name, base_url=base_url, public_key=keys.public_key_text())
    partner.full_clean()
    partner.save()
    return partner


def _shared_course(title: str = "嘉州瑰宝") -> Course:
    tree = factories.region_tree()
    lead = factories.instructor(region=tree["city"], name="李老师")
    course = course_factories.course(lead=lead, title=title)
    courseware_upload(course=course, upload=course_factories.pdf_upload(), note="第一版", by=None)
    services.course_share(course=course, shared=True, by=None)
    return course


def _feed(base_url: str, since: int = 0) -> dict:
    return signing.signed_get(f"{base_url}/alliance/api/courses/?since={since}").json()


def test_feed_publishes_a_shared_course_without_personal_data(live_server):
    _partner(live_server.url)
    course = _shared_course()
    response = signing.signed_get(f"{live_server.url}/alliance/api/courses/?since=0")
    item = response.json()["items"][0]
    assert (item["title"], item["courseware"]["version"], item["lead_instructor"]) == ("嘉州瑰宝", 1, "李老师")
    lead = course.lead_instructor
    assert lead.phone not in response.text and lead.id_number not in response.text


def test_feed_is_incremental_and_a_new_version_gives_a_new_stamp(live_server):
    _partner(live_server.url)
    course = _shared_course()
    first = _feed(live_server.url)
    nothing = _feed(live_server.url, first["next"])
    courseware_upload(course=course, upload=course_factories.pdf_upload(), note="第二版", by=None)
    again = _feed(live_server.url, first["next"])
    assert (nothing["items"], [i["courseware"]["version"] for i in again["items"]]) == ([], [2])


def test_pull_stores_each_course_once_and_an_unshared_one_is_withdrawn(live_server):
    partner = _partner(live_server.url)
    course = _shared_course()
    services.partner_pull(partner=partner)
    services.partner_pull(partner=partner)
    stored_once = RemoteCourse.objects.filter(partner=partner).count()
    services.course_share(course=course, shared=False, by=None)
    services.partner_pull(partner=partner)
    assert (stored_once, RemoteCourse.objects.listed().count()) == (1, 0)


def test_partner_that_is_down_backs_off_and_its_courses_stay_listed(live_server, settings):
    partner = _partner(live_server.url)
    _shared_course()
    services.partner_pull(partner=partner)
    Partner.objects.filter(pk=partner.pk).update(base_url="http://127.0.0.1:9")  # nothing listens there
    partner.refresh_from_db()
    services.partner_pull(partner=partner)
    services.partner_pull(partner=partner)
    partner.refresh_from_db()
    waited = (partner.next_pull_at - partner.last_pull_at).total_seconds()
    assert (partner.failures, round(waited), partner.is_down) == (2, 2 * settings.ALLIANCE_BACKOFF_SECONDS, True)
    assert RemoteCourse.objects.listed().count() == 1


def test_adopted_course_is_a_draft_copy_with_the_source_version_and_its_update_is_offered(live_server):
    partner = _partner(live_server.url, name="乐山市")
    source = _shared_course()
    services.partner_pull(partner=partner)
    remote = RemoteCourse.objects.get()
    organizer = factories.organizer(source.lead_instructor.region)
    copy = services.remote_course_adopt(
        remote=remote, lead_instructor=source.lead_instructor, topic=source.topic, by=organizer
    )
    assert (copy.status, copy.courseware_versions.count(), "乐山市" in copy.summary) == ("draft", 1, True)
    courseware_upload(course=source, upload=course_factories.pdf_upload(), note="修订", by=None)
    services.partner_pull(partner=partner)
    adoption = AdoptedCourse.objects.get(course=copy)
    assert adoption.update_available
    services.adoption_update(adoption=adoption, by=organizer)
    assert (copy.courseware_versions.count(), AdoptedCourse.objects.get().source_version) == (2, 2)


def test_adopting_twice_is_refused(live_server):
    partner = _partner(live_server.url)
    source = _shared_course()
    services.partner_pull(partner=partner)
    remote = RemoteCourse.objects.get()
    services.remote_course_adopt(remote=remote, lead_instructor=source.lead_instructor, topic=source.topic, by=None)
    with refused("already_adopted"):
        services.remote_course_adopt(remote=remote, lead_instructor=source.lead_instructor, topic=source.topic, by=None)


# --- a partner that answers nonsense ---------------------------------------------------------------------------


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
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    _Canned.routes = {}


def _item(n: int, base: str, **extra) -> dict:
    item = {"id": n, "stamp": n, "withdrawn": False, "title": f"课{n}", "summary": "", "topic": "", "format": "lecture"}
    item.update({"duration_minutes": 90, "audience": "", "lead_instructor": "王", "courseware": None, "rating": {}})
    item.update(extra)
    return item


def test_malformed_json_marks_the_partner_and_stores_nothing(canned):
    _server, base = canned
    _Canned.routes = {"/alliance/api/courses/": b'{"items": [{"id": 1, '}
    partner = _partner(base)
    services.partner_pull(partner=partner)
    partner.refresh_from_db()
    assert ("malformed" in partner.last_error or "格式" in partner.last_error, partner.failures) == (True, 1)
    assert RemoteCourse.objects.count() == 0


def test_a_bad_item_keeps_the_whole_page_out(canned):
    _server, base = canned
    page = {"items": [_item(1, base), _item(2, base, format="opera")], "next": 2, "more": False}
    _Canned.routes = {"/alliance/api/courses/": json.dumps(page).encode()}
    partner = _partner(base)
    services.partner_pull(partner=partner)
    partner.refresh_from_db()
    assert (RemoteCourse.objects.count(), partner.feed_stamp, partner.failures) == (0, 0, 1)


def test_courseware_that_fails_the_content_check_is_refused_and_nothing_is_adopted(canned):
    _server, base = canned
    junk = b"MZ\x90\x00" + b"\x00" * 200
    courseware = {"version": 1, "kind": "pdf", "size": len(junk), "sha256": hashlib.sha256(junk).hexdigest()}
    courseware.update({"note": "", "url": f"{base}/files/1/"})
    page = {"items": [_item(1, base, courseware=courseware)], "next": 1, "more": False}
    _Canned.routes = {"/alliance/api/courses/": json.dumps(page).encode(), "/files/1/": junk}
    partner = _partner(base)
    services.partner_pull(partner=partner)
    lead = factories.instructor(region=factories.region_tree()["city"])
    with refused("executable"):
        services.remote_course_adopt(
            remote=RemoteCourse.objects.get(), lead_instructor=lead, topic=course_factories.topic(), by=None
        )
    assert (Course.objects.count(), AdoptedCourse.objects.count()) == (0, 0)


def test_signed_get_reaches_the_partner_with_a_signature(canned):
    _server, base = canned
    seen = {}

    class Recorder(_Canned):
        def do_GET(self) -> None:  # noqa: N802
            seen.update(self.headers)
            super().do_GET()

    _server.RequestHandlerClass = Recorder
    requests_made = signing.signed_get(f"{base}/x/")
    assert (requests_made.status_code, "nonce=" in seen.get("Signature-Input", "")) == (404, True)


def test_organizer_adopts_through_the_page_and_takes_the_update(live_server, client):
    partner = _partner(live_server.url, name="乐山市")
    source = _shared_course()
    services.partner_pull(partner=partner)
    remote = RemoteCourse.objects.get()
    client.force_login(factories.organizer(source.lead_instructor.region))
    data = {"lead_instructor": source.lead_instructor.pk, "topic": source.topic.pk}
    response = client.post(reverse("alliance:remote_course_detail", args=[remote.pk]), data)
    adoption = AdoptedCourse.objects.get()
    assert (response.status_code, response.url) == (302, adoption.course.get_absolute_url())
    courseware_upload(course=source, upload=course_factories.pdf_upload(), note="修订", by=None)
    services.partner_pull(partner=partner)
    client.post(reverse("alliance:adoption_update", args=[adoption.pk]))
    assert adoption.course.courseware_versions.count() == 2


def test_organizer_of_another_county_cannot_take_an_update_of_our_copy(live_server, client):
    partner = _partner(live_server.url)
    source = _shared_course()
    services.partner_pull(partner=partner)
    copy = services.remote_course_adopt(
        remote=RemoteCourse.objects.get(), lead_instructor=source.lead_instructor, topic=source.topic, by=None
    )
    other = Region.objects.get(name="平羌县")
    client.force_login(factories.organizer(other))
    response = client.post(reverse("alliance:adoption_update", args=[copy.alliance_source.pk]))
    assert response.status_code == 404
