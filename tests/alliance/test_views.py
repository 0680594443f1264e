"""The organizer's alliance pages: the library with provenance, sharing, the key page; list query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance import keys
from alliance.models import AdoptedCourse, Partner, SharedCourse
from tests import factories
from tests.alliance import factories as alliance_factories
from tests.courses import factories as course_factories
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_library_shows_partner_courses_with_provenance(client, tree):
    partner = alliance_factories.partner(name="乐山市")
    alliance_factories.remote_course(partner_obj=partner, title="嘉州瑰宝")
    response = _login(client, factories.organizer(tree["county_a"])).get(reverse("alliance:library"))
    assert "嘉州瑰宝" in response.text and "来自 乐山市" in response.text


def test_library_flags_a_partner_that_is_down_and_keeps_its_courses(client, tree):
    partner = alliance_factories.partner(name="乐山市", failures=2, last_error="timeout")
    alliance_factories.remote_course(partner_obj=partner, title="嘉州瑰宝")
    response = _login(client, factories.organizer(tree["county_a"])).get(reverse("alliance:library"))
    assert "嘉州瑰宝" in response.text and "暂时无法连接 乐山市" in response.text


def test_library_hides_a_suspended_partners_courses(client, tree):
    partner = alliance_factories.partner(status=Partner.Status.SUSPENDED)
    alliance_factories.remote_course(partner_obj=partner, title="嘉州瑰宝")
    response = _login(client, factories.organizer(tree["county_a"])).get(reverse("alliance:library"))
    assert "嘉州瑰宝" not in response.text


def test_library_offers_the_sources_update(client, tree):
    partner = alliance_factories.partner(name="乐山市")
    remote = alliance_factories.remote_course(partner_obj=partner, courseware_version=3)
    lead = factories.instructor(region=tree["county_a"])
    AdoptedCourse.objects.create(course=course_factories.course(lead=lead), source=remote, source_version=2)
    response = _login(client, factories.organizer(tree["county_a"])).get(reverse("alliance:library"))
    assert "乐山市 已有第 3 版，本地副本来自第 2 版" in response.text


@pytest.mark.parametrize("url_name", ["alliance:library", "alliance:shared_list"])
def test_list_pages_run_the_same_queries_for_one_and_three_rows(client, tree, url_name):
    organizer = factories.organizer(tree["county_a"])
    lead = factories.instructor(region=tree["county_a"])
    partner = alliance_factories.partner()
    _login(client, organizer)

    def add_row() -> None:
        alliance_factories.remote_course(partner_obj=partner)
        course = course_factories.course(lead=lead)
        SharedCourse.objects.create(course=course, stamp=course.pk, fingerprint="")

    add_row()
    one = count_queries(client, reverse(url_name))
    add_row()
    add_row()
    assert count_queries(client, reverse(url_name)) == one


def test_organizer_shares_a_course_and_stops_sharing_it(client, tree):
    lead = factories.instructor(region=tree["county_a"])
    course = course_factories.course(lead=lead)
    _login(client, factories.organizer(tree["county_a"]))
    client.post(reverse("alliance:course_share", args=[course.pk]), {"shared": "1"})
    shared = SharedCourse.objects.get(course=course).shared
    client.post(reverse("alliance:course_share", args=[course.pk]), {"shared": "0"})
    assert (shared, SharedCourse.objects.get(course=course).shared) == (True, False)


def test_a_draft_course_cannot_be_shared(client, tree):
    lead = factories.instructor(region=tree["county_a"])
    course = course_factories.course(lead=lead, status="draft")
    _login(client, factories.organizer(tree["county_a"]))
    response = client.post(reverse("alliance:course_share", args=[course.pk]), {"shared": "1"}, follow=True)
    assert "只有在用或精品课程可以共享到联盟" in response.text and not SharedCourse.objects.exists()


def test_organizer_of_another_county_cannot_share_the_course(client, tree):
    lead = factories.instructor(region=tree["county_a"])
    course = course_factories.course(lead=lead)
    response = _login(client, factories.organizer(tree["county_b"])).post(
        reverse("alliance:course_share", args=[course.pk]), {"shared": "1"}
    )
    assert (response.status_code, SharedCourse.objects.count()) == (404, 0)


def test_admin_sees_our_public_key(client):
    response = _login(client, factories.admin_user()).get(reverse("alliance:our_key"))
    assert keys.public_key_text() in response.text


def test_admin_registers_a_partner_and_derives_its_key_id(client):
    client.force_login(factories.admin_user())
    key = alliance_factories.public_key()
    data = {"name": "乐山市", "base_url": "https://djsz.leshan.example/", "public_key": key, "status": "active"}
    response = client.post(reverse("admin:alliance_partner_add"), data)
    partner = Partner.objects.get()
    assert (response.status_code, partner.base_url, len(partner.key_id)) == (302, "https://djsz.leshan.example", 43)


def test_region_staff_cannot_open_the_partners_admin(client, tree):
    staff = factories.organizer(tree["county_a"], is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:alliance_partner_changelist")).status_code == 403
