import datetime as dt
import io
import json
import re
import uuid
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Comment, Indicator, RaterAssignment, Response, ResultAction
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from evaluations.survey.views import DEVICE_COOKIE
from tests import factories
from tests.helpers import count_queries
from tests.outreach import factories as outreach_factories

pytestmark = pytest.mark.django_db


def _fill(evaluation, n: int, step: int = 4, satisfaction: int = 4, comment: str = ""):
    now = evaluation.opens_at + dt.timedelta(hours=1)
    values = {
        pk: step for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    }
    for _ in range(n):
        survey_services.survey_submit(
            evaluation=evaluation,
            device_id=uuid.uuid4().hex,
            values=values,
            satisfaction=satisfaction,
            comment=comment,
            seconds=60,
            now=now,
        )


def _survey_post(client, evaluation, step=4):
    url = reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])
    page = client.get(url)
    data = {"started": page.context["form"].initial["started"], "satisfaction": "4", "comment": ""}
    for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True):
        data[f"i{pk}"] = str(step)
    return url, data


def test_survey_page_works_without_login_and_sets_device_cookie(client, evaluation):
    response = client.get(reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)]))
    assert response.status_code == 200
    assert DEVICE_COOKIE in response.cookies


def test_survey_page_shows_no_instructor_contact(client, world, evaluation):
    response = client.get(reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)]))
    assert world["lecturer"].phone not in response.content.decode()


def test_survey_submit_and_retried_post_store_one_row(client, evaluation):
    url, data = _survey_post(client, evaluation)
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302
    assert "已经" in second.content.decode() or second.status_code == 200
    assert Response.objects.count() == 1


def test_survey_without_cookie_stores_nothing(client, evaluation):
    url, data = _survey_post(client, evaluation)
    client.cookies.pop(DEVICE_COOKIE)
    response = client.post(url, data)
    assert response.status_code == 200
    assert Response.objects.count() == 0


def test_forged_survey_link_is_404(client, evaluation):
    token = survey_services.survey_token(evaluation)
    assert client.get(reverse("evaluations:survey", args=[token + "x"])).status_code == 404


def test_closed_survey_says_so_and_stores_nothing(client, world, evaluation):
    evaluation.closes_at = timezone.now() - dt.timedelta(minutes=1)
    evaluation.save()
    url = reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])
    response = client.post(url, {"satisfaction": "4"})
    assert "关闭" in response.content.decode()
    assert Response.objects.count() == 0


def test_evaluation_detail_has_qr_for_organizer(client, world, evaluation):
    client.force_login(world["org_a"])
    response = client.get(reverse("evaluations:evaluation_detail", args=[evaluation.pk]))
    assert "<svg" in response.content.decode()


def test_evaluation_detail_is_404_for_other_county_and_instructor(client, world, evaluation):
    url = reverse("evaluations:evaluation_detail", args=[evaluation.pk])
    client.force_login(world["org_b"])
    assert client.get(url).status_code == 404
    client.force_login(world["lecturer_user"])
    assert client.get(url).status_code == 404


def test_poster_is_printable_page(client, world, evaluation):
    client.force_login(world["org_a"])
    response = client.get(reverse("evaluations:evaluation_poster", args=[evaluation.pk]))
    assert world["course"].title in response.content.decode()


def test_open_evaluation_from_lecture(client, world):
    client.force_login(world["org_a"])
    response = client.post(reverse("evaluations:evaluation_open", args=[world["lecture"].pk]))
    assert response.status_code == 302
    assert world["lecture"].evaluation.pk


def test_open_evaluation_other_county_is_404(client, world):
    client.force_login(world["org_b"])
    assert client.post(reverse("evaluations:evaluation_open", args=[world["lecture"].pk])).status_code == 404


def test_rater_link_for_account_needs_that_account(client, world, evaluation):
    judge = factories.user(role="judge", username="expert1")
    assignment = survey_services.rater_assign(evaluation=evaluation, role="expert", user=judge, by=world["org_a"])
    url = reverse("evaluations:rate", args=[assignment.token])
    client.force_login(world["colleague_user"])
    assert client.get(url).status_code == 404
    client.force_login(judge)
    assert client.get(url).status_code == 200


def test_rater_without_account_scores_through_personal_link(client, world, evaluation):
    assignment = survey_services.rater_assign(
        evaluation=evaluation, role="media", name="嘉州日报 记者", by=world["org_a"]
    )
    data = {
        f"i{pk}": "85"
        for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    }
    response = client.post(reverse("evaluations:rate", args=[assignment.token]), data)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.score == Decimal("85.000")


def test_result_page_explains_and_instructor_sees_only_public_comments(client, world, evaluation):
    _fill(evaluation, 9, comment="讲得好")
    Comment.objects.filter(pk=Comment.objects.first().pk).update(state="public", text="公开的评语")
    Comment.objects.filter(state="pending").update(text="待审核的评语")
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(world["lecturer_user"])
    body = client.get(reverse("evaluations:result_detail", args=[result.pk])).content.decode()
    assert "公开的评语" in body
    assert "待审核的评语" not in body


def test_result_page_of_colleague_is_404(client, world, evaluation):
    _fill(evaluation, 3)
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(world["colleague_user"])
    assert client.get(reverse("evaluations:result_detail", args=[result.pk])).status_code == 404
    client.force_login(world["org_b"])
    assert client.get(reverse("evaluations:result_detail", args=[result.pk])).status_code == 404


def test_insufficient_result_says_how_many_answers_are_missing(client, world, evaluation):
    _fill(evaluation, 5)
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(world["org_a"])
    assert "还需" in client.get(reverse("evaluations:result_detail", args=[result.pk])).content.decode()


def test_my_ratings_shows_own_results_only(client, world, evaluation):
    _fill(evaluation, 9)
    result = result_services.result_compute(evaluation=evaluation)
    client.force_login(world["lecturer_user"])
    response = client.get(reverse("evaluations:my_ratings"))
    assert response.content.decode().count(reverse("evaluations:result_detail", args=[result.pk])) == 1
    client.force_login(world["colleague_user"])
    other = client.get(reverse("evaluations:my_ratings")).content.decode()
    assert "/evaluations/results/" not in other


def test_my_ratings_is_404_for_organizer_without_record(client, world):
    client.force_login(world["org_a"])
    assert client.get(reverse("evaluations:my_ratings")).status_code == 404


_days = iter(range(1, 1000))


def _results(world, n: int):
    for _ in range(n):
        start = timezone.now() - dt.timedelta(days=next(_days), hours=3)
        lecture = outreach_factories.lecture(
            course=world["course"], instructor=world["lecturer"], organization=world["organization"], start=start
        )
        evaluation = survey_services.evaluation_open(lecture=lecture, by=None)
        _fill(evaluation, 2)
        result_services.result_compute(evaluation=evaluation)


def test_result_list_query_count_is_constant(client, world):
    client.force_login(world["org_a"])
    counts = []
    for n in (1, 2):
        _results(world, n)
        counts.append(count_queries(client, reverse("evaluations:result_list")))
    assert counts[0] == counts[1]


def test_result_list_scoped_and_export(client, world):
    _results(world, 2)
    client.force_login(world["org_b"])
    assert client.get(reverse("evaluations:result_list")).context["page"].paginator.count == 0
    client.force_login(world["org_a"])
    response = client.get(reverse("evaluations:result_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert (sheet.title, sheet.max_row, sheet["A1"].value) == ("评价结果", 3, "授课日期")  # header + 2 results


def test_moderation_queue_scoped(client, world, evaluation):
    _fill(evaluation, 1, comment="建议多举本地案例")
    client.force_login(world["org_b"])
    assert "本地案例" not in client.get(reverse("evaluations:moderation_queue")).content.decode()
    comment = Comment.objects.get()
    assert (
        client.post(reverse("evaluations:comment_moderate", args=[comment.pk]), {"state": "public"}).status_code == 404
    )
    client.force_login(world["org_a"])
    response = client.post(reverse("evaluations:comment_moderate", args=[comment.pk]), {"state": "public"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == "public"


def test_action_decision_through_page(client, world, evaluation):
    _fill(evaluation, 12, step=2, satisfaction=1)
    RaterAssignment.objects.create(
        evaluation=evaluation, role="expert", name="专家", submitted_at=timezone.now(), score=Decimal(60)
    )
    result = result_services.result_compute(evaluation=evaluation)
    action = ResultAction.objects.get(result=result, kind="retrain")
    client.force_login(world["org_b"])
    assert (
        client.post(reverse("evaluations:action_decide", args=[action.pk]), {"confirm": "1", "reason": "x"}).status_code
        == 404
    )
    client.force_login(world["org_a"])
    response = client.post(
        reverse("evaluations:action_decide", args=[action.pk]), {"confirm": "1", "reason": "限期一个月回炉培训"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "confirmed"


def test_lecture_list_offers_to_open_evaluations_in_scope(client, world):
    client.force_login(world["org_a"])
    assert [lecture.pk for lecture in client.get(reverse("evaluations:lecture_list")).context["page"]] == [
        world["lecture"].pk
    ]
    client.force_login(world["org_b"])
    assert list(client.get(reverse("evaluations:lecture_list")).context["page"]) == []
    client.force_login(world["lecturer_user"])
    assert client.get(reverse("evaluations:lecture_list")).status_code == 403


def test_lecture_list_query_count_is_constant(client, world):
    client.force_login(world["org_a"])
    counts = []
    for n in (0, 2):
        for i in range(n):
            start = timezone.now() + dt.timedelta(days=3 + i)
            lecture = outreach_factories.lecture(
                course=world["course"], instructor=world["lecturer"], organization=world["organization"], start=start
            )
            survey_services.evaluation_open(lecture=lecture, by=None)
        counts.append(count_queries(client, reverse("evaluations:lecture_list")))
    assert counts[0] == counts[1]


def test_my_ratings_radar_follows_each_recomputation(client, world, evaluation):
    """The page is cached under the stamp of the instructor's results: a recomputation shows the new answers."""

    def radar() -> set:
        page = client.get(reverse("evaluations:my_ratings")).content.decode()
        data = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1))
        return {row["value"] for row in data["radar"]}

    _fill(evaluation, 9, step=4)
    result_services.result_compute(evaluation=evaluation)
    client.force_login(world["lecturer_user"])
    assert radar() == {80.0}
    assert radar() == {80.0}  # from the cache this time
    _fill(evaluation, 9, step=2)
    assert radar() == {60.0}  # scores follow each flush of the survey buffer
