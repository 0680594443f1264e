"""Issue 15 item 9 (outreach part): the request form (点单) offers only the courses on the user's own course menu,
and the service refuses another scope's course with a code, whatever the form was given."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outreach import services
from outreach.forms import CourseRequestForm
from outreach.models import CourseRequest
from tests.trust.world import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]


def test_the_request_form_offers_only_courses_the_organizer_may_see(world):
    choices = set(CourseRequestForm(user=world["org_y"]).fields["course"].queryset)
    assert (world["b"]["course"] in choices, world["a"]["course"] in choices) == (True, False)


def test_posting_another_countys_course_is_refused_and_writes_nothing(world):
    before = CourseRequest.objects.count()
    data = {
        "organization": world["b"]["organization"].pk,
        "course": world["a"]["course"].pk,
        "preferred_from": "2030-03-01",
        "preferred_to": "2030-03-31",
        "expected_audience": 40,
    }
    response = client_for("org_y", world).post(reverse("outreach:request_create"), data)
    codes = [e.code for e in response.context["form"].errors.as_data()["course"]]
    assert (codes, CourseRequest.objects.count()) == (["invalid_choice"], before)


def test_the_service_refuses_a_course_outside_the_users_menu(world):
    with pytest.raises(ValidationError) as caught:
        services.request_create(
            organization=world["b"]["organization"],
            course=world["a"]["course"],
            preferred_from=dt.date(2030, 3, 1),
            preferred_to=dt.date(2030, 3, 31),
            expected_audience=40,
            by=world["org_y"],
        )
    assert caught.value.error_dict["course"][0].code == "course_out_of_scope"
