import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from instructors.models import InstructorYearFigures
from outreach import selectors
from outreach.models import BroadcastProgramme, Lecture, Organization, PlayLog, Station
from tests import factories as base

from . import factories as f
from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_coverage_counts_an_organization_visited_twice_once(report):
    figures = selectors.coverage_figures(user=report["city_organizer"], year=YEAR)
    assert (figures["totals"]["lectures"], figures["totals"]["organizations"]) == (4, 3)


def test_members_reached_count_each_organization_once(report):
    figures = selectors.coverage_figures(user=report["city_organizer"], year=YEAR)
    assert figures["totals"]["members"] == 30 + 30 + 12


def test_instructors_dispatched_by_tier(report):
    figures = selectors.coverage_figures(user=report["city_organizer"], year=YEAR)
    assert {row["tier"]: row["instructors"] for row in figures["tiers"]} == {
        "provincial": 0,
        "municipal": 1,
        "county": 2,
    }


def test_courses_offered_and_premium(report):
    totals = selectors.coverage_figures(user=report["city_organizer"], year=YEAR)["totals"]
    assert (totals["courses"], totals["premium_courses"], totals["hours"]) == (2, 1, Decimal("8"))


def test_county_organizer_sees_only_their_county(report):
    figures = selectors.coverage_figures(user=report["organizer_b"], year=YEAR)
    assert (figures["totals"]["lectures"], figures["totals"]["members"]) == (1, 12)


def test_region_filter_narrows_the_report(report):
    figures = selectors.coverage_figures(user=report["city_organizer"], year=YEAR, region=report["county_a"])
    assert [row["county__name"] for row in figures["counties"]] == ["嘉城区"]


def test_organization_types(report):
    types = {
        row["type"]: row["organizations"]
        for row in selectors.coverage_figures(user=report["city_organizer"], year=YEAR)["types"]
    }
    assert (types["village"], types["school"], types["agency"]) == (2, 1, 0)


def test_lectures_by_month(report):
    months = selectors.coverage_figures(user=report["city_organizer"], year=YEAR)["months"]
    assert (months[2]["lectures"], months[2]["organizations"], months[3]["lectures"]) == (4, 3, 0)


def test_loudspeaker_figures(report):
    loud = selectors.coverage_figures(user=report["city_organizer"], year=YEAR)["loudspeakers"]
    assert (loud["stations"], loud["active"], loud["plays"], loud["reach"], loud["plays_per_month"]) == (
        2,
        1,
        3,
        100,
        2,
    )


def test_loudspeaker_reach_per_month_counts_a_station_once(report):
    months = selectors.loudspeaker_months(user=report["city_organizer"], year=YEAR)
    assert (months[2]["plays"], months[2]["listeners"], months[3]["listeners"]) == (2, 100, 100)


def test_loudspeaker_by_county(report):
    rows = selectors.loudspeaker_by_county(user=report["city_organizer"], year=YEAR)
    assert [(r["county__name"], r["stations"], r["plays"], r["listeners"]) for r in rows] == [("嘉城区", 1, 3, 100)]


def test_campaign_progress_counts_delivered_lectures_of_the_campaign():
    w = f.world()
    campaign = f.campaign(region=w["city"], year=YEAR)
    for day, org in [(2, w["org_a"]), (3, w["org_a"]), (4, w["org_b"])]:
        lecture = f.lecture(
            course=w["course"],
            instructor=w["instructor_a"],
            organization=org,
            start=f.at(day, 9, year=YEAR),
            campaign=campaign,
        )
        f.delivered(lecture)
    f.lecture(
        course=w["course"],
        instructor=w["instructor_a"],
        organization=w["org_b"],
        start=f.at(9, 9, year=YEAR),
        campaign=campaign,
    )
    row = selectors.campaign_list(user=w["city_organizer"]).get(pk=campaign.pk)
    assert (row.lectures_done, row.organizations_reached, row.members_reached) == (3, 2, 60)


def test_dispatch_suggestions_rank_the_course_teacher_of_the_county_first():
    w = f.world()
    suggestions = selectors.dispatch_suggestions(course=w["course"], organization=w["org_a"])
    assert suggestions[0].instructor == w["instructor_a"]


def test_dispatch_suggestions_explain_each_candidate():
    w = f.world()
    InstructorYearFigures.objects.create(
        instructor=w["instructor_a"], year=timezone.localdate().year, quality=Decimal("88.5")
    )
    with translation.override("en"):
        top = selectors.dispatch_suggestions(course=w["course"], organization=w["org_a"])[0]
    parts = {reason.text: reason.points for reason in top.reasons}
    assert (parts["lead instructor of this course"], parts["quality score 88.5"]) == (40, Decimal("17.7"))


def test_dispatch_suggestion_score_is_the_sum_of_its_explained_parts():
    w = f.world()
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(2, 9))
    top = selectors.dispatch_suggestions(
        course=w["course"], organization=w["org_a"], start=f.at(20, 9), end=f.at(20, 11)
    )[0]
    # 40 lead + 20 county tier suits a village + 20 same county + 70 / 5 unrated − 2 for one lecture this month
    assert (top.score, round(sum(reason.points for reason in top.reasons))) == (92, 92)


def test_dispatch_candidates_are_the_instructors_of_the_course():
    w = f.world()
    co = base.instructor(region=w["county_a"], name="王五")
    base.instructor(region=w["county_a"], name="赵六")  # same county, does not teach the course
    w["course"].co_instructors.add(co)
    names = set(
        selectors.dispatch_candidates(course=w["course"], organization=w["org_a"]).values_list("name", flat=True)
    )
    assert names == {"张三", "王五"}


def test_dispatch_suggestions_name_the_co_instructor_role():
    w = f.world()
    co = base.instructor(region=w["county_a"], name="王五")
    w["course"].co_instructors.add(co)
    with translation.override("en"):
        suggestions = selectors.dispatch_suggestions(course=w["course"], organization=w["org_a"])
    roles = {s.instructor.name: s.reasons[0].text for s in suggestions}
    assert roles == {"张三": "lead instructor of this course", "王五": "co-instructor of this course"}


def test_dispatch_suggestions_put_a_busy_instructor_last():
    w = f.world()
    colleague = base.instructor(region=w["county_a"], name="王五")
    w["course"].co_instructors.add(colleague)
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(2, 9))
    suggestions = selectors.dispatch_suggestions(
        course=w["course"], organization=w["org_a"], start=f.at(2, 10), end=f.at(2, 12)
    )
    assert ([s.instructor for s in suggestions], suggestions[-1].busy) == ([colleague, w["instructor_a"]], True)


def test_a_busy_suggestion_names_the_lecture_in_the_way():
    w = f.world()
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(2, 9))
    with translation.override("en"):
        busy = selectors.dispatch_suggestions(
            course=w["course"], organization=w["org_a"], start=f.at(2, 10), end=f.at(2, 12)
        )[0]
    assert busy.clash == f"teaches “{w['course'].title}” at 白马村小学 from 2030-03-02 09:00 to 11:00"


def test_a_lecture_in_another_county_within_the_travel_buffer_makes_the_instructor_busy(settings):
    settings.OUTREACH_TRAVEL_BUFFER_HOURS = 2
    w = f.world()
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_b"], start=f.at(2, 9))
    suggestion = selectors.dispatch_suggestions(
        course=w["course"], organization=w["org_a"], start=f.at(2, 12), end=f.at(2, 14)
    )[0]
    assert (suggestion.busy, "平羌县" in suggestion.clash) == (True, True)


def test_a_free_suggestion_has_no_clash():
    w = f.world()
    suggestion = selectors.dispatch_suggestions(
        course=w["course"], organization=w["org_a"], start=f.at(2, 10), end=f.at(2, 12)
    )[0]
    assert (suggestion.busy, suggestion.clash) == (False, "")


def test_dispatch_candidates_exclude_other_counties():
    w = f.world()
    w["course"].co_instructors.add(w["instructor_b"])
    names = {s.instructor.name for s in selectors.dispatch_suggestions(course=w["course"], organization=w["org_b"])}
    assert names == {"李四"}


def test_dispatch_times_propose_the_first_preferred_day_for_the_course_length():
    w = f.world()
    req = f.course_request(organization=w["org_a"], course=w["course"], by=w["organizer_a"])
    times = selectors.dispatch_times(course_request=req)
    assert (times["date"], times["start_time"], times["end_time"]) == (dt.date(2030, 3, 1), dt.time(9), dt.time(10, 30))


def test_dispatch_suggestions_use_one_query(django_assert_num_queries):
    w = f.world()
    org = Organization.objects.select_related("county").get(pk=w["org_a"].pk)
    for n in range(3):
        w["course"].co_instructors.add(base.instructor(region=w["county_a"], name=f"王{n}"))
    with django_assert_num_queries(1):
        selectors.dispatch_suggestions(course=w["course"], organization=org, start=f.at(2, 10), end=f.at(2, 12))


def test_loudspeaker_months_are_local_months(report):
    """00:30 on 1 May in 嘉州 is still 30 April in UTC: the play counts for May, in plays and in reach."""
    station = Station.objects.get(listeners=70)
    PlayLog.objects.create(
        station=station,
        programme=BroadcastProgramme.objects.get(),
        played_at=timezone.make_aware(dt.datetime(YEAR, 5, 1, 0, 30)),
    )
    months = selectors.loudspeaker_months(user=report["city_organizer"], year=YEAR)
    assert [(m["month"], m["plays"], m["listeners"]) for m in months[3:5]] == [(4, 1, 100), (5, 1, 70)]


# --- A lecture's next step ------------------------------------------------------------------------------------------


def _next_step(lecture, user, status=None):
    if status is not None:
        Lecture.objects.filter(pk=lecture.pk).update(status=status)
        lecture.refresh_from_db()
    step = selectors.lecture_next_step(lecture=lecture, user=user)
    return step.action, step.allowed


def test_a_planned_lectures_next_step_is_to_confirm_it():
    w = f.world()
    lecture = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    assert _next_step(lecture, w["organizer_a"]) == ("confirm", True)


def test_a_confirmed_lecture_is_recorded_as_delivered_only_once_it_has_begun():
    w = f.world()
    future = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    past = f.lecture(
        course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9, year=2020)
    )
    steps = (_next_step(future, w["organizer_a"], "confirmed"), _next_step(past, w["organizer_a"], "confirmed"))
    assert steps == (("deliver", False), ("deliver", True))


def test_only_an_organizer_may_close_a_delivered_lecture():
    w = f.world()
    lecture = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    steps = (_next_step(lecture, w["organizer_a"], "delivered"), _next_step(lecture, w["instructor_a"].user))
    assert steps == (("close", True), ("close", False))


def test_a_closed_lecture_has_no_next_step():
    w = f.world()
    lecture = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    assert _next_step(lecture, w["organizer_a"], "closed") == ("", False)
