"""一票否决: organizers record and lift manual vetoes in their scope; nothing is deleted, nothing duplicated."""

import pytest
from django.urls import reverse

from evaluations.models import ReviewVeto
from tests import factories as f
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    tree = f.region_tree()
    return {
        "person": f.instructor(region=tree["county_a"], name="张三"),
        "org_a": f.organizer(tree["county_a"]),
        "org_b": f.organizer(tree["county_b"]),
    }


def test_organizer_finds_by_initials_vetoes_once_and_lifts_with_a_reason(client, world):
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:review_veto_list"), {"q": "zs"})
    assert world["person"] in page.context["found"]
    create = reverse("evaluations:review_veto_create")
    data = {"instructor": world["person"].pk, "reason": "违反政治纪律"}
    assert client.post(create, data).status_code == 302
    again = client.post(create, data, follow=True)  # a second click
    assert "已有一项" in again.content.decode()
    veto = ReviewVeto.objects.get()
    assert (veto.reason, veto.created_by, veto.revoked) == ("违反政治纪律", world["org_a"], False)
    revoke = reverse("evaluations:review_veto_revoke", args=[veto.pk])
    client.post(revoke, {"reason": ""})
    veto.refresh_from_db()
    assert veto.revoked is False
    client.post(revoke, {"reason": "经复查，处分已撤销"})
    veto.refresh_from_db()
    assert (veto.revoked, veto.revoked_by, veto.revoke_reason) == (True, world["org_a"], "经复查，处分已撤销")
    assert veto.revoked_at is not None
    # Lifted, kept on record; a new veto may be recorded later.
    assert client.post(create, {**data, "reason": "再次违纪"}).status_code == 302
    assert ReviewVeto.objects.count() == 2 and ReviewVeto.objects.filter(revoked=False).count() == 1


def test_a_veto_needs_a_reason(client, world):
    client.force_login(world["org_a"])
    client.post(reverse("evaluations:review_veto_create"), {"instructor": world["person"].pk, "reason": "  "})
    assert ReviewVeto.objects.count() == 0


def test_another_county_cannot_see_record_or_lift(client, world):
    veto = ReviewVeto.objects.create(instructor=world["person"], reason="违纪", created_by=world["org_a"])
    client.force_login(world["org_b"])
    assert client.get(reverse("evaluations:review_veto_list")).context["vetoes"].count() == 0
    assert client.get(reverse("evaluations:review_veto_list"), {"q": "张三"}).context["found"] == []
    create = client.post(reverse("evaluations:review_veto_create"), {"instructor": world["person"].pk, "reason": "x"})
    assert create.status_code == 404
    revoke = client.post(reverse("evaluations:review_veto_revoke", args=[veto.pk]), {"reason": "x"})
    assert revoke.status_code == 404
    veto.refresh_from_db()
    assert veto.revoked is False and ReviewVeto.objects.count() == 1


def test_veto_list_and_search_do_not_query_per_row(client, world):
    client.force_login(world["org_a"])
    counts = []
    for n in (1, 3, 8):
        while ReviewVeto.objects.count() < n:
            person = f.instructor(region=world["person"].region, name="张三")
            ReviewVeto.objects.create(instructor=person, reason="违纪", created_by=world["org_a"])
        counts.append(count_queries(client, reverse("evaluations:review_veto_list"), {"q": "zs"}))
    assert counts[0] == counts[1] == counts[2], counts
