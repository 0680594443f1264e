import datetime as dt
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone, translation

from care import selectors, services
from care.models import (
    Appointment,
    AwardFund,
    FundEntry,
    Nomination,
    PriorityList,
    StudyApplication,
    StudyProgramme,
)
from courses.models import Course, PremiumLibraryEntry
from evaluations.models import Indicator, Notification
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from instructors.models import TeachingGroup
from tests import factories as f
from tests.care import factories as cf
from tests.conftest import need
from tests.courses import factories as course_factories
from tests.evaluations.conftest import world  # noqa: F401

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {error.code for error in exc.error_list} if hasattr(exc, "error_list") else set()


def all_codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return codes(exc)


@pytest.fixture
def tree():
    return f.region_tree()


@pytest.fixture
def organizer(tree):
    return f.organizer(tree["county_a"])


# --- Award fund ---------------------------------------------------------------------------------------------------


def test_fund_create_with_negative_budget_is_refused_and_writes_nothing(tree):
    with pytest.raises(ValidationError) as info:
        services.fund_create(region=tree["county_a"], year=2026, name="基金", budget=Decimal("-1"), by=None)
    assert (all_codes(info.value), AwardFund.objects.count()) == ({"negative_amount"}, 0)


def test_fund_create_twice_for_the_same_region_and_year_is_refused(tree):
    cf.fund(region=tree["county_a"], year_=2026)
    with pytest.raises(ValidationError) as info:
        cf.fund(region=tree["county_a"], year_=2026)
    assert (codes(info.value), AwardFund.objects.count()) == ({"fund_exists"}, 1)


def test_fund_create_records_the_budget_in_the_ledger(tree):
    fund = cf.fund(region=tree["county_a"], budget="5000")
    assert list(fund.entries.values_list("kind", "amount", "balance_after")) == [
        ("budget", Decimal("5000.00"), Decimal("5000.00"))
    ]


def test_fund_add_budget_raises_budget_and_balance(tree):
    fund = cf.fund(region=tree["county_a"], budget="5000")
    services.fund_add_budget(fund=fund, amount=Decimal("1000"), by=None)
    assert (fund.budget, fund.balance) == (Decimal("6000.00"), Decimal("6000.00"))


def test_fund_add_budget_refuses_a_negative_amount(tree):
    fund = cf.fund(region=tree["county_a"], budget="5000")
    with pytest.raises(ValidationError) as info:
        services.fund_add_budget(fund=fund, amount=Decimal("-100"), by=None)
    assert (all_codes(info.value), FundEntry.objects.count()) == ({"negative_amount"}, 1)


def test_database_refuses_a_negative_balance(tree):
    fund = cf.fund(region=tree["county_a"], budget="100")
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardFund.objects.filter(pk=fund.pk).update(balance=Decimal("-1"))


def test_round_create_without_rules_is_refused(tree):
    fund = cf.fund(region=tree["county_a"])
    with pytest.raises(ValidationError) as info:
        cf.award_round(fund_obj=fund, rules=[])
    assert (codes(info.value), fund.rounds.count()) == ({"no_rules"}, 0)


def test_round_create_with_negative_default_amount_is_refused(tree):
    fund = cf.fund(region=tree["county_a"])
    with pytest.raises(ValidationError) as info:
        cf.award_round(fund_obj=fund, amount="-5")
    assert all_codes(info.value) == {"negative_amount"}


def test_round_create_with_the_same_figure_twice_is_refused(tree):
    fund = cf.fund(region=tree["county_a"])
    with pytest.raises(ValidationError) as info:
        cf.award_round(fund_obj=fund, rules=[("quality", "80"), ("quality", "90")])
    assert codes(info.value) == {"duplicate_rule"}


def test_round_propose_nominates_only_those_meeting_every_rule_with_their_figures(tree):
    good = f.instructor(region=tree["county_a"], name="王优秀")
    few_lectures = f.instructor(region=tree["county_a"], name="李少讲")
    elsewhere = f.instructor(region=tree["county_b"], name="赵外县")
    cf.figures(good, quality="92", lectures=12)
    cf.figures(few_lectures, quality="95", lectures=2)
    cf.figures(elsewhere, quality="99", lectures=20)
    award_round = cf.award_round(
        fund_obj=cf.fund(region=tree["county_a"]), rules=[("quality", "90"), ("lectures", "8")]
    )
    assert services.round_propose(award_round=award_round) == 1
    nomination = award_round.nominations.get()
    assert (nomination.instructor, nomination.figures["rules"]) == (
        good,
        [
            {"figure": "quality", "value": "92.00", "minimum": "90.00", "met": True},
            {"figure": "lectures", "value": "12", "minimum": "8.00", "met": True},
        ],
    )


def test_round_propose_again_keeps_decided_nominations_and_drops_those_no_longer_qualified(tree):
    kept = f.instructor(region=tree["county_a"], name="甲")
    dropped = f.instructor(region=tree["county_a"], name="乙")
    for person in (kept, dropped):
        cf.figures(person, quality="95")
    award_round = cf.award_round(fund_obj=cf.fund(region=tree["county_a"]), rules=[("quality", "90")])
    services.round_propose(award_round=award_round)
    services.nomination_approve(nomination=award_round.nominations.get(instructor=kept), amount=Decimal("500"), by=None)
    cf.figures(kept, quality="50")
    cf.figures(dropped, quality="50")
    services.round_propose(award_round=award_round)
    assert list(award_round.nominations.values_list("instructor__name", "status")) == [("甲", "approved")]


def test_round_propose_on_a_closed_round_is_refused(tree):
    award_round = cf.award_round(fund_obj=cf.fund(region=tree["county_a"]))
    services.round_close(award_round=award_round)
    with pytest.raises(ValidationError) as info:
        services.round_propose(award_round=award_round)
    assert codes(info.value) == {"round_closed"}


@pytest.fixture
def nominee(tree):
    person = f.instructor(region=tree["county_a"], user=f.user(username="nominee"))
    award_round = cf.award_round(fund_obj=cf.fund(region=tree["county_a"], budget="1000"))
    return cf.nomination(round_obj=award_round, person=person)


def test_nomination_approve_pays_from_the_fund_and_writes_the_ledger(nominee, organizer):
    services.nomination_approve(nomination=nominee, amount=Decimal("600"), by=organizer)
    fund = AwardFund.objects.get()
    assert (fund.balance, fund.entries.filter(kind="award").get().amount) == (Decimal("400.00"), Decimal("-600.00"))


def test_nomination_approve_tells_the_instructor(nominee, organizer):
    services.nomination_approve(nomination=nominee, amount=Decimal("600"), by=organizer)
    assert Notification.objects.filter(user=nominee.instructor.user).count() == 1


def test_nomination_approve_over_budget_is_refused_and_writes_nothing(nominee, organizer):
    with pytest.raises(ValidationError) as info:
        services.nomination_approve(nomination=nominee, amount=Decimal("1000.01"), by=organizer)
    nominee.refresh_from_db()
    assert (codes(info.value), nominee.status, AwardFund.objects.get().balance) == (
        {"over_budget"},
        "proposed",
        Decimal("1000.00"),
    )


def test_nomination_approve_twice_pays_once(nominee, organizer):
    services.nomination_approve(nomination=nominee, amount=Decimal("100"), by=organizer)
    with pytest.raises(ValidationError) as info:
        services.nomination_approve(nomination=nominee, amount=Decimal("100"), by=organizer)
    assert (codes(info.value), AwardFund.objects.get().balance) == ({"already_decided"}, Decimal("900.00"))


def test_nomination_approve_with_a_negative_amount_is_refused(nominee, organizer):
    with pytest.raises(ValidationError) as info:
        services.nomination_approve(nomination=nominee, amount=Decimal("-100"), by=organizer)
    assert (all_codes(info.value), Nomination.objects.get().status) == ({"negative_amount"}, "proposed")


def test_nomination_reject_needs_a_reason(nominee, organizer):
    with pytest.raises(ValidationError) as info:
        services.nomination_reject(nomination=nominee, by=organizer, reason=" ")
    assert all_codes(info.value) == {"reason_required"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_overspend_the_fund():
    need(connection.vendor == "postgresql", "row locks need PostgreSQL (DATABASE_URL)")
    tree = f.region_tree()
    award_round = cf.award_round(fund_obj=cf.fund(region=tree["county_a"], budget="1000"))
    nominations = [cf.nomination(round_obj=award_round, person=f.instructor(region=tree["county_a"])) for _ in range(6)]
    barrier = threading.Barrier(len(nominations))
    refused = []

    def approve(nomination):
        try:
            barrier.wait()
            services.nomination_approve(nomination=nomination, amount=Decimal("300"), by=None)
        except ValidationError as exc:
            refused.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(n,)) for n in nominations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fund = AwardFund.objects.get()
    assert (fund.balance, Nomination.objects.filter(status="approved").count()) == (Decimal("100.00"), 3)
    assert refused == ["over_budget"] * 3


# --- Figures ------------------------------------------------------------------------------------------------------


def test_year_figures_count_premium_top_ten_and_innovative_courses(tree):
    person = f.instructor(region=tree["county_a"])
    course = course_factories.course(lead=person, title="微视频党课")
    Course.objects.filter(pk=course.pk).update(format=Course.Format.MICRO_VIDEO, status=Course.Status.ACTIVE)
    PremiumLibraryEntry.objects.create(year=cf.year(), course=course, reason="selection")
    figures = selectors.figures_of(person, cf.year())
    assert (figures["premium"], figures["innovation"], figures["top_ten"]) == (1, 1, 0)


def test_year_figures_satisfaction_is_the_share_of_satisfied_answers(world):  # noqa: F811
    evaluation = survey_services.evaluation_open(lecture=world["lecture"], by=None)
    values = {
        pk: 4 for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    }
    for satisfaction in (4, 4, 3, 1, 4, 3, 2, 4):  # 8 answers (the trainee minimum), 6 satisfied
        survey_services.survey_submit(
            evaluation=evaluation, device_id=uuid.uuid4().hex, values=values, satisfaction=satisfaction, seconds=120
        )
    for role in ("expert", "organizer"):  # with the trainees: counted weight 0.75, so the result is usable
        assignment = survey_services.rater_assign(evaluation=evaluation, role=role, by=None, name=f"{role}评分人")
        survey_services.rater_submit(assignment=assignment, values={pk: Decimal("85") for pk in values})
    result = result_services.result_compute(evaluation=evaluation)
    assert (result.insufficient, selectors.figures_of(world["lecturer"], result.year)["satisfaction"]) == (
        False,
        Decimal("75.0"),
    )


def test_year_figures_leave_out_lectures_with_insufficient_data(world):  # noqa: F811
    evaluation = survey_services.evaluation_open(lecture=world["lecture"], by=None)
    values = {
        pk: 4 for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    }
    for _ in range(3):
        survey_services.survey_submit(
            evaluation=evaluation, device_id=uuid.uuid4().hex, values=values, satisfaction=4, seconds=120
        )
    result = result_services.result_compute(evaluation=evaluation)
    assert (result.insufficient, selectors.figures_of(world["lecturer"], result.year)["satisfaction"]) == (True, 0)


# --- Honours and priority -------------------------------------------------------------------------------------------


def test_honour_recorded_twice_is_refused(tree):
    person = f.instructor(region=tree["county_a"])
    data = {"title": "优秀师资", "level": "city", "conferred_by": "市委组织部", "conferred_on": timezone.localdate()}
    services.honour_record(instructor=person, by=None, **data)
    with pytest.raises(ValidationError) as info:
        services.honour_record(instructor=person, by=None, **data)
    assert (codes(info.value), person.honours.count()) == ({"honour_exists"}, 1)


def test_priority_list_ranks_by_points_and_says_why(tree):
    first = f.instructor(region=tree["county_a"], name="甲")
    second = f.instructor(region=tree["county_a"], name="乙")
    services.honour_record(
        instructor=first,
        title="全国优秀",
        level="national",
        conferred_by="中组部",
        conferred_on=timezone.localdate(),
        by=None,
    )
    cf.figures(second, quality="93")
    priority = services.priority_list_generate(
        region=tree["county_a"], year=cf.year(), kind=PriorityList.Kind.COMMENDATION, by=None
    )
    rows = list(priority.entries.values_list("instructor__name", "points", "reasons"))
    assert rows == [
        ("甲", Decimal("20.00"), ["荣誉“全国优秀”（国家级） (+20)"]),
        ("乙", Decimal("5.00"), ["质量得分 Q 93.00 ≥ 90 (+5)"]),
    ]


def test_priority_reasons_are_stored_in_the_portal_language_whatever_the_requester_reads(tree):
    person = f.instructor(region=tree["county_a"])
    cf.figures(person, quality="93")

    with translation.override("en"):
        priority = services.priority_list_generate(region=tree["county_a"], year=cf.year(), kind="title", by=None)

    assert priority.entries.get().reasons == ["质量得分 Q 93.00 ≥ 90 (+5)"]


def test_priority_list_generated_twice_is_replaced_not_doubled(tree):
    person = f.instructor(region=tree["county_a"])
    cf.figures(person, quality="95")
    for _ in range(2):
        services.priority_list_generate(region=tree["county_a"], year=cf.year(), kind="title", by=None)
    assert (PriorityList.objects.count(), PriorityList.objects.get().entries.count()) == (1, 1)


# --- Further study --------------------------------------------------------------------------------------------------


def test_study_apply_twice_is_refused_and_keeps_one(tree):
    person = f.instructor(region=tree["county_a"])
    programme = cf.programme(region=tree["city"])
    services.study_apply(programme=programme, instructor=person, motivation="学习")
    with pytest.raises(ValidationError) as info:
        services.study_apply(programme=programme, instructor=person, motivation="学习")
    assert (codes(info.value), StudyApplication.objects.count()) == ({"duplicate_application"}, 1)


def test_study_apply_below_the_quality_rule_is_refused(tree):
    person = f.instructor(region=tree["county_a"])
    cf.figures(person, quality="70")
    with pytest.raises(ValidationError) as info:
        services.study_apply(
            programme=cf.programme(region=tree["city"], min_quality="85"), instructor=person, motivation="x"
        )
    assert codes(info.value) == {"not_eligible_quality"}


def test_study_apply_too_few_years_in_the_pool_is_refused(tree):
    person = f.instructor(region=tree["county_a"], joined_on=timezone.localdate() - dt.timedelta(days=400))
    with pytest.raises(ValidationError) as info:
        services.study_apply(
            programme=cf.programme(region=tree["city"], min_years=3), instructor=person, motivation="x"
        )
    assert codes(info.value) == {"not_eligible_years"}


def test_study_apply_after_the_deadline_is_refused(tree):
    person = f.instructor(region=tree["county_a"])
    with pytest.raises(ValidationError) as info:
        services.study_apply(
            programme=cf.programme(region=tree["city"], open_days=-1), instructor=person, motivation="x"
        )
    assert codes(info.value) == {"applications_closed"}


def test_study_approve_beyond_the_seats_is_refused_and_leaves_the_application_open(tree, organizer):
    programme = cf.programme(region=tree["city"], seats=1)
    first, second = (
        services.study_apply(programme=programme, instructor=f.instructor(region=tree["county_a"]), motivation="x")
        for _ in range(2)
    )
    services.study_application_decide(application=first, approve=True, by=organizer)
    with pytest.raises(ValidationError) as info:
        services.study_application_decide(application=second, approve=True, by=organizer)
    second.refresh_from_db()
    assert (codes(info.value), second.status, StudyProgramme.objects.get().approved_count) == (
        {"no_seats_left"},
        "applied",
        1,
    )


def test_study_complete_records_credits_and_certificate(tree, organizer):
    application = services.study_apply(
        programme=cf.programme(region=tree["city"]), instructor=f.instructor(region=tree["county_a"]), motivation="x"
    )
    services.study_application_decide(application=application, approve=True, by=organizer)
    services.study_application_complete(
        application=application,
        completed_on=timezone.localdate(),
        credits=Decimal("4"),
        certificate_no="JX-1",
        by=organizer,
    )
    assert (application.status, application.credits, application.certificate_no) == (
        "completed",
        Decimal("4.0"),
        "JX-1",
    )


def test_study_complete_with_negative_credits_is_refused(tree, organizer):
    application = services.study_apply(
        programme=cf.programme(region=tree["city"]), instructor=f.instructor(region=tree["county_a"]), motivation="x"
    )
    services.study_application_decide(application=application, approve=True, by=organizer)
    with pytest.raises(ValidationError) as info:
        services.study_application_complete(
            application=application,
            completed_on=timezone.localdate(),
            credits=Decimal("-1"),
            certificate_no="",
            by=None,
        )
    assert all_codes(info.value) == {"negative_amount"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_study_approvals_never_overbook():
    need(connection.vendor == "postgresql", "row locks need PostgreSQL (DATABASE_URL)")
    tree = f.region_tree()
    programme = cf.programme(region=tree["city"], seats=2)
    applications = [
        services.study_apply(programme=programme, instructor=f.instructor(region=tree["county_a"]), motivation="x")
        for _ in range(6)
    ]
    barrier = threading.Barrier(len(applications))

    def approve(application):
        try:
            barrier.wait()
            services.study_application_decide(application=application, approve=True, by=None)
        except ValidationError:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert StudyApplication.objects.filter(status="approved").count() == 2


# --- Posts ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def group_post(tree):
    group = f.group(region=tree["county_a"], name="党史教研组")
    member = f.instructor(region=tree["county_a"])
    group.members.add(member)
    return cf.post(region=tree["county_a"], group=group), member


def test_appointing_a_group_leader_sets_the_groups_leader(group_post, organizer):
    post, member = group_post
    services.appointment_make(post=post, instructor=member, starts_on=timezone.localdate(), by=organizer)
    assert TeachingGroup.objects.get(pk=post.group_id).leader == member


def test_ending_the_term_clears_the_groups_leader(group_post, organizer):
    post, member = group_post
    appointment = services.appointment_make(post=post, instructor=member, starts_on=timezone.localdate(), by=organizer)
    services.appointment_end(appointment=appointment, ended_on=timezone.localdate(), reason="任期届满", by=organizer)
    assert TeachingGroup.objects.get(pk=post.group_id).leader is None


def test_a_held_post_cannot_be_given_twice(group_post, organizer, tree):
    post, member = group_post
    services.appointment_make(post=post, instructor=member, starts_on=timezone.localdate(), by=organizer)
    other = f.instructor(region=tree["county_a"])
    post.group.members.add(other)
    with pytest.raises(ValidationError) as info:
        services.appointment_make(post=post, instructor=other, starts_on=timezone.localdate(), by=organizer)
    assert (codes(info.value), Appointment.objects.count()) == ({"post_taken"}, 1)


def test_appointing_a_non_member_as_group_leader_is_refused_and_writes_nothing(group_post, organizer, tree):
    post, _member = group_post
    with pytest.raises(ValidationError) as info:
        services.appointment_make(
            post=post, instructor=f.instructor(region=tree["county_a"]), starts_on=timezone.localdate(), by=organizer
        )
    assert (codes(info.value), Appointment.objects.count()) == ({"not_group_member"}, 0)


def test_the_groups_the_peer_page_trusts_follow_the_appointment(group_post, organizer):
    post, member = group_post
    member.user = f.user(username="leader")
    member.save()
    appointment = services.appointment_make(post=post, instructor=member, starts_on=timezone.localdate(), by=organizer)
    led_before = TeachingGroup.objects.filter(leader__user=member.user).count()
    services.appointment_end(appointment=appointment, ended_on=timezone.localdate(), reason="调任", by=organizer)
    assert (led_before, TeachingGroup.objects.filter(leader__user=member.user).count()) == (1, 0)


# --- Career plans -----------------------------------------------------------------------------------------------------


def test_plan_progress_reads_the_figures_the_portal_has(tree):
    person = f.instructor(region=tree["county_a"])
    cf.figures(person, lectures=6)
    plan = services.career_plan_save(
        instructor=person,
        year=cf.year(),
        direction="",
        goals=[{"figure": "lectures", "target": Decimal("12")}],
        by=None,
    )
    progress = selectors.plan_progress(plan)[0]
    assert (progress.actual, progress.percent, progress.met) == (Decimal("6"), 50, False)


def test_plan_with_a_zero_target_is_refused(tree):
    person = f.instructor(region=tree["county_a"])
    with pytest.raises(ValidationError) as info:
        services.career_plan_save(
            instructor=person, year=2026, direction="", goals=[{"figure": "hours", "target": Decimal("0")}], by=None
        )
    assert codes(info.value) == {"negative_amount"}


# --- Counselling ------------------------------------------------------------------------------------------------------


def test_talk_booking_beyond_its_places_is_refused(tree):
    talk = cf.talk(counsellor_obj=cf.counsellor(region=tree["city"]), capacity=1)
    services.counselling_talk_book(talk=talk, instructor=f.instructor(region=tree["county_a"]))
    with pytest.raises(ValidationError) as info:
        services.counselling_talk_book(talk=talk, instructor=f.instructor(region=tree["county_a"]))
    assert (codes(info.value), talk.bookings.count()) == ({"talk_full"}, 1)


def test_talk_booked_twice_by_the_same_person_is_refused(tree):
    talk = cf.talk(counsellor_obj=cf.counsellor(region=tree["city"]), capacity=5)
    person = f.instructor(region=tree["county_a"])
    services.counselling_talk_book(talk=talk, instructor=person)
    with pytest.raises(ValidationError) as info:
        services.counselling_talk_book(talk=talk, instructor=person)
    assert codes(info.value) == {"duplicate_booking"}


def test_one_to_one_booking_in_the_past_is_refused(tree):
    with pytest.raises(ValidationError) as info:
        services.counselling_book(
            instructor=f.instructor(region=tree["county_a"]),
            counsellor=cf.counsellor(region=tree["city"]),
            wanted_at=timezone.now() - dt.timedelta(hours=1),
            concern="",
        )
    assert codes(info.value) == {"time_in_past"}


def test_organizers_get_counts_only(tree):
    counsellor = cf.counsellor(region=tree["city"])
    services.counselling_book(
        instructor=f.instructor(region=tree["county_a"]),
        counsellor=counsellor,
        wanted_at=timezone.now() + dt.timedelta(days=1),
        concern="私密内容",
    )
    counts = selectors.counselling_counts(user=f.organizer(tree["county_a"]))
    assert counts == [{"kind": "one_to_one", "status": "booked", "n": 1}]


# --- Greeting texts ---------------------------------------------------------------------------------------------------


def test_greeting_text_with_an_unknown_placeholder_is_refused():
    with pytest.raises(ValidationError) as info:
        services.greeting_text_save(occasion="teachers_day", subject="节日", text="{name}{phone}", by=None)
    assert all_codes(info.value) == {"bad_placeholder"}


def _race(target, args_list) -> list[str]:
    """Run target(*args) in threads released together; returns the refusal codes."""
    barrier = threading.Barrier(len(args_list))
    refused: list[str] = []

    def run(args):
        try:
            barrier.wait()
            target(*args)
        except ValidationError as exc:
            refused.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refused


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_click_on_apply_keeps_one_application():
    need(connection.vendor == "postgresql", "concurrent inserts need PostgreSQL (DATABASE_URL)")
    tree = f.region_tree()
    programme, person = cf.programme(region=tree["city"]), f.instructor(region=tree["county_a"])
    refused = _race(lambda: services.study_apply(programme=programme, instructor=person, motivation="x"), [()] * 4)
    assert (StudyApplication.objects.count(), refused) == (1, ["duplicate_application"] * 3)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_greeting_runs_at_once_send_once():
    need(connection.vendor == "postgresql", "concurrent runs need PostgreSQL (DATABASE_URL)")
    tree = f.region_tree()
    person = f.instructor(region=tree["county_a"], user=f.user(username="teacher"))
    _race(lambda: services.greetings_send(today=dt.date(2026, 9, 10)), [()] * 3)
    assert Notification.objects.filter(user=person.user).count() == 1
