import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse

from outreach.models import BroadcastProgramme, BroadcastSchedule
from tests import factories

pytestmark = pytest.mark.django_db


def _schedule(region, weekday=1, time=dt.time(19, 30), title="党课开讲啦 第1期", **extra):
    programme, _ = BroadcastProgramme.objects.get_or_create(title=title)
    return BroadcastSchedule.objects.create(
        region=region, programme=programme, weekday=weekday, time=time, starts_on=dt.date(2020, 1, 1), **extra
    )


def test_schedule_dates_must_be_in_order():
    tree = factories.region_tree()
    with pytest.raises(IntegrityError):
        _schedule(tree["county_a"], ends_on=dt.date(2019, 1, 1))


def test_loudspeaker_report_shows_schedules_of_own_region_and_above_only(client):
    tree = factories.region_tree()
    _schedule(tree["city"], title="全市统一播放")
    _schedule(tree["county_a"], weekday=3, title="嘉城区专题")
    _schedule(tree["county_b"], weekday=5, title="平羌县专题")
    client.force_login(factories.organizer(tree["county_a"]))
    body = client.get(reverse("outreach:loudspeaker_report")).content.decode()
    assert "全市统一播放" in body and "嘉城区专题" in body
    assert "平羌县专题" not in body


def test_odd_year_parameter_falls_back_to_this_year(client):
    tree = factories.region_tree()
    client.force_login(factories.organizer(tree["county_a"]))
    assert client.get(reverse("outreach:dashboard"), {"year": "²"}).status_code == 200
