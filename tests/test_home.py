import datetime as dt

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
