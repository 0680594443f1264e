"""Every query parameter of the list, calendar and report pages of instructors, courses and outreach, fuzzed:
whatever arrives, the page answers (never a 500), and a bad period shows the default period with a message."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

LIST_FILTERS = ["q", "tier", "status", "group", "specialty", "region", "sort", "page"]
PAGES = {
    "instructors:instructor_list": LIST_FILTERS,
    "instructors:instructor_export": LIST_FILTERS,
    "instructors:instructor_export_full": LIST_FILTERS,
    "courses:course_list": ["q", "topic", "series", "format", "status", "group", "page"],
    "courses:course_export": ["q", "topic", "series", "format", "status", "group"],
    "courses:course_menu": ["topic", "format", "min_minutes", "max_minutes", "tier", "page"],
    "courses:rectification_list": ["status", "overdue", "page"],
    "courses:premium_list": ["year"],
    "courses:premium_export": ["year"],
    "outreach:organization_list": ["q", "type", "county", "page"],
    "outreach:request_list": ["status", "page"],
    "outreach:lecture_list": ["status", "county", "date_from", "date_to", "page"],
    "outreach:calendar": ["month", "week", "instructor", "county"],
    "outreach:my_schedule": ["month"],
    "outreach:station_list": ["year", "q", "type", "county", "page"],
    "outreach:loudspeaker_report": ["year"],
    "outreach:dashboard": ["year"],
    "outreach:annual_report": ["year", "region"],
}
# Unicode digits ("²" passes isdigit() and fails int()), far years and odd dates are the cases that once failed.
NASTY = st.sampled_from(["²", "³", "٣", "9999-12", "9999-12-31", "0001-01-01", "2030-13", "-1", "1e9", "99999999999"])
VALUES = st.one_of(NASTY, st.text(max_size=30), st.integers(min_value=-(10**12), max_value=10**12).map(str))


def _client(world, name: str) -> Client:
    client = Client()
    # my_schedule is the instructor's own page; the rest are the organizer's.
    client.force_login(world["a"]["user"] if name == "outreach:my_schedule" else world["org_x"])
    return client


@pytest.mark.parametrize("name", sorted(PAGES))
def test_list_page_survives_any_query_parameter(world, name):
    client = _client(world, name)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(query=st.dictionaries(st.sampled_from(PAGES[name]), VALUES, max_size=4))
    def run(query):
        response = client.get(reverse(name), query)
        assert response.status_code in {200, 302, 404}, (query, response.status_code)

    run()


@pytest.mark.parametrize(
    "query",
    [
        {"month": "9999-12"},
        {"week": "9999-12-31"},
        {"week": "0001-01-01"},
        {"instructor": "²"},
        {"county": "²"},
    ],
)
def test_calendar_bad_period_or_id_answers(world, query):
    client = _client(world, "outreach:calendar")
    assert client.get(reverse("outreach:calendar"), query).status_code == 200


def test_my_schedule_far_month_shows_this_month_with_a_message(world):
    response = _client(world, "outreach:my_schedule").get(reverse("outreach:my_schedule"), {"month": "9999-12"})
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 200
    assert any("9999-12" in text for text in texts)


def test_premium_list_bad_year_shows_the_current_year_instead_of_404(world):
    response = _client(world, "courses:premium_list").get(reverse("courses:premium_list"), {"year": "abc"})
    assert response.status_code == 200
