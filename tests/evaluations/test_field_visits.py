"""Forums (座谈会) and field visits (实地走访): recorded by organizers of the course's region, shown as qualitative
input in the course's feedback and the instructor's 我的评价, never in a score."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.feedback import services as feedback_services
from evaluations.models import FieldVisit, FieldVisitFinding, FieldVisitParticipants
from evaluations.survey import services as survey_services
from tests.courses import factories as course_factories
from tests.helpers import count_queries
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _dimensions():
    return list(survey_services.indicator_system_current().dimensions.order_by("order"))


def _record(world, **overrides):
    first = _dimensions()[0]
    data = {
        "by": world["org_a"],
        "kind": "forum",
        "course": world["course"],
        "lecture": world["lecture"],
        "held_on": timezone.localdate() - dt.timedelta(days=1),
        "place": "白马村党群服务中心",
        "notes": "",
        "participants": {"trainees": 12, "members": 5},
        "findings": {first.pk: "案例贴近村里实际"},
    }
    data.update(overrides)
    return feedback_services.field_visit_record(**data)


def _form(world, **overrides):
    first = _dimensions()[0]
    data = {
        "kind": "visit",
        "lecture": world["lecture"].pk,
        "held_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "place": "白马村",
        "notes": "",
        "p_trainees": "8",
        f"d_{first.pk}": "党员反映讲得透彻",
    }
    data.update(overrides)
    return data


def test_a_forum_is_recorded_with_participants_and_findings(world):
    visit = _record(world)
    assert sorted(visit.participants.values_list("kind", "number")) == [("members", 5), ("trainees", 12)]
    assert visit.findings.get().text == "案例贴近村里实际"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"participants": {}}, "participants_required"),
        ({"participants": {"trainees": -3}}, "participant_range"),
        ({"participants": {"aliens": 3}}, "participant_kind"),
        ({"findings": {}, "notes": " "}, "findings_required"),
        ({"findings": {999999: "x"}}, "dimension_unknown"),
        ({"place": " "}, "place_required"),
        ({"kind": "party"}, "visit_kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(world, overrides, code):
    with refused(code):
        _record(world, **overrides)
    assert (FieldVisit.objects.count(), FieldVisitParticipants.objects.count(), FieldVisitFinding.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_visit_in_the_future_is_refused(world):
    with refused("visit_future"):
        _record(world, held_on=timezone.localdate() + dt.timedelta(days=1))


def test_a_lecture_of_another_course_is_refused(world):
    other = course_factories.course(lead=world["lecturer"], title="另一门课")
    with refused("lecture_course"):
        _record(world, course=other)


def test_an_instructor_cannot_record(world):
    with refused("not_organizer"):
        _record(world, by=world["lecturer_user"])


def test_the_organizer_records_through_the_form(client, world):
    client.force_login(world["org_a"])
    url = reverse("evaluations:field_visit_create", args=[world["course"].pk])
    response = client.post(url, _form(world))
    visit = FieldVisit.objects.get()
    assert response.status_code == 302
    assert (visit.kind, visit.lecture, visit.participants.get().number) == ("visit", world["lecture"], 8)


def test_the_form_shows_a_refusal_and_stores_nothing(client, world):
    client.force_login(world["org_a"])
    url = reverse("evaluations:field_visit_create", args=[world["course"].pk])
    response = client.post(url, _form(world, p_trainees=""))
    assert response.status_code == 200
    assert "请按类别填写参加人数" in response.content.decode()
    assert FieldVisit.objects.count() == 0


def test_an_organizer_of_another_county_cannot_record(client, world):
    client.force_login(world["org_b"])
    url = reverse("evaluations:field_visit_create", args=[world["course"].pk])
    assert client.post(url, _form(world)).status_code == 404
    assert FieldVisit.objects.count() == 0


def test_the_instructor_sees_it_in_my_ratings_labelled_not_scored(client, world):
    _record(world)
    client.force_login(world["lecturer_user"])
    page = client.get(reverse("evaluations:my_ratings")).content.decode()
    assert "案例贴近村里实际" in page
    assert "不计入评分" in page


def test_the_course_feedback_shows_it(client, world):
    _record(world)
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:course_feedback", args=[world["course"].pk])).content.decode()
    assert "白马村党群服务中心" in page


def test_another_instructor_cannot_read_the_course_feedback(client, world):
    client.force_login(world["colleague_user"])
    assert client.get(reverse("evaluations:course_feedback", args=[world["course"].pk])).status_code == 404


def test_course_feedback_does_not_query_per_visit(client, world):
    client.force_login(world["org_a"])
    _record(world)
    url = reverse("evaluations:course_feedback", args=[world["course"].pk])
    one = count_queries(client, url)
    _record(world, kind="visit", participants={"cadres": 3})
    _record(world, participants={"public": 30, "others": 2})
    assert count_queries(client, url) == one


def test_my_ratings_does_not_query_per_visit(client, world):
    client.force_login(world["lecturer_user"])
    _record(world)
    url = reverse("evaluations:my_ratings")
    count_queries(client, url)  # fills the cached figures, which a visit does not change
    one = count_queries(client, url)
    _record(world, kind="visit")
    _record(world)
    assert count_queries(client, url) == one


def test_the_course_page_links_to_its_feedback(client, world):
    client.force_login(world["lecturer_user"])
    page = client.get(reverse("courses:course_detail", args=[world["course"].pk])).content.decode()
    assert reverse("evaluations:course_feedback", args=[world["course"].pk]) in page
