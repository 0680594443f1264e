import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from instructors.services import user_feed_token
from outreach import services
from outreach.models import BroadcastProgramme, CourseRequest, Lecture, PlayLog
from tests import factories as base
from tests.helpers import count_queries

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = f.world()
    world["lecture"] = f.lecture(
        course=world["course"], instructor=world["instructor_a"], organization=world["org_a"], start=f.at(2, 9)
    )
    return world


def _client(client, user):
    client.force_login(user)
    return client


# --- Access: anonymous, wrong role, other scope -------------------------------------------------------------------

MANAGER_PAGES = [
    "outreach:dashboard",
    "outreach:annual_report",
    "outreach:annual_report_export",
    "outreach:organization_list",
    "outreach:organization_import",
    "outreach:campaign_list",
    "outreach:request_list",
    "outreach:request_create",
    "outreach:station_list",
    "outreach:loudspeaker_report",
    "outreach:playlog_import",
]


@pytest.mark.parametrize("name", [*MANAGER_PAGES, "outreach:lecture_list", "outreach:calendar", "outreach:my_schedule"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302, True)


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_instructor_cannot_open_organizer_pages(client, w, name):
    assert _client(client, w["instructor_a"].user).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_organizer_opens_organizer_pages(client, w, name):
    assert _client(client, w["organizer_a"]).get(reverse(name)).status_code == 200


def test_lecture_detail_for_the_county_organizer(client, w):
    response = _client(client, w["organizer_a"]).get(w["lecture"].get_absolute_url())
    assert (response.status_code, w["course"].title in response.content.decode()) == (200, True)


def test_lecture_detail_is_404_for_another_county_organizer(client, w):
    assert _client(client, w["organizer_b"]).get(w["lecture"].get_absolute_url()).status_code == 404


def test_lecture_detail_for_its_instructor(client, w):
    assert _client(client, w["instructor_a"].user).get(w["lecture"].get_absolute_url()).status_code == 200


def test_lecture_detail_is_404_for_another_instructor(client, w):
    assert _client(client, w["instructor_b"].user).get(w["lecture"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("action", ["lecture_deliver", "lecture_cancel"])
def test_lecture_actions_are_404_for_another_county_organizer(client, w, action):
    url = reverse(f"outreach:{action}", args=[w["lecture"].pk])
    assert _client(client, w["organizer_b"]).get(url).status_code == 404


def test_confirm_is_404_for_another_instructor(client, w):
    url = reverse("outreach:lecture_confirm", args=[w["lecture"].pk])
    assert _client(client, w["instructor_b"].user).post(url).status_code == 404


def test_campaign_detail_is_404_outside_scope(client, w):
    campaign = f.campaign(region=w["county_a"])
    assert _client(client, w["organizer_b"]).get(campaign.get_absolute_url()).status_code == 404


def test_campaign_detail_shows_a_city_campaign_to_a_county_organizer(client, w):
    campaign = f.campaign(region=w["city"])
    assert _client(client, w["organizer_b"]).get(campaign.get_absolute_url()).status_code == 200


def test_dispatch_is_404_for_another_county_organizer(client, w):
    req = f.course_request(organization=w["org_a"], course=w["course"], by=w["organizer_a"])
    assert _client(client, w["organizer_b"]).get(req.get_absolute_url()).status_code == 404


def test_calendar_of_another_instructor_is_404_for_an_instructor(client, w):
    url = reverse("outreach:calendar") + f"?instructor={w['instructor_a'].pk}&month=2030-03"
    assert _client(client, w["instructor_b"].user).get(url).status_code == 404


def test_my_schedule_is_404_without_an_instructor_record(client, w):
    assert _client(client, w["organizer_a"]).get(reverse("outreach:my_schedule")).status_code == 404


def ical_token(instructor) -> str:
    return user_feed_token(user=instructor.user)


def test_ical_with_a_wrong_token_is_404(client, w):
    token = ical_token(w["instructor_a"])
    assert client.get(reverse("outreach:ical_feed", args=[token[:-2] + "xx"])).status_code == 404


# --- Happy paths --------------------------------------------------------------------------------------------------


def test_organization_list_hides_other_counties(client, w):
    body = _client(client, w["organizer_b"]).get(reverse("outreach:organization_list")).content.decode()
    assert ("石桥村党支部" in body, "白马村党支部" in body) == (True, False)


def test_lecture_list_shows_an_instructor_only_their_lectures(client, w):
    f.lecture(course=w["course"], instructor=w["instructor_b"], organization=w["org_b"], start=f.at(5, 9))
    response = _client(client, w["instructor_b"].user).get(reverse("outreach:lecture_list"))
    assert response.context["page"].paginator.count == 1


def test_request_create_records_a_request(client, w):
    data = {
        "organization": w["org_a"].pk,
        "course": w["course"].pk,
        "preferred_from": "2030-04-01",
        "preferred_to": "2030-04-10",
        "expected_audience": 40,
    }
    response = _client(client, w["organizer_a"]).post(reverse("outreach:request_create"), data)
    assert (response.status_code, CourseRequest.objects.filter(organization=w["org_a"]).count()) == (302, 1)


def test_dispatch_schedules_the_lecture_and_it_shows_on_the_calendar(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    data = {"instructor": w["instructor_a"].pk, "date": "2030-03-12", "start_time": "14:00", "end_time": "16:00"}
    response = _client(client, w["organizer_a"]).post(req.get_absolute_url(), data)
    assert response.status_code == 302
    calendar = client.get(reverse("outreach:calendar") + f"?county={w['county_a'].pk}&month=2030-03").content.decode()
    assert (CourseRequest.objects.get(pk=req.pk).status, "14:00 张三" in calendar) == ("scheduled", True)


def test_dispatch_shows_the_clash_message(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    data = {"instructor": w["instructor_a"].pk, "date": "2030-03-02", "start_time": "10:00", "end_time": "12:00"}
    response = _client(client, w["organizer_a"]).post(req.get_absolute_url(), data)
    errors = response.context["form"].non_field_errors().as_data()
    assert (response.status_code, [e.code for e in errors]) == (200, ["instructor_overlap"])


def test_dispatch_page_lists_suggestions(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    response = _client(client, w["organizer_a"]).get(req.get_absolute_url())
    assert response.context["suggestions"][0].instructor == w["instructor_a"]


def test_instructor_confirms_their_lecture(client, w):
    response = _client(client, w["instructor_a"].user).post(reverse("outreach:lecture_confirm", args=[w["lecture"].pk]))
    assert response.status_code == 302
    assert Lecture.objects.get(pk=w["lecture"].pk).status == Lecture.Status.CONFIRMED


def test_organizer_cancels_a_lecture(client, w):
    url = reverse("outreach:lecture_cancel", args=[w["lecture"].pk])
    response = _client(client, w["organizer_a"]).post(url, {"reason": "场地检修"})
    assert response.status_code == 302
    assert Lecture.objects.get(pk=w["lecture"].pk).status == Lecture.Status.CANCELLED


def test_instructor_cannot_cancel(client, w):
    url = reverse("outreach:lecture_cancel", args=[w["lecture"].pk])
    assert _client(client, w["instructor_a"].user).post(url, {"reason": "x"}).status_code == 403


def test_instructor_records_delivery(client, w):
    past = f.lecture(
        course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9, year=2020)
    )
    services.lecture_confirm(lecture=past, by=None)
    url = reverse("outreach:lecture_deliver", args=[past.pk])
    response = _client(client, w["instructor_a"].user).post(url, {"attendance": 50, "hours": "2"})
    assert response.status_code == 302
    assert Lecture.objects.get(pk=past.pk).audience_actual == 50


def test_my_schedule_shows_the_feed_url(client, w):
    token = ical_token(w["instructor_a"])
    response = _client(client, w["instructor_a"].user).get(reverse("outreach:my_schedule"))
    assert token in response.context["feed_url"]


def test_ical_feed_lists_the_lectures(client, w, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get(reverse("outreach:ical_feed", args=[ical_token(w["instructor_a"])]))
    body = response.content.decode()
    assert (response["Content-Type"].startswith("text/calendar"), "DTSTART:20300302T010000Z" in body) == (True, True)


def test_annual_report_export_is_a_workbook(client, w):
    response = _client(client, w["organizer_a"]).get(reverse("outreach:annual_report_export") + "?year=2030")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["总览", "按月"]


def test_annual_report_refuses_a_region_outside_scope(client, w):
    url = reverse("outreach:annual_report") + f"?year=2030&region={w['county_b'].pk}"
    response = _client(client, w["organizer_a"]).get(url)
    assert response.context["figures"]["region"] is None


# --- Query counts: the same for 1 and 3 rows ----------------------------------------------------------------------


def _more_lectures(w) -> None:
    for day in (10, 11):
        f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(day, 9))


def test_lecture_list_query_count_does_not_grow(client, w):
    _client(client, w["organizer_a"])
    one = count_queries(client, reverse("outreach:lecture_list"))
    _more_lectures(w)
    assert count_queries(client, reverse("outreach:lecture_list")) == one


def test_calendar_query_count_does_not_grow(client, w):
    _client(client, w["organizer_a"])
    url = reverse("outreach:calendar") + "?month=2030-03"
    one = count_queries(client, url)
    _more_lectures(w)
    assert count_queries(client, url) == one


def test_organization_list_query_count_does_not_grow(client, w):
    _client(client, w["organizer_b"])
    one = count_queries(client, reverse("outreach:organization_list"))
    town = base.region(level=3, parent=w["county_b"])
    f.organization(region=town)
    f.organization(region=town)
    assert count_queries(client, reverse("outreach:organization_list")) == one


def test_campaign_list_query_count_does_not_grow(client, w):
    _client(client, w["organizer_a"])
    f.campaign(region=w["city"])
    one = count_queries(client, reverse("outreach:campaign_list"))
    f.campaign(region=w["city"])
    f.campaign(region=w["county_a"])
    assert count_queries(client, reverse("outreach:campaign_list")) == one


def test_request_list_query_count_does_not_grow(client, w):
    _client(client, w["organizer_a"])
    f.course_request(organization=w["org_a"], course=w["course"], by=w["organizer_a"])
    one = count_queries(client, reverse("outreach:request_list"))
    dispatched = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    f.lecture(
        course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(9, 9), request=dispatched
    )
    f.course_request(organization=w["org_a"], course=w["course"], by=w["organizer_a"])
    assert count_queries(client, reverse("outreach:request_list")) == one


def test_station_list_query_count_does_not_grow(client, w):
    _client(client, w["city_organizer"])
    f.station(village=w["village_a"])
    one = count_queries(client, reverse("outreach:station_list"))
    f.station(village=w["village_b"])
    f.station(village=base.region(level=5, parent=w["town_a"]))
    assert count_queries(client, reverse("outreach:station_list")) == one


def test_dashboard_query_count_does_not_grow_with_data(client, w):
    _client(client, w["city_organizer"])
    client.get(reverse("outreach:dashboard") + "?year=2030")  # the first view computes and keeps the figures
    one = count_queries(client, reverse("outreach:dashboard") + "?year=2030")
    _more_lectures(w)
    programme = BroadcastProgramme.objects.create(title="党课开讲啦")
    station = f.station(village=w["village_a"])
    PlayLog.objects.create(station=station, programme=programme, played_at=f.at(3, 8))
    services.coverage_figures_refresh_stale()  # what the worker does after the change
    assert count_queries(client, reverse("outreach:dashboard") + "?year=2030") == one


def test_annual_report_reads_kept_figures_in_under_ten_queries(client, w):
    _client(client, w["city_organizer"])
    _more_lectures(w)
    client.get(reverse("outreach:annual_report") + "?year=2030")  # the first view computes and keeps the figures
    assert count_queries(client, reverse("outreach:annual_report") + "?year=2030") < 10


def test_dispatch_page_query_count_does_not_grow(client, w):
    _client(client, w["organizer_a"])
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    one = count_queries(client, req.get_absolute_url())
    w["course"].co_instructors.add(base.instructor(region=w["county_a"], name="王五"))
    w["course"].co_instructors.add(base.instructor(region=w["county_a"], name="赵六"))
    assert count_queries(client, req.get_absolute_url()) == one


def test_dispatch_form_refuses_an_end_before_the_start(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    data = {"instructor": w["instructor_a"].pk, "date": "2030-03-12", "start_time": "14:00", "end_time": "13:00"}
    response = _client(client, w["organizer_a"]).post(req.get_absolute_url(), data)
    assert response.status_code == 200
    assert Lecture.objects.filter(start__date=dt.date(2030, 3, 12)).count() == 0


def test_calendar_keeps_the_month_when_switching_county(client, w):
    response = _client(client, w["organizer_a"]).get(reverse("outreach:calendar") + "?month=2030-03")
    assert 'value="2030-03"' in response.content.decode()


def test_checking_a_time_marks_the_busy_instructor_without_form_errors(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    url = req.get_absolute_url() + "?date=2030-03-02&start_time=10:00&end_time=12:00"
    response = _client(client, w["organizer_a"]).get(url)
    busy = {s.instructor.name: s.busy for s in response.context["suggestions"]}
    assert (busy["张三"], response.context["form"].is_bound) == (True, False)


def test_week_view_lists_the_weeks_lectures(client, w):
    url = reverse("outreach:calendar") + f"?county={w['county_a'].pk}&week=2030-03-01"
    response = _client(client, w["organizer_a"]).get(url)
    days = {day.isoformat(): len(lectures) for day, lectures, _extras in response.context["week"].days}
    assert (response.context["week"].monday.isoformat(), days["2030-03-02"]) == ("2030-02-25", 1)


def test_week_view_query_count_does_not_grow(client, w):
    _client(client, w["organizer_a"])
    url = reverse("outreach:calendar") + "?week=2030-03-01"
    one = count_queries(client, url)
    for hour in (13, 15):
        f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, hour))
    assert count_queries(client, url) == one


def test_organizer_withdraws_a_request(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    response = _client(client, w["organizer_a"]).post(reverse("outreach:request_cancel", args=[req.pk]))
    assert response.status_code == 302
    assert CourseRequest.objects.get(pk=req.pk).status == CourseRequest.Status.CANCELLED


def test_withdraw_is_404_for_another_county_organizer(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    assert _client(client, w["organizer_b"]).post(reverse("outreach:request_cancel", args=[req.pk])).status_code == 404


# --- 派课 (issue 19): the journey from a request to its lecture ---------------------------------------------------


def _dispatch_world(w):
    w["co"] = base.instructor(region=w["county_a"], name="王五")
    w["course"].co_instructors.add(w["co"])
    w["stranger"] = base.instructor(region=w["county_a"], name="赵六")  # same county, does not teach the course
    w["req"] = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    return w


def test_request_list_offers_dispatch_on_an_open_request(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    page = _client(client, w["organizer_a"]).get(reverse("outreach:request_list")).content.decode()
    assert f'href="{reverse("outreach:request_dispatch", args=[req.pk])}"' in page


def test_request_list_links_a_dispatched_request_to_its_lecture(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    lecture = f.lecture(
        course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(9, 9), request=req
    )
    page = _client(client, w["organizer_a"]).get(reverse("outreach:request_list")).content.decode()
    assert f'href="{lecture.get_absolute_url()}"' in page


def test_dispatch_page_of_a_dispatched_request_links_to_its_lecture(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    lecture = f.lecture(
        course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(9, 9), request=req
    )
    page = _client(client, w["organizer_a"]).get(req.get_absolute_url()).content.decode()
    assert (f'href="{lecture.get_absolute_url()}"' in page, 'name="instructor"' in page) == (True, False)


def test_dispatch_page_prefills_the_preferred_date(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    page = _client(client, w["organizer_a"]).get(req.get_absolute_url()).content.decode()
    assert 'type="date" name="date" value="2030-03-01"' in page


def test_dispatch_offers_only_the_instructors_of_the_course(client, w):
    w = _dispatch_world(w)
    response = _client(client, w["organizer_a"]).get(w["req"].get_absolute_url())
    choices = set(response.context["form"].fields["instructor"].queryset.values_list("name", flat=True))
    suggested = {s.instructor.name for s in response.context["suggestions"]}
    assert (choices, suggested) == ({"张三", "王五"}, {"张三", "王五"})


def test_dispatch_refuses_an_instructor_who_does_not_teach_the_course(client, w):
    w = _dispatch_world(w)
    data = {"instructor": w["stranger"].pk, "date": "2030-03-12", "start_time": "14:00", "end_time": "16:00"}
    response = _client(client, w["organizer_a"]).post(w["req"].get_absolute_url(), data)
    errors = response.context["form"].errors.as_data()["instructor"]
    assert ([e.code for e in errors], Lecture.objects.filter(request=w["req"]).count()) == (["invalid_choice"], 0)


def test_checking_a_time_without_an_instructor_shows_who_is_free_and_who_is_busy(client, w):
    w = _dispatch_world(w)
    url = w["req"].get_absolute_url() + "?date=2030-03-02&start_time=10:00&end_time=12:00"
    response = _client(client, w["organizer_a"]).get(url)
    page = response.content.decode()
    busy = {s.instructor.name: bool(s.clash) for s in response.context["suggestions"]}
    assert (busy, page.count('data-availability="busy"'), page.count('data-availability="free"')) == (
        {"王五": False, "张三": True},
        1,
        1,
    )


def test_a_busy_instructor_shows_the_clash_and_no_choose_button(client, w):
    w = _dispatch_world(w)
    url = w["req"].get_absolute_url() + "?date=2030-03-02&start_time=10:00&end_time=12:00"
    page = _client(client, w["organizer_a"]).get(url).content.decode()
    chooses = (f'data-pick-instructor="{w["instructor_a"].pk}"' in page, f'data-pick-instructor="{w["co"].pk}"' in page)
    assert (chooses, "白马村党支部" in page) == ((False, True), True)


def test_the_page_explains_the_score_of_each_suggestion(client, w):
    w = _dispatch_world(w)
    page = _client(client, w["organizer_a"]).get(w["req"].get_absolute_url()).content.decode()
    assert ("本课程主讲人" in page, "本课程合讲人" in page) == (True, True)


def test_choosing_a_suggestion_fills_the_form_and_keeps_the_time(client, w):
    w = _dispatch_world(w)
    url = w["req"].get_absolute_url() + f"?date=2030-03-12&start_time=14:00&end_time=16:00&instructor={w['co'].pk}"
    form = _client(client, w["organizer_a"]).get(url).context["form"]
    assert (form.initial["instructor"], form.initial["date"], form.initial["start_time"]) == (
        str(w["co"].pk),
        dt.date(2030, 3, 12),
        dt.time(14),
    )


def test_dispatch_lands_on_the_lecture_which_names_its_next_step(client, w):
    w = _dispatch_world(w)
    data = {"instructor": w["co"].pk, "date": "2030-03-12", "start_time": "14:00", "end_time": "16:00"}
    response = _client(client, w["organizer_a"]).post(w["req"].get_absolute_url(), data, follow=True)
    lecture = Lecture.objects.get(request=w["req"])
    assert (response.redirect_chain[-1][0], response.context["next_step"].action) == (
        lecture.get_absolute_url(),
        "confirm",
    )


def test_lecture_page_links_course_instructor_organization_calendar_and_request(client, w):
    w = _dispatch_world(w)
    lecture = f.lecture(
        course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(9, 9), request=w["req"]
    )
    page = _client(client, w["organizer_a"]).get(lecture.get_absolute_url()).content.decode()
    links = [
        w["course"].get_absolute_url(),
        reverse("instructors:instructor_detail", args=[w["instructor_a"].pk]),
        reverse("outreach:organization_list") + "?q=",
        reverse("outreach:calendar") + f"?instructor={w['instructor_a'].pk}&amp;week=2030-03-09",
        w["req"].get_absolute_url(),
        reverse("evaluations:evaluation_open", args=[lecture.pk]),
    ]
    assert [link for link in links if link not in page] == []


def test_lecture_page_links_its_opened_evaluation(client, w):
    from evaluations.survey.services import evaluation_open

    evaluation = evaluation_open(lecture=w["lecture"], by=w["organizer_a"])
    page = _client(client, w["organizer_a"]).get(w["lecture"].get_absolute_url()).content.decode()
    assert reverse("evaluations:evaluation_detail", args=[evaluation.pk]) in page


def test_lecture_page_shows_the_confirm_button_as_next_step(client, w):
    page = _client(client, w["organizer_a"]).get(w["lecture"].get_absolute_url()).content.decode()
    assert f'action="{reverse("outreach:lecture_confirm", args=[w["lecture"].pk])}"' in page


def test_instructor_does_not_get_the_close_button(client, w):
    Lecture.objects.filter(pk=w["lecture"].pk).update(status=Lecture.Status.DELIVERED)
    page = _client(client, w["instructor_a"].user).get(w["lecture"].get_absolute_url()).content.decode()
    assert reverse("outreach:lecture_close", args=[w["lecture"].pk]) not in page


def test_lecture_page_hides_the_link_to_an_instructor_outside_the_organizers_region(client, w):
    municipal = base.instructor(region=w["city"], name="钱七")
    lecture = f.lecture(course=w["course"], instructor=municipal, organization=w["org_a"], start=f.at(9, 9))
    page = _client(client, w["organizer_a"]).get(lecture.get_absolute_url()).content.decode()
    assert reverse("instructors:instructor_detail", args=[municipal.pk]) not in page


@pytest.mark.parametrize(
    "query", ["date=9999-12-31&start_time=23:00&end_time=23:30", "date=0001-01-01&start_time=00:00&end_time=01:00"]
)
def test_checking_a_far_date_is_refused_in_the_form_not_a_server_error(client, w, query):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    response = _client(client, w["organizer_a"]).get(f"{req.get_absolute_url()}?{query}")
    codes = [e.code for e in response.context["times"].errors.as_data()["date"]]
    assert (response.status_code, codes) == (200, ["date_range"])


def test_a_garbled_instructor_in_the_address_leaves_the_choice_empty(client, w):
    req = f.course_request(organization=w["org_a2"], course=w["course"], by=w["organizer_a"])
    response = _client(client, w["organizer_a"]).get(f"{req.get_absolute_url()}?instructor=²")
    assert (response.status_code, "selected" in str(response.context["form"]["instructor"])) == (200, False)


def test_without_javascript_the_chosen_suggestion_is_marked_after_the_reload(client, w):
    w = _dispatch_world(w)
    url = w["req"].get_absolute_url() + f"?date=2030-03-12&start_time=14:00&end_time=16:00&instructor={w['co'].pk}"
    page = _client(client, w["organizer_a"]).get(url).content.decode()
    assert f'active-choice" data-suggestion="{w["co"].pk}"' in page


def test_ids_in_the_dispatch_page_are_never_grouped_by_thousands(client, w):
    # USE_THOUSAND_SEPARATOR renders {{ 12345 }} as "12,345": an id in a value or a link must stay "12345".
    w = _dispatch_world(w)
    big = base.instructor(region=w["county_a"], name="钱七", pk=12345)
    w["course"].co_instructors.add(big)
    page = _client(client, w["organizer_a"]).get(w["req"].get_absolute_url()).content.decode()
    assert ('data-pick-instructor="12345"' in page, "12,345" in page) == (True, False)
