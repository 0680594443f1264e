import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from care import services
from care.models import AwardFund, CounsellingBooking, Nomination, StudyApplication, StudyProgramme
from tests import factories as f
from tests.care import factories as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    tree = f.region_tree()
    person = f.instructor(region=tree["county_a"], name="张三", user=f.user(username="zhang"))
    other = f.instructor(region=tree["county_b"], name="李四", user=f.user(username="li"))
    return {
        **tree,
        "person": person,
        "other": other,
        "org_a": f.organizer(tree["county_a"]),
        "org_b": f.organizer(tree["county_b"]),
        "city_org": f.organizer(tree["city"]),
    }


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Award funds -------------------------------------------------------------------------------------------------


def test_fund_create_page_opens_a_fund(client, w):
    client.force_login(w["org_a"])
    data = {"region": w["county_a"].pk, "year": 2026, "name": "专项奖励基金", "budget": "20000"}
    response = client.post(reverse("care:fund_create"), data)
    assert (response.status_code, AwardFund.objects.get().balance) == (302, Decimal("20000.00"))


def test_fund_create_page_refuses_a_negative_budget_with_a_chinese_message(client, w):
    client.force_login(w["org_a"])
    data = {"region": w["county_a"].pk, "year": 2026, "name": "专项奖励基金", "budget": "-5"}
    response = client.post(reverse("care:fund_create"), data)
    assert ("预算不能为负数" in response.content.decode(), AwardFund.objects.count()) == (True, 0)


def test_fund_of_another_county_is_not_found(client, w):
    fund = cf.fund(region=w["county_a"])
    client.force_login(w["org_b"])
    assert client.get(reverse("care:fund_detail", args=[fund.pk])).status_code == 404


def test_fund_list_is_refused_to_instructors(client, w):
    client.force_login(w["person"].user)
    assert client.get(reverse("care:fund_list")).status_code == 403


def test_round_create_page_saves_rules_from_the_formset(client, w):
    fund = cf.fund(region=w["county_a"])
    client.force_login(w["org_a"])
    data = {
        "name": "学员满意奖",
        "default_amount": "800",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-0-figure": "satisfaction",
        "rules-0-minimum": "95",
        "rules-1-figure": "lectures",
        "rules-1-minimum": "6",
    }
    client.post(reverse("care:round_create", args=[fund.pk]), data)
    assert sorted(fund.rounds.get().criteria.values_list("figure", flat=True)) == ["lectures", "satisfaction"]


def test_nomination_decide_over_budget_shows_the_refusal_and_pays_nothing(client, w):
    award_round = cf.award_round(fund_obj=cf.fund(region=w["county_a"], budget="500"))
    nomination = cf.nomination(round_obj=award_round, person=w["person"])
    client.force_login(w["org_a"])
    response = client.post(
        reverse("care:nomination_decide", args=[nomination.pk]), {"approve": "1", "amount": "900"}, follow=True
    )
    assert (messages_of(response), Nomination.objects.get().status) == (["基金余额不足以支付该金额。"], "proposed")


def test_nomination_decide_double_click_pays_once(client, w):
    award_round = cf.award_round(fund_obj=cf.fund(region=w["county_a"], budget="500"))
    nomination = cf.nomination(round_obj=award_round, person=w["person"])
    client.force_login(w["org_a"])
    for _ in range(2):
        client.post(reverse("care:nomination_decide", args=[nomination.pk]), {"approve": "1", "amount": "300"})
    assert AwardFund.objects.get().balance == Decimal("200.00")


def test_nomination_of_another_county_cannot_be_decided(client, w):
    award_round = cf.award_round(fund_obj=cf.fund(region=w["county_a"]))
    nomination = cf.nomination(round_obj=award_round, person=w["person"])
    client.force_login(w["org_b"])
    response = client.post(reverse("care:nomination_decide", args=[nomination.pk]), {"approve": "1", "amount": "1"})
    assert (response.status_code, Nomination.objects.get().status) == (404, "proposed")


def test_round_detail_explains_the_figures(client, w):
    cf.figures(w["person"], quality="93")
    award_round = cf.award_round(fund_obj=cf.fund(region=w["county_a"]), rules=[("quality", "90")])
    services.round_propose(award_round=award_round)
    client.force_login(w["org_a"])
    body = client.get(reverse("care:round_detail", args=[award_round.pk])).content.decode()
    assert "<strong>93.00</strong> ≥ 90.00" in body


def test_fund_export_writes_user_text_as_text_not_formula(client, w):
    w["person"].name = '=HYPERLINK("http://x")'
    w["person"].save()
    award_round = cf.award_round(fund_obj=cf.fund(region=w["county_a"]))
    services.nomination_approve(
        nomination=cf.nomination(round_obj=award_round, person=w["person"]), amount=Decimal("500"), by=w["org_a"]
    )
    client.force_login(w["org_a"])
    response = client.get(reverse("care:fund_export", args=[award_round.fund_id]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=3)
    assert (cell.value, cell.data_type, sheet.cell(row=2, column=6).value) == ('=HYPERLINK("http://x")', "s", 500)


# --- Dossier and home ----------------------------------------------------------------------------------------------


def test_dossier_shows_awards_honours_study_and_posts(client, w):
    award_round = cf.award_round(fund_obj=cf.fund(region=w["county_a"]), name="课程创新奖")
    services.nomination_approve(
        nomination=cf.nomination(round_obj=award_round, person=w["person"]), amount=Decimal("500"), by=None
    )
    services.honour_record(
        instructor=w["person"],
        title="优秀党员教育师资",
        level="city",
        conferred_by="市委组织部",
        conferred_on=timezone.localdate(),
        by=None,
    )
    client.force_login(w["person"].user)
    body = client.get(reverse("instructors:instructor_detail", args=[w["person"].pk])).content.decode()
    assert ("课程创新奖" in body, "优秀党员教育师资" in body) == (True, True)


def test_instructor_home_shows_open_programmes_awards_and_greetings(client, w):
    programme = cf.programme(region=w["city"])
    services.greetings_send(today=dt.date(2026, 9, 10))
    client.force_login(w["person"].user)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert (response.status_code, programme.name in body, "教师节快乐" in body) == (200, True, True)


def test_home_of_another_instructor_does_not_show_a_programme_of_another_county(client, w):
    programme = cf.programme(region=w["county_a"])
    client.force_login(w["other"].user)
    assert programme.name not in client.get(reverse("home")).content.decode()


# --- Further study --------------------------------------------------------------------------------------------------


def test_programme_apply_double_click_keeps_one_application(client, w):
    programme = cf.programme(region=w["city"])
    client.force_login(w["person"].user)
    url = reverse("care:programme_apply", args=[programme.pk])
    client.post(url, {"motivation": "提升理论水平"}, follow=True)
    response = client.post(url, {"motivation": "提升理论水平"}, follow=True)
    assert (messages_of(response), StudyApplication.objects.count()) == (["您已申请过该项目。"], 1)


def test_programme_of_another_county_is_not_found_for_an_instructor(client, w):
    programme = cf.programme(region=w["county_a"])
    client.force_login(w["other"].user)
    assert client.get(reverse("care:programme_detail", args=[programme.pk])).status_code == 404


def test_programme_detail_states_the_eligibility_rules(client, w):
    programme = cf.programme(region=w["city"], min_quality="85", min_years=3)
    client.force_login(w["person"].user)
    body = client.get(reverse("care:programme_detail", args=[programme.pk])).content.decode()
    assert ("Q 不低于 85.00" in body, "入库满 3 年" in body) == (True, True)


def test_application_decide_by_organizer_of_another_county_is_not_found(client, w):
    application = services.study_apply(
        programme=cf.programme(region=w["county_a"]), instructor=w["person"], motivation="x"
    )
    client.force_login(w["org_b"])
    response = client.post(reverse("care:application_decide", args=[application.pk]), {"approve": "1"})
    assert (response.status_code, StudyApplication.objects.get().status) == (404, "applied")


# --- Posts ------------------------------------------------------------------------------------------------------------


def test_post_appoint_page_sets_the_group_leader(client, w):
    group = f.group(region=w["county_a"], name="党史教研组")
    group.members.add(w["person"])
    post = cf.post(region=w["county_a"], group=group)
    client.force_login(w["org_a"])
    client.post(reverse("care:post_appoint", args=[post.pk]), {"instructor": w["person"].pk, "starts_on": "2026-01-01"})
    group.refresh_from_db()
    assert group.leader == w["person"]


# --- Career plans -----------------------------------------------------------------------------------------------------


def test_plan_create_page_saves_goals(client, w):
    client.force_login(w["org_a"])
    data = {
        "instructor": w["person"].pk,
        "year": 2026,
        "direction": "向市级师资发展",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-0-figure": "lectures",
        "goals-0-target": "12",
    }
    response = client.post(reverse("care:plan_create"), data)
    assert (response.status_code, w["person"].career_plans.get().goals.get().target) == (302, Decimal("12.00"))


def test_plan_of_another_instructor_is_not_found(client, w):
    plan = services.career_plan_save(instructor=w["person"], year=2026, direction="", goals=[], by=None)
    client.force_login(w["other"].user)
    assert client.get(reverse("care:plan_detail", args=[plan.pk])).status_code == 404


# --- Counselling ------------------------------------------------------------------------------------------------------


@pytest.fixture
def booking(w):
    counsellor = cf.counsellor(region=w["city"])
    return services.counselling_book(
        instructor=w["person"],
        counsellor=counsellor,
        wanted_at=timezone.now() + dt.timedelta(days=2),
        concern="最近睡眠不好，想聊聊",
    )


def test_booking_details_are_seen_by_the_instructor_and_the_counsellor(client, w, booking):
    seen = []
    for account in (w["person"].user, booking.counsellor.user):
        client.force_login(account)
        seen.append("最近睡眠不好" in client.get(reverse("care:booking_detail", args=[booking.pk])).content.decode())
    assert seen == [True, True]


def test_booking_details_are_hidden_from_organizers_admins_and_colleagues(client, w, booking):
    answers = []
    for account in (w["org_a"], w["city_org"], f.admin_user(), w["other"].user):
        client.force_login(account)
        answers.append(client.get(reverse("care:booking_detail", args=[booking.pk])).status_code)
    assert answers == [404, 404, 404, 404]


def test_organizer_counselling_page_shows_counts_not_concerns(client, w, booking):
    client.force_login(w["org_a"])
    response = client.get(reverse("care:counselling_home"))
    body = response.content.decode()
    assert (response.context["counts"][0]["n"], "最近睡眠不好" in body, "张三" in body) == (1, False, False)


def test_booking_in_the_past_is_refused_with_a_message(client, w):
    counsellor = cf.counsellor(region=w["city"])
    client.force_login(w["person"].user)
    data = {"counsellor": counsellor.pk, "wanted_at": "2020-01-01T10:00", "concern": ""}
    response = client.post(reverse("care:booking_create"), data, follow=True)
    assert (messages_of(response), CounsellingBooking.objects.count()) == (["请选择一个将来的时间。"], 0)


def test_counsellor_marks_a_session_held_with_a_note(client, booking):
    client.force_login(booking.counsellor.user)
    client.post(reverse("care:booking_update", args=[booking.pk]), {"status": "held", "note": "已跟进"})
    booking.refresh_from_db()
    assert (booking.status, booking.counsellor_note) == ("held", "已跟进")


def test_instructor_cannot_write_the_counsellors_note(client, w, booking):
    client.force_login(w["person"].user)
    client.post(reverse("care:booking_update", args=[booking.pk]), {"status": "held", "note": "x"})
    booking.refresh_from_db()
    assert (booking.status, booking.counsellor_note) == ("booked", "")


# --- Greeting texts ---------------------------------------------------------------------------------------------------


def test_city_organizer_edits_a_greeting_text(client, w):
    client.force_login(w["city_org"])
    client.post(
        reverse("care:greeting_text_edit", args=["mid_autumn"]), {"subject": "中秋", "text": "{name}：中秋快乐"}
    )
    services.greetings_send(today=dt.date(2026, 9, 25))
    assert w["person"].greetings.get().text == "张三：中秋快乐"


def test_county_organizer_may_not_edit_greeting_texts(client, w):
    client.force_login(w["org_a"])
    assert client.get(reverse("care:greeting_text_edit", args=["mid_autumn"])).status_code == 403


# --- Query counts: 1 row and 3 rows cost the same -------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _people(w, n: int) -> list:
    return [f.instructor(region=w["county_a"], name=f"师资{i}") for i in range(n)]


ADD_ROWS = {
    "care:fund_list": lambda w, n: [
        cf.award_round(fund_obj=cf.fund(region=w["county_a"], year_=2000 + n * 10 + i)) for i in range(n)
    ],
    "care:honour_list": lambda w, n: [
        services.honour_record(
            instructor=p, title="优秀", level="county", conferred_by="县委", conferred_on=timezone.localdate(), by=None
        )
        for p in _people(w, n)
    ],
    "care:priority_index": lambda w, n: [
        services.priority_list_generate(region=w["county_a"], year=2000 + n * 10 + i, kind="title", by=None)
        for i in range(n)
    ],
    "care:programme_list": lambda w, n: [cf.programme(region=w["county_a"]) for _ in range(n)],
    "care:post_list": lambda w, n: [
        services.appointment_make(
            post=cf.post(region=w["county_a"]), instructor=p, starts_on=timezone.localdate(), by=None
        )
        for p in _people(w, n)
    ],
    "care:plan_list": lambda w, n: [
        services.career_plan_save(
            instructor=p, year=2026, direction="", goals=[{"figure": "hours", "target": 1}], by=None
        )
        for p in _people(w, n)
    ],
    "care:counselling_home": lambda w, n: [
        services.counselling_talk_book(
            talk=cf.talk(counsellor_obj=cf.counsellor(region=w["city"])), instructor=w["person"]
        )
        for _ in range(n)
    ],
}
VIEWERS = {"care:programme_list": "person", "care:counselling_home": "person"}


@pytest.mark.parametrize("name", sorted(ADD_ROWS))
def test_list_page_query_count_does_not_grow_with_rows(client, w, name):
    client.force_login(w[VIEWERS.get(name, "org_a")].user if name in VIEWERS else w["org_a"])
    counts = []
    for n in (1, 2):
        ADD_ROWS[name](w, n)  # 1 row, then 3 rows in all
        counts.append(_count(client, reverse(name)))
    assert counts[0] == counts[1]


def test_round_detail_query_count_does_not_grow_with_nominees(client, w):
    award_round = cf.award_round(fund_obj=cf.fund(region=w["county_a"]))
    client.force_login(w["org_a"])
    counts = []
    for n in (1, 2):
        for person in _people(w, n):
            cf.nomination(round_obj=award_round, person=person)
        counts.append(_count(client, reverse("care:round_detail", args=[award_round.pk])))
    assert counts[0] == counts[1]


def test_priority_detail_query_count_does_not_grow_with_entries(client, w):
    client.force_login(w["org_a"])
    counts = []
    for n in (1, 2):
        for person in _people(w, n):
            cf.figures(person, quality="95")
        priority = services.priority_list_generate(region=w["county_a"], year=cf.year(), kind="title", by=None)
        counts.append(_count(client, reverse("care:priority_detail", args=[priority.pk])))
    assert counts[0] == counts[1]


def test_dossier_query_count_does_not_grow_with_awards(client, w):
    client.force_login(w["org_a"])
    fund = cf.fund(region=w["county_a"], budget="100000")
    counts = []
    for n in (1, 2):
        for _ in range(n):
            award_round = cf.award_round(fund_obj=fund)
            services.nomination_approve(
                nomination=cf.nomination(round_obj=award_round, person=w["person"]), amount=Decimal("10"), by=None
            )
        counts.append(_count(client, reverse("instructors:instructor_detail", args=[w["person"].pk])))
    assert counts[0] == counts[1]


def test_fund_detail_query_count_does_not_grow_with_rounds_and_ledger(client, w):
    fund = cf.fund(region=w["county_a"], budget="100000")
    client.force_login(w["org_a"])
    counts = []
    for n in (1, 2):
        for _ in range(n):
            award_round = cf.award_round(fund_obj=fund, rules=[("quality", "80"), ("lectures", "1")])
            services.nomination_approve(
                nomination=cf.nomination(round_obj=award_round, person=f.instructor(region=w["county_a"])),
                amount=Decimal("10"),
                by=w["org_a"],
            )
        counts.append(_count(client, reverse("care:fund_detail", args=[fund.pk])))
    assert counts[0] == counts[1]


def test_programme_detail_query_count_does_not_grow_with_applications(client, w):
    programme = cf.programme(region=w["county_a"], seats=10)
    client.force_login(w["org_a"])
    counts = []
    for n in (1, 2):
        for person in _people(w, n):
            services.study_application_decide(
                application=services.study_apply(programme=programme, instructor=person, motivation="x"),
                approve=True,
                by=w["org_a"],
            )
        counts.append(_count(client, reverse("care:programme_detail", args=[programme.pk])))
    assert counts[0] == counts[1]


def test_post_detail_query_count_does_not_grow_with_past_terms(client, w):
    post = cf.post(region=w["county_a"])
    client.force_login(w["org_a"])
    counts = []
    start = dt.date(2000, 1, 1)
    for n in (1, 2):
        for person in _people(w, n):
            appointment = services.appointment_make(post=post, instructor=person, starts_on=start, by=w["org_a"])
            services.appointment_end(appointment=appointment, ended_on=start, reason="调任", by=w["org_a"])
            start += dt.timedelta(days=1)
        counts.append(_count(client, reverse("care:post_detail", args=[post.pk])))
    assert counts[0] == counts[1]


def test_programme_create_with_no_seats_is_refused_with_a_chinese_message(client, w):
    client.force_login(w["org_a"])
    data = {
        "region": w["county_a"].pk,
        "name": "高级研修班",
        "kind": "advanced",
        "year": 2026,
        "seats": 0,
        "credits": "4",
        "apply_until": "2026-12-31",
    }
    response = client.post(reverse("care:programme_create"), data)
    assert (response.context["form"].errors.as_data()["__all__"][0].code, StudyProgramme.objects.count()) == (
        "no_seats",
        0,
    )
