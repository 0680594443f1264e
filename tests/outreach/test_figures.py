"""Yearly coverage figures kept by the worker (CoverageFigures): always equal to the figures computed live."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from courses import demo as courses_demo
from instructors import demo as instructors_demo
from instructors.models import Region, User
from outreach import demo as outreach_demo
from outreach import selectors, services, tasks
from outreach.models import CoverageFigures, Lecture

from .test_selectors import YEAR, report  # noqa: F401  (the hand-made year)

pytestmark = pytest.mark.django_db


def _comparable(figures: dict) -> dict:
    """Labels as text (lazy translations compare as text) and without the stored-only keys."""
    data = {k: v for k, v in figures.items() if k not in {"computed_at", "stale"}}
    for key in ("tiers", "types"):
        data[key] = [{**row, "label": str(row["label"])} for row in data[key]]
    return data


def _stored(user: User, year: int, region: Region | None = None) -> dict:
    allowed, scope = selectors.coverage_scope(user=user, region=region)
    services.coverage_figures_refresh(region=scope, year=year)
    figures, current = selectors.coverage_figures_stored(user=user, year=year, region=region)
    assert (allowed, current) == (True, True)
    return _comparable(figures)


def _live(user: User, year: int, region: Region | None = None) -> dict:
    return _comparable(selectors.coverage_figures(user=user, year=year, region=region))


@pytest.mark.parametrize("who", ["city_organizer", "organizer_a", "organizer_b", "admin"])
def test_stored_figures_equal_live_figures_for_each_scope(report, who):  # noqa: F811
    user = User.objects.create(username="root", role=User.Role.ADMIN) if who == "admin" else report[who]
    assert _stored(user, YEAR) == _live(user, YEAR)


def test_stored_figures_of_a_region_picked_in_the_report_equal_live(report):  # noqa: F811
    user, county = report["city_organizer"], report["county_a"]
    assert _stored(user, YEAR, county) == _live(user, YEAR, county)


def test_a_delivered_lecture_makes_the_task_recompute_the_figures(report, django_capture_on_commit_callbacks):  # noqa: F811
    user = report["city_organizer"]
    before = _stored(user, YEAR)
    lecture = Lecture.objects.get(status=Lecture.Status.PLANNED, start__year=YEAR)
    services.lecture_confirm(lecture=lecture, by=None)
    with django_capture_on_commit_callbacks(execute=True):  # the refresh task runs (eagerly) after the commit
        services.lecture_deliver(lecture=lecture, attendance=25, hours=Decimal("1.5"), photos=[], by=None)
    after, current = selectors.coverage_figures_stored(user=user, year=YEAR)
    assert (current, after["totals"]["lectures"]) == (True, before["totals"]["lectures"] + 1)
    assert _comparable(after) == _live(user, YEAR)


def test_a_change_without_a_task_leaves_the_row_stale_until_the_repair(report):  # noqa: F811
    user = report["city_organizer"]
    _stored(user, YEAR)
    Lecture.objects.filter(status=Lecture.Status.PLANNED, start__year=YEAR).delete()  # no service, no task
    assert selectors.coverage_figures_stored(user=user, year=YEAR)[1] is False
    assert tasks.coverage_figures_repair_task() >= 1
    assert selectors.coverage_figures_stored(user=user, year=YEAR)[1] is True


def test_dashboard_shows_the_stored_figures(client, report):  # noqa: F811
    user = report["city_organizer"]
    client.force_login(user)
    client.get(reverse("outreach:dashboard"), {"year": YEAR})  # first view computes and keeps the row
    row = CoverageFigures.objects.get(region=user.region, year=YEAR)
    row.figures["totals"]["lectures"] = 98765  # the page must read the row, not recompute
    row.save(update_fields=["figures"])
    body = client.get(reverse("outreach:dashboard"), {"year": YEAR}).content.decode()
    assert "98,765" in body


def test_annual_report_of_a_county_shows_the_stored_figures(client, report):  # noqa: F811
    client.force_login(report["city_organizer"])
    url = reverse("outreach:annual_report")
    client.get(url, {"year": YEAR, "region": report["county_a"].pk})
    CoverageFigures.objects.filter(region=report["county_a"], year=YEAR).update(
        figures=_tampered(CoverageFigures.objects.get(region=report["county_a"], year=YEAR).figures)
    )
    assert "98,765" in client.get(url, {"year": YEAR, "region": report["county_a"].pk}).content.decode()


def _tampered(data: dict) -> dict:
    data["totals"]["lectures"] = 98765
    return data


def test_demo_city_figures_stored_equal_live_for_every_organizer():
    """The demo city (10,000 lectures, 60,000 plays): every organizer's and the administrators' figures."""
    instructors_demo.seed(scale="city", seed=1)
    courses_demo.seed(scale="city", seed=1)
    outreach_demo.seed(scale="city", seed=1)
    year = Lecture.objects.dates("start", "year").last().year
    users = [*User.objects.filter(role=User.Role.ORGANIZER), User.objects.get(username="admin")]
    mismatched = [user.username for user in users if _stored(user, year) != _live(user, year)]
    assert (len(users) >= 2, mismatched) == (True, [])
