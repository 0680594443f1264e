"""Issue 19 (the evaluation journey), issue 15 items 9 and 11: the lecture list's search and filters, the
evaluation page's state and short link, the poster's buttons, a phone that already answered, the rater list, and
review mails queued in batches."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Evaluation, Indicator
from evaluations.survey import services as survey_services
from evaluations.survey.forms import AssignRaterForm
from instructors.models import Region
from tests import factories
from tests.conftest import refused
from tests.courses import factories as course_factories
from tests.outreach import factories as outreach_factories


def _evaluation(world) -> Evaluation:
    return survey_services.evaluation_open(lecture=world["lecture"], by=world["org_a"])


def _lecture_list(client, user, **query) -> str:
    client.force_login(user)
    page = client.get(reverse("evaluations:lecture_list"), query).content.decode()
    return page[page.index("<tbody>") :]  # the rows, not the filter's choices


# --- The lecture list ---------------------------------------------------------------------------------------------


def test_lecture_list_searches_by_course_title(client, world):
    other = course_factories.course(lead=world["colleague"], title="基层治理现代化")
    start = world["lecture"].start + dt.timedelta(hours=3)
    outreach_factories.lecture(
        course=other, instructor=world["colleague"], organization=world["organization"], start=start
    )
    page = _lecture_list(client, world["org_a"], q="基层治理")
    assert ("基层治理现代化" in page, "坚持党建引领" in page) == (True, False)


def test_lecture_list_filters_by_evaluation_state(client, world):
    _evaluation(world)
    assert "坚持党建引领" in _lecture_list(client, world["org_a"], state="open")
    assert "坚持党建引领" not in _lecture_list(client, world["org_a"], state="none")


def test_lecture_list_filters_by_county_and_dates(client, world):
    day = timezone.localdate(world["lecture"].start)
    query = {"county": world["county_b"].pk, "start": day.isoformat(), "end": day.isoformat()}
    assert "坚持党建引领" not in _lecture_list(client, world["city_org"], **query)


def test_lecture_list_with_a_bad_filter_still_answers(client, world):
    assert "坚持党建引领" in _lecture_list(client, world["org_a"], start="9999-99-99", county="x")


def test_lecture_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for hours in (3, 6, 9):
        start = world["lecture"].start + dt.timedelta(hours=hours)
        outreach_factories.lecture(
            course=world["course"], instructor=world["lecturer"], organization=world["organization"], start=start
        )
    client.force_login(world["org_a"])
    with django_assert_max_num_queries(12):
        client.get(reverse("evaluations:lecture_list"))


# --- The evaluation page and the poster ---------------------------------------------------------------------------


def test_evaluation_page_says_the_survey_is_open_and_shows_a_short_link(client, world):
    evaluation = _evaluation(world)
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:evaluation_detail", args=[evaluation.pk])).content.decode()
    short = reverse("evaluations:survey_short", args=[evaluation.pk, evaluation.short_code])
    assert ("问卷正在开放" in page, short in page) == (True, True)


def test_evaluation_page_says_not_yet_open(client, world):
    evaluation = _evaluation(world)
    Evaluation.objects.filter(pk=evaluation.pk).update(opens_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "问卷尚未开放" in page


def test_short_link_leads_to_the_survey(client, world):
    evaluation = _evaluation(world)
    response = client.get(reverse("evaluations:survey_short", args=[evaluation.pk, evaluation.short_code]))
    assert response["Location"] == reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])


def test_short_link_with_a_wrong_code_is_404(client, world):
    evaluation = _evaluation(world)
    assert client.get(reverse("evaluations:survey_short", args=[evaluation.pk, "0123456789"])).status_code == 404


def test_poster_has_print_download_and_back(client, world):
    evaluation = _evaluation(world)
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:evaluation_poster", args=[evaluation.pk])).content.decode()
    back = reverse("evaluations:evaluation_detail", args=[evaluation.pk])
    assert ("data-print" in page and "打印" in page, "下载" in page, back in page) == (True, True, True)


def test_poster_download_is_an_svg_file(client, world):
    evaluation = _evaluation(world)
    client.force_login(world["org_a"])
    response = client.get(reverse("evaluations:evaluation_poster", args=[evaluation.pk]), {"format": "svg"})
    assert (response["Content-Type"], "attachment" in response["Content-Disposition"]) == ("image/svg+xml", True)


def test_poster_has_no_inline_script(client, world):
    evaluation = _evaluation(world)
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:evaluation_poster", args=[evaluation.pk])).content.decode()
    assert "<script>" not in page and "onclick" not in page


# --- A phone that already answered --------------------------------------------------------------------------------


def test_a_phone_that_already_answered_sees_so_instead_of_the_form(client, world):
    evaluation = _evaluation(world)
    url = reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])
    page = client.get(url)
    data = {"started": page.context["form"].initial["started"], "satisfaction": "4", "comment": ""}
    for number, pk in enumerate(
        Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    ):
        data[f"i{pk}"] = str(number % 5 + 1)
    client.post(url, data)
    again = client.get(url).content.decode()
    assert ("该手机已作答" in again, 'name="satisfaction"' in again) == (True, False)


# --- Raters (issue 15, item 9) ------------------------------------------------------------------------------------


def test_rater_list_offers_the_citys_people_and_no_admin(world):
    evaluation = _evaluation(world)
    admin = factories.user(username="root-admin", role="admin")
    other_city = factories.region(name="远方市", level=Region.Level.CITY, parent=world["city"].parent)
    stranger = factories.organizer(factories.region(name="远方县", parent=other_city))
    choices = set(AssignRaterForm(evaluation=evaluation).fields["user"].queryset)
    assert (world["colleague_user"] in choices, admin in choices, stranger in choices) == (True, False, False)


def test_assigning_an_admin_as_rater_is_refused(world):
    evaluation = _evaluation(world)
    admin = factories.user(username="root-admin2", role="admin")
    with refused("rater_out_of_scope"):
        survey_services.rater_assign(evaluation=evaluation, role="expert", user=admin, by=world["org_a"])


# --- Review mails (issue 15, item 11) -----------------------------------------------------------------------------


def test_mails_of_review_outcomes_go_out_once_each(db):
    from evaluations.models import Notification
    from evaluations.review import services as review_services

    people = [factories.user(email=f"p{i}@example.com") for i in range(3)]
    ids = [Notification.objects.create(user=person, text="考评结果").pk for person in people]
    sent = review_services.review_mail_send(notification_ids=ids)
    again = review_services.review_mail_send(notification_ids=ids)
    assert (sent, again, len(mail.outbox)) == (3, 0, 3)
