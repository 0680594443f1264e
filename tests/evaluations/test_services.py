import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone

from evaluations.models import (
    Answer,
    Comment,
    DeviceVote,
    Evaluation,
    Indicator,
    LectureResult,
    RaterAssignment,
    Response,
    ResultAction,
)
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from tests import factories
from tests.conftest import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(world):
    return survey_services.evaluation_open(lecture=world["lecture"], by=world["org_a"])


def _expert(evaluation: Evaluation, score: float = 60) -> None:
    """A named expert's rating, so the counted roles carry enough weight (trainees alone carry 0.40 < 0.60)."""
    RaterAssignment.objects.create(
        evaluation=evaluation, role="expert", name="专家", submitted_at=timezone.now(), score=Decimal(str(score))
    )


def _all(evaluation: Evaluation, step: int) -> dict[int, int]:
    return {
        pk: step for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    }


def _answer(evaluation, step=4, satisfaction=4, device=None, seconds=60.0, **kw):
    """Submit one sheet and return its response (tests run with k = 0: the buffer is flushed at once)."""
    before = set(Response.objects.filter(evaluation=evaluation).values_list("pk", flat=True))
    survey_services.survey_submit(
        evaluation=evaluation,
        device_id=device or uuid.uuid4().hex,
        values=kw.pop("values", None) or _all(evaluation, step),
        satisfaction=satisfaction,
        seconds=seconds,
        **kw,
    )
    return Response.objects.exclude(pk__in=before).get(evaluation=evaluation)


def test_default_indicator_weights_sum_to_one(evaluation):
    weights = list(Indicator.objects.filter(dimension__system=evaluation.system).values_list("weight", flat=True))
    assert sum(weights) == Decimal("1.000")


def test_weight_check_shows_the_current_sum():
    with refused("weights_sum") as info:
        survey_services.indicator_weights_check([Decimal("0.5"), Decimal("0.4")])
    assert "0.900" in info.value.messages[0]


def test_opening_twice_returns_the_same_evaluation(world, evaluation):
    assert survey_services.evaluation_open(lecture=world["lecture"], by=None) == evaluation


def test_survey_window_is_from_start_until_72_hours(world, evaluation):
    assert evaluation.closes_at - evaluation.opens_at == dt.timedelta(hours=72)


def test_answer_after_window_is_refused_and_nothing_stored(evaluation):
    with refused("survey_closed"):
        _answer(evaluation, now=evaluation.closes_at + dt.timedelta(seconds=1))
    assert Response.objects.count() == 0


def test_answer_before_lecture_start_is_refused(evaluation):
    with refused("survey_closed"):
        _answer(evaluation, now=evaluation.opens_at - dt.timedelta(minutes=1))


def test_second_answer_from_same_device_is_refused(evaluation):
    _answer(evaluation, device="phone-1")
    with pytest.raises(survey_services.AlreadyAnswered):
        _answer(evaluation, device="phone-1", step=2)
    assert Response.objects.count() == 1


def test_answer_score_is_twenty_points_per_step(evaluation):
    response = _answer(evaluation, step=4)
    assert response.score == Decimal("80.000")


def test_speeder_with_equal_items_is_dropped_but_counted(evaluation):
    response = _answer(evaluation, step=5, seconds=8)
    assert (response.valid, response.dropped_reason) == (False, "speeder")


def test_all_fives_taking_time_is_only_flagged(evaluation):
    response = _answer(evaluation, step=5, seconds=90)
    assert (response.valid, response.uniform) == (True, True)


def test_too_little_answered_is_invalid(evaluation):
    first_two = dict(list(_all(evaluation, 4).items())[:2])
    response = _answer(evaluation, values=first_two)
    assert (response.valid, response.dropped_reason) == (False, "too_little")


def test_forged_or_altered_token_is_refused(evaluation):
    token = survey_services.survey_token(evaluation)
    with pytest.raises(Evaluation.DoesNotExist):
        # One character of the signature changed (it must differ from the one it replaces: 1 token in 64 ends "A?").
        survey_services.survey_resolve(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    forged = signing.dumps({"e": evaluation.pk, "s": "guess"}, salt=survey_services.SURVEY_SALT)
    with pytest.raises(Evaluation.DoesNotExist):
        survey_services.survey_resolve(forged)


def test_answer_tables_have_no_column_linking_to_a_person():
    columns = {f.column for f in Response._meta.get_fields() if hasattr(f, "column") and f.column}
    assert columns.isdisjoint(
        {"user_id", "ip", "ip_address", "user_agent", "created_at", "submitted_at", "device_hash"}
    )
    assert {f.column for f in DeviceVote._meta.concrete_fields} == {"id", "evaluation_id", "device_hash"}
    assert Response._meta.pk.get_internal_type() == "UUIDField"


def test_comment_is_stored_apart_from_the_answer(evaluation):
    _answer(evaluation, comment="案例很生动")
    comment = Comment.objects.get()
    assert {f.name for f in Comment._meta.concrete_fields}.isdisjoint({"response", "response_id"})
    assert comment.state == Comment.State.PENDING


def test_device_hash_cannot_be_matched_across_lectures(world, evaluation):
    other = factories.instructor(region=world["county_a"], name="王五")
    assert (
        survey_services.device_hash(evaluation, "phone")
        != survey_services.device_hash(Evaluation(pk=evaluation.pk + 1), "phone")
        and other
    )


def _score_roles(world, evaluation, *, trainees: int, trainee_step: int, expert: Decimal | None = None):
    for _ in range(trainees):
        _answer(evaluation, step=trainee_step)
    if expert is not None:
        judge = factories.user(role="judge")
        assignment = survey_services.rater_assign(evaluation=evaluation, role="expert", user=judge, by=world["org_a"])
        survey_services.rater_submit(assignment=assignment, values={k: expert for k in _all(evaluation, 0)})


def test_result_with_trainees_and_expert(world, evaluation):
    _score_roles(world, evaluation, trainees=10, trainee_step=4, expert=Decimal("70"))
    result = result_services.result_compute(evaluation=evaluation)
    # (0.40·80 + 0.25·70) / 0.65 = 76.15
    assert (result.score, result.insufficient, result.trainee_n) == (Decimal("76.15"), False, 10)


def test_seven_trainees_is_insufficient_data(world, evaluation):
    _score_roles(world, evaluation, trainees=7, trainee_step=5, expert=Decimal("90"))
    result = result_services.result_compute(evaluation=evaluation)
    assert result.insufficient is True


def test_recomputing_gives_identical_numbers(world, evaluation):
    _score_roles(world, evaluation, trainees=9, trainee_step=3, expert=Decimal("65"))
    first = result_services.result_compute(evaluation=evaluation)
    second = result_services.result_compute(evaluation=evaluation)
    assert (first.score, first.sr, first.sr_upper, first.explanation) == (
        second.score,
        second.sr,
        second.sr_upper,
        second.explanation,
    )


def test_low_satisfaction_raises_red_flag_and_proposes_consequences(world, evaluation):
    for i in range(12):
        _answer(evaluation, step=2, satisfaction=1 if i < 8 else 4)
    _expert(evaluation)
    result = result_services.result_compute(evaluation=evaluation)
    kinds = set(ResultAction.objects.filter(result=result).values_list("kind", flat=True))
    assert result.flag == "red"
    assert kinds == {"rectify", "retrain"}


def test_confirming_rectification_takes_the_course_off_the_shelf(world, evaluation):
    for _ in range(12):
        _answer(evaluation, step=2, satisfaction=1)
    _expert(evaluation)
    result = result_services.result_compute(evaluation=evaluation)
    action = ResultAction.objects.get(result=result, kind="rectify")
    result_services.action_decide(action=action, confirm=True, reason="满意度过低", by=world["org_a"])
    world["course"].refresh_from_db()
    assert world["course"].status == "rectification"


def test_dismissing_changes_nothing(world, evaluation):
    for _ in range(12):
        _answer(evaluation, step=2, satisfaction=1)
    _expert(evaluation)
    result = result_services.result_compute(evaluation=evaluation)
    action = ResultAction.objects.get(result=result, kind="rectify")
    result_services.action_decide(action=action, confirm=False, reason="个别场次，情况特殊", by=world["org_a"])
    world["course"].refresh_from_db()
    assert world["course"].status == "active"


def test_nobody_rates_their_own_lecture(world, evaluation):
    with refused("own_lecture"):
        survey_services.rater_assign(
            evaluation=evaluation, role="expert", user=world["lecturer_user"], by=world["org_a"]
        )


def test_peer_from_own_group_is_refused(world, evaluation):
    with refused("peer_same_group"):
        survey_services.rater_assign(
            evaluation=evaluation, role="peer", user=world["colleague_user"], by=world["org_a"]
        )


def test_peer_from_another_group_is_accepted(world, evaluation):
    outsider_user = factories.user(username="outsider")
    factories.instructor(region=world["county_b"], name="赵六", user=outsider_user)
    survey_services.rater_assign(evaluation=evaluation, role="peer", user=outsider_user, by=world["org_a"])
    assert list(evaluation.assignments.values_list("user__username", "role")) == [("outsider", "peer")]


def test_rater_cannot_change_scores_after_close(world, evaluation):
    judge = factories.user(role="judge")
    assignment = survey_services.rater_assign(evaluation=evaluation, role="expert", user=judge, by=world["org_a"])
    with refused("scoring_closed"):
        survey_services.rater_submit(
            assignment=assignment,
            values={k: Decimal(80) for k in _all(evaluation, 0)},
            now=evaluation.closes_at + dt.timedelta(minutes=1),
        )


def test_quality_is_written_to_the_registry(world, evaluation):
    _score_roles(world, evaluation, trainees=10, trainee_step=4, expert=Decimal("70"))
    result = result_services.result_compute(evaluation=evaluation)
    quality = result_services.instructor_quality_refresh(instructor=world["lecturer"], year=result.year)
    figures = world["lecturer"].year_figures.get(year=result.year)
    # one lecture at 76.15; the tier mean is the same lecture, so shrinkage keeps 76.15
    assert (quality, figures.quality, figures.scored_lectures) == (Decimal("76.15"), Decimal("76.15"), 1)


def test_removing_a_comment_needs_a_reason(world, evaluation):
    _answer(evaluation, comment="不相关的广告")
    with refused("reason_required"):
        result_services.comment_moderate(comment=Comment.objects.get(), state="removed", reason="", by=world["org_a"])


@pytest.mark.django_db(transaction=True)
def test_three_hundred_concurrent_phones_lose_nothing_and_duplicate_nothing(world):
    """Against PostgreSQL: 300 submissions from 300 threads (and 50 retried POSTs) give exactly 300 rows."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import close_old_connections

    from tests.conftest import need

    need(connection.vendor == "postgresql", "concurrent submissions need PostgreSQL")
    evaluation = survey_services.evaluation_open(lecture=world["lecture"], by=None)
    values = _all(evaluation, 4)

    def submit(device: str) -> str:
        close_old_connections()
        try:
            survey_services.survey_submit(
                evaluation=evaluation, device_id=device, values=values, satisfaction=4, seconds=60
            )
            return "ok"
        except survey_services.AlreadyAnswered:
            return "dup"
        finally:
            connection.close()

    devices = [f"phone-{n}" for n in range(300)] + [f"phone-{n}" for n in range(50)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(submit, devices))
    assert (outcomes.count("ok"), outcomes.count("dup")) == (300, 50)
    assert Response.objects.filter(evaluation=evaluation).count() == 300
    assert Answer.objects.filter(response__evaluation=evaluation).count() == 300 * len(values)
    assert timezone.now()


def test_refresh_recomputes_open_evaluations_and_skips_old_ones(world, evaluation):
    _answer(evaluation)
    old_lecture_start = timezone.now() - dt.timedelta(days=30)
    from tests.outreach import factories as outreach_factories

    old = outreach_factories.lecture(
        course=world["course"],
        instructor=world["lecturer"],
        organization=world["organization"],
        start=old_lecture_start,
    )
    old_evaluation = survey_services.evaluation_open(lecture=old, by=None)
    assert result_services.results_refresh_recent() == 1
    assert evaluation.result.trainee_n == 1
    assert not LectureResult.objects.filter(evaluation=old_evaluation).exists()


def test_leniency_correction_is_shown_beside_the_uncorrected_score(world, evaluation):
    from tests.outreach import factories as outreach_factories

    judge = factories.user(role="judge", username="lenient")
    second = outreach_factories.lecture(
        course=world["course"],
        instructor=world["lecturer"],
        organization=world["organization"],
        start=timezone.now() - dt.timedelta(hours=30),
    )
    other = survey_services.evaluation_open(lecture=second, by=None)
    for target in (evaluation, other):
        everything = {k: Decimal(90) for k in _all(target, 0)}
        survey_services.rater_submit(
            assignment=survey_services.rater_assign(evaluation=target, role="expert", user=judge, by=None),
            values=everything,
        )
        strict = survey_services.rater_assign(evaluation=target, role="expert", name="外聘专家", by=None)
        survey_services.rater_submit(assignment=strict, values={k: Decimal(70) for k in everything})
    for _ in range(10):
        _answer(evaluation, step=4)
    result = result_services.result_compute(evaluation=evaluation)
    # judge is 20 above the other expert on 2 lectures: b = 40 / (2 + 5) = 5.714; expert mean 80 → 77.14
    # uncorrected (0.4·80 + 0.25·80)/0.65 = 80.00; corrected (0.4·80 + 0.25·77.14)/0.65 = 78.90
    assert (result.score, result.explanation["leniency_score"]) == (Decimal("80.00"), 78.9)
