import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Rectification
from tests import factories
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db


def test_home_lists_overdue_rectifications_of_own_county_only(client):
    tree = factories.region_tree()
    mine = course_factories.course(
        lead=factories.instructor(region=tree["county_a"]), title="我县的整改课程", status="rectification"
    )
    theirs = course_factories.course(
        lead=factories.instructor(region=tree["county_b"], name="李四"), title="他县的整改课程", status="rectification"
    )
    for course in (mine, theirs):
        rect = course_factories.rectification(course_obj=course)
        Rectification.objects.filter(pk=rect.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(factories.organizer(tree["county_a"]))
    body = client.get(reverse("home")).content.decode()
    assert "我县的整改课程" in body
    assert "他县的整改课程" not in body


def test_backlog_tiles_count_exactly_up_to_the_cap_then_say_more(db, monkeypatch):
    from config import views
    from instructors.models import Region
    from tests import factories

    factories.region_tree()
    total = Region.objects.count()
    assert views._capped_count(Region.objects.all()) == str(total)
    monkeypatch.setattr(views, "CAP", total - 1)
    assert views._capped_count(Region.objects.all()) == f"{total - 1}+"


def _tiles(body: str) -> dict[str, int]:
    return {tier: int(n) for tier, n in re.findall(r'data-pool-tier="(\w+)"[^>]*>([\d,]+)<', body)}


def test_home_pool_tiles_equal_the_registry_list_they_link_to(client):
    tree = factories.region_tree()
    statuses = ["active", "active", "probation", "candidate", "retired", "dismissed"]
    for n, status in enumerate(statuses):
        factories.instructor(region=tree["county_a"], name=f"师资{n}", status=status, tier="county")
    factories.instructor(region=tree["county_a"], name="市级师资", status="probation", tier="municipal")
    client.force_login(factories.organizer(tree["city"]))
    tiles = _tiles(client.get(reverse("home")).content.decode())
    listed = {
        tier: int(
            re.search(
                r'data-count="registry" data-value="(\d+)"',
                client.get(
                    reverse("instructors:instructor_list"), {"tier": tier, "status": "in_pool"}
                ).content.decode(),
            ).group(1)
        )
        for tier in tiles
    }
    assert tiles == listed == {"provincial": 0, "municipal": 1, "county": 3}


def test_home_states_what_in_the_pool_counts(client):
    tree = factories.region_tree()
    for status in ("active", "probation", "candidate"):
        factories.instructor(region=tree["county_a"], status=status)
    client.force_login(factories.organizer(tree["city"]))
    body = client.get(reverse("home")).content.decode()
    note = re.search(r'data-count-note="pool">([^<]*)<', body).group(1)
    assert "考察期" in note and "2" in note
