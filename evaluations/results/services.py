"""Computing results from the answers (grouped SQL + the pure formulas), yearly quality, moderation and consequences."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as course_services
from courses.models import Course, PremiumLibraryEntry
from evaluations import scoring
from evaluations.models import (
    Answer,
    Comment,
    Evaluation,
    FollowUp,
    LectureResult,
    PublicComment,
    RaterAssignment,
    RaterRole,
    Response,
    ResultAction,
    SessionResult,
)
from evaluations.results.quality import QualityFigures, quality_figures, year_bounds
from instructors import services as registry_services
from instructors.models import Instructor, User
from outreach.models import Lecture


def result_compute(*, evaluation: Evaluation) -> LectureResult:
    """Compute one lecture's result (see ``results_compute``)."""
    return results_compute(evaluation_ids=[evaluation.pk])[0]


@transaction.atomic
def results_compute(*, evaluation_ids: list[int]) -> list[LectureResult]:
    """Compute lecture results from the stored answers with grouped SQL aggregates, and propose consequences.

    One pass for any number of lectures (a single lecture, a nightly batch, the demo year): a fixed number of
    queries, then the pure formulas of ``scoring``. Recomputing with the same answers and settings gives identical
    numbers. Lectures are processed in time order so that "yellow in 2 of the course's last 3 lectures" sees the
    earlier lectures of the same batch.
    """
    evaluations = list(
        Evaluation.objects.filter(pk__in=evaluation_ids, lecture__isnull=False)
        .select_related("lecture__course", "lecture__instructor", "scoring", "system")
        .order_by("lecture__start", "pk")
    )
    ids = [e.pk for e in evaluations]
    trainee = _trainee_aggregates(ids)
    raters: dict[int, dict[str, tuple[int, float]]] = defaultdict(dict)
    for row in (
        RaterAssignment.objects.filter(evaluation_id__in=ids, submitted_at__isnull=False)
        .values("evaluation_id", "role")
        .annotate(n=Count("pk"), mean=Avg("score"))
        .order_by()
    ):
        raters[row["evaluation_id"]][row["role"]] = (row["n"], float(row["mean"]))
    lenient = _leniency_corrected(ids, evaluations[0].scoring.merged if evaluations else scoring.DEFAULTS)
    dimensions = _dimension_means(ids)
    history: dict[int, list[tuple]] = defaultdict(list)
    for course_id, start, yellow, lecture_id in (
        LectureResult.objects.filter(course_id__in={e.lecture.course_id for e in evaluations})
        .exclude(evaluation_id__in=ids)
        .values_list("course_id", "lecture__start", "sr_yellow", "lecture_id")
    ):
        history[course_id].append((start, yellow, lecture_id))
    existing = {r.evaluation_id: r for r in LectureResult.objects.filter(evaluation_id__in=ids)}
    results = []
    for evaluation in evaluations:
        result = existing.get(evaluation.pk) or LectureResult(evaluation=evaluation)
        _fill_result(
            result, evaluation, trainee.get(evaluation.pk), raters[evaluation.pk], dimensions[evaluation.pk], history
        )
        if lenient.get(evaluation.pk):
            corrected = scoring.lecture_score(
                {RaterRole.TRAINEE: _trainee_stat(trainee.get(evaluation.pk)), **lenient[evaluation.pk]},
                evaluation.scoring.merged,
            )
            result.explanation["leniency_score"] = _r(corrected.score)
        results.append(result)
    fields = [f.name for f in LectureResult._meta.concrete_fields if f.name not in ("id", "evaluation")]
    LectureResult.objects.bulk_update([r for r in results if r.pk], fields, batch_size=1000)
    LectureResult.objects.bulk_create([r for r in results if not r.pk], batch_size=1000)
    _propose_actions(results)
    return results


@transaction.atomic
def session_results_compute(*, evaluation_ids: list[int]) -> list[SessionResult]:
    """Compute training-session results (trainees only, see ``scoring.session_score``): two grouped queries for any
    number of sessions, then the pure formulas; recomputing gives identical numbers."""
    evaluations = list(
        Evaluation.objects.filter(pk__in=evaluation_ids, session__isnull=False)
        .select_related("session", "scoring", "system")
        .order_by("session__starts_at", "pk")
    )
    ids = [e.pk for e in evaluations]
    trainee = _trainee_aggregates(ids)
    dimensions = _dimension_means(ids)
    existing = {r.evaluation_id: r for r in SessionResult.objects.filter(evaluation_id__in=ids)}
    results = []
    for evaluation in evaluations:
        stats = trainee.get(evaluation.pk) or _NO_TRAINEES
        score = scoring.session_score(_trainee_stat(stats), evaluation.scoring.merged)
        result = existing.get(evaluation.pk) or SessionResult(evaluation=evaluation)
        result.session = evaluation.session
        result.year = timezone.localtime(evaluation.session.starts_at).year
        sat = _fill_trainee_figures(result, evaluation, stats, score, dimensions[evaluation.pk], min_counted_weight=1.0)
        result.satisfied_n = sat.satisfied
        results.append(result)
    fields = [f.name for f in SessionResult._meta.concrete_fields if f.name not in ("id", "evaluation")]
    SessionResult.objects.bulk_update([r for r in results if r.pk], fields, batch_size=1000)
    SessionResult.objects.bulk_create([r for r in results if not r.pk], batch_size=1000)
    return results


def _trainee_aggregates(ids: list[int]) -> dict[int, dict]:
    """Per evaluation: valid answer count and mean, dropped and uniform counts, satisfaction counts (one query)."""
    return {
        row["evaluation_id"]: row
        for row in Response.objects.filter(evaluation_id__in=ids)
        .values("evaluation_id")
        .annotate(
            valid_n=Count("pk", filter=Q(valid=True)),
            mean=Avg("score", filter=Q(valid=True)),
            dropped_too_little=Count("pk", filter=Q(dropped_reason="too_little")),
            dropped_speeder=Count("pk", filter=Q(dropped_reason="speeder")),
            uniform=Count("pk", filter=Q(valid=True, uniform=True)),
            sr_n=Count("pk", filter=Q(valid=True, satisfaction__isnull=False)),
            satisfied=Count("pk", filter=Q(valid=True, satisfaction__gte=3)),
        )
        .order_by()
    }


def _dimension_means(ids: list[int]) -> dict[int, dict[str, float]]:
    """Per evaluation and dimension: the mean 1–5 answer of valid sheets (one query)."""
    dimensions: dict[int, dict[str, float]] = defaultdict(dict)
    for row in (
        Answer.objects.filter(response__evaluation_id__in=ids, response__valid=True)
        .values("response__evaluation_id", "indicator__dimension__name", "indicator__dimension__order")
        .annotate(mean=Avg("value"))
        .order_by("response__evaluation_id", "indicator__dimension__order")
    ):
        dimensions[row["response__evaluation_id"]][row["indicator__dimension__name"]] = row["mean"]
    return dimensions


_NO_TRAINEES = {
    "valid_n": 0,
    "mean": None,
    "dropped_too_little": 0,
    "dropped_speeder": 0,
    "uniform": 0,
    "sr_n": 0,
    "satisfied": 0,
}


def _trainee_stat(trainee: dict | None) -> tuple[int, float | None]:
    if not trainee:
        return 0, None
    return trainee["valid_n"], float(trainee["mean"]) if trainee["mean"] is not None else None


def _leniency_corrected(ids: list[int], params: dict) -> dict[int, dict[str, tuple[int, float]]]:
    """Named raters' role means after removing each rater's leniency offset b = Σ(x − mean of the others)/(k + 5).

    Shown beside the score as optional information; decisions use the uncorrected score.
    """
    submitted = RaterAssignment.objects.filter(submitted_at__isnull=False, score__isnull=False)
    batch = list(
        submitted.filter(evaluation_id__in=ids, user__isnull=False).values_list(
            "evaluation_id", "role", "user_id", "score"
        )
    )
    if not batch:
        return {}
    users = {user_id for _e, _r, user_id, _s in batch}
    history = list(submitted.filter(user_id__in=users).values_list("user_id", "evaluation_id", "score"))
    totals = {
        row["evaluation_id"]: (float(row["total"]), row["n"])
        for row in submitted.filter(evaluation_id__in={e for _u, e, _s in history} | set(ids))
        .values("evaluation_id")
        .annotate(total=Sum("score"), n=Count("pk"))
        .order_by()
    }
    deviations: dict[int, list[float]] = defaultdict(list)
    for user_id, evaluation_id, score in history:
        total, n = totals[evaluation_id]
        if n > 1:
            x = float(score)
            deviations[user_id].append(x - (total - x) / (n - 1))
    offsets = {user_id: scoring.leniency_offset(values, params) for user_id, values in deviations.items()}
    if not any(offsets.values()):
        return {}
    per_role: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in submitted.filter(evaluation_id__in=ids).values_list("evaluation_id", "role", "user_id", "score"):
        evaluation_id, role, user_id, score = row
        per_role[evaluation_id][role].append(float(score) - offsets.get(user_id, 0.0))
    return {
        evaluation_id: {role: (len(values), sum(values) / len(values)) for role, values in roles.items()}
        for evaluation_id, roles in per_role.items()
    }


def _fill_result(result, evaluation, trainee, role_rows, dimension_means, history) -> None:
    params = evaluation.scoring.merged
    lecture = evaluation.lecture
    trainee = trainee or _NO_TRAINEES
    role_stats: dict[str, tuple[int, float | None]] = {RaterRole.TRAINEE: _trainee_stat(trainee), **role_rows}
    lecture_score = scoring.lecture_score(role_stats, params)
    result.lecture = lecture
    result.instructor = lecture.instructor
    result.course = lecture.course
    result.year = timezone.localtime(lecture.start).year
    sat = _fill_trainee_figures(result, evaluation, trainee, lecture_score, dimension_means)
    earlier = sorted((item for item in history[lecture.course_id] if item[0] < lecture.start), key=lambda item: item[0])
    window = list(reversed(earlier[-(params["yellow_history"][1] - 1) :]))
    previous = [item[1] for item in window]
    # Too few answers decide nothing: no flag, no yellow that counts toward a later red, no consequence.
    result.flag, result.flag_rule, result.sr_yellow = scoring.lecture_flag(sat, lecture_score, previous, params)
    history[lecture.course_id].append((lecture.start, result.sr_yellow, lecture.pk))
    result.explanation.update(
        previous_yellow=previous,
        previous_yellow_lectures=[item[2] for item in window if item[1]],
        flag_rule=result.flag_rule,
        answers_needed=answers_needed(score=lecture_score),
    )


def answers_needed(*, score: scoring.LectureScore) -> int:
    """How many more valid trainee answer sheets the lecture needed to reach the trainee minimum (0 when reached)."""
    trainee = next((r for r in score.roles if r.role == RaterRole.TRAINEE), None)
    return max(0, trainee.minimum - trainee.n) if trainee else 0


def _fill_trainee_figures(
    result, evaluation, trainee: dict, score: scoring.LectureScore, dimension_means: dict, min_counted_weight=None
):
    """What lecture and session results share: the score, the trainee counts, satisfaction with its bounds, the
    dimension scores, the versions and the explanation. Returns the satisfaction figures."""
    params = evaluation.scoring.merged
    if min_counted_weight is None:
        min_counted_weight = params["min_counted_weight"]
    sat = scoring.satisfaction(trainee["satisfied"], trainee["sr_n"], params)
    step = params["trainee_points_per_step"]
    result.scoring = evaluation.scoring
    result.system = evaluation.system
    result.score = scoring.q2(score.score)
    result.insufficient = score.insufficient
    result.trainee_n = trainee["valid_n"]
    result.dropped_n = trainee["dropped_too_little"] + trainee["dropped_speeder"]
    result.uniform_n = trainee["uniform"]
    result.sr_n = sat.n
    result.sr, result.sr_lower, result.sr_upper = _d4(sat.rate), _d4(sat.lower), _d4(sat.upper)
    result.sr_yellow = scoring.is_yellow(sat, params)
    result.computed_at = timezone.now()
    result.dimension_scores = {name: float(scoring.q2(mean * step)) for name, mean in dimension_means.items()}
    result.explanation = {
        "scoring_version": evaluation.scoring.version,
        "system": str(evaluation.system),
        "roles": [
            {
                "role": r.role,
                "n": r.n,
                "mean": _r(r.mean),
                "weight": r.weight,
                "minimum": r.minimum,
                "counted": r.counted,
            }
            for r in score.roles
        ],
        "counted_weight": round(score.counted_weight, 4),
        "min_counted_weight": min_counted_weight,
        "insufficient_reason": score.reason,
        "formula": _formula(score),
        "dropped": {"too_little": trainee["dropped_too_little"], "speeder": trainee["dropped_speeder"]},
        "uniform_flagged": trainee["uniform"],
        "satisfaction": {
            "n": sat.n,
            "satisfied": sat.satisfied,
            "z": params["wilson_z"],
            "threshold": params["sr_threshold"],
            "min_n": params["sr_min_n"],
        },
    }
    return sat


def _r(value: float | None) -> float | None:
    return None if value is None else float(scoring.q2(value))


def _d4(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 4)))


def _formula(score: scoring.LectureScore) -> str:
    counted = [r for r in score.roles if r.counted]
    if not counted:
        return ""
    top = " + ".join(f"{r.weight:g}×{r.mean:.2f}" for r in counted)
    bottom = " + ".join(f"{r.weight:g}" for r in counted)
    return f"({top}) / ({bottom}) = {score.score:.2f}"


def _propose_actions(results: list[LectureResult]) -> None:
    """Red results propose rectification and retraining; excellent ones promotion. Idempotent (unique per kind)."""
    deadline = timezone.localdate() + dt.timedelta(days=30)
    proposals = []
    for result in results:
        figures = {
            "score": str(result.score),
            "sr": str(result.sr),
            "sr_upper": str(result.sr_upper),
            "n": result.sr_n,
            "flag_rule": result.flag_rule,
        }
        if result.flag == LectureResult.Flag.RED and result.usable:
            proposals += [
                ResultAction(result=result, kind=kind, rule=result.flag_rule, figures=figures, deadline=deadline)
                for kind in (ResultAction.Kind.RECTIFY, ResultAction.Kind.RETRAIN)
            ]
        elif result.usable and result.score >= 90 and result.sr is not None and result.sr >= Decimal("0.95"):
            proposals.append(
                ResultAction(result=result, kind=ResultAction.Kind.PROMOTE, rule="excellent_lecture", figures=figures)
            )
    ResultAction.objects.bulk_create(proposals, batch_size=1000, ignore_conflicts=True)
    # A recomputation that no longer supports a proposal (e.g. the lecture turned out to have too few answers)
    # withdraws it while nobody has decided it yet.
    proposed = {(p.result_id, p.kind) for p in proposals}
    ids = [r.pk for r in results]
    for start in range(0, len(ids), 5000):
        stale = [
            pk
            for pk, result_id, kind in ResultAction.objects.filter(
                result_id__in=ids[start : start + 5000], status=ResultAction.Status.PROPOSED
            ).values_list("pk", "result_id", "kind")
            if (result_id, kind) not in proposed
        ]
        if stale:
            ResultAction.objects.filter(pk__in=stale).delete()


def instructor_quality_refresh(*, instructor: Instructor, year: int) -> Decimal | None:
    """One instructor's yearly quality (see ``instructors_quality_refresh``)."""
    return instructors_quality_refresh(year=year, instructor_ids=[instructor.pk]).get(instructor.pk)


def instructors_quality_refresh(*, year: int, instructor_ids: list[int] | None = None) -> dict[int, Decimal | None]:
    """Store the yearly quality Q (``quality_figures`` over the calendar year) in the registry's yearly figures,
    where the profile, 我的评价, the exports and the review read it."""
    start, end = year_bounds(year)
    if instructor_ids is None:
        instructor_ids = list(
            LectureResult.objects.filter(year=year).values_list("instructor_id", flat=True).distinct().order_by()
        )
    out: dict[int, Decimal | None] = {}
    for first in range(0, len(instructor_ids), 2000):
        chunk = instructor_ids[first : first + 2000]
        figures = quality_figures(start=start, end=end, year=year, instructor_ids=chunk)
        for person in chunk:
            fig = figures.get(person) or QualityFigures()
            out[person] = fig.quality
            registry_services.instructor_record_year_figures(
                instructor_id=person, year=year, quality=fig.quality, scored_lectures=fig.k
            )
    return out


@transaction.atomic
def comment_moderate(*, comment: Comment | PublicComment, state: str, reason: str, by: User) -> Comment | PublicComment:
    """Make a comment public, private or removed; removal needs a reason. One moderation for the survey's comments
    and the public's comments on column works (same states, same reasons)."""
    if state not in (Comment.State.PUBLIC, Comment.State.PRIVATE, Comment.State.REMOVED):
        raise ValidationError(_("Unknown moderation decision."), code="unknown_decision")
    if state == Comment.State.REMOVED and not reason.strip():
        raise ValidationError(_("Please give the reason for removing the comment."), code="reason_required")
    comment.state, comment.moderation_reason = state, reason.strip()
    comment.moderated_by, comment.moderated_at = by, timezone.now()
    comment.save(update_fields=["state", "moderation_reason", "moderated_by", "moderated_at"])
    return comment


def follow_up_create(
    *, lecture: Lecture, feedback: str, improvement: str, due_on: dt.date | None, by: User
) -> FollowUp:
    """Record the feedback given to the instructor and the improvement agreed."""
    if not feedback.strip() or not improvement.strip():
        raise ValidationError(
            _("Please record both the feedback and the improvement agreed."), code="follow_up_incomplete"
        )
    return FollowUp.objects.create(
        lecture=lecture, feedback=feedback.strip(), improvement=improvement.strip(), due_on=due_on, created_by=by
    )


@transaction.atomic
def action_decide(*, action: ResultAction, confirm: bool, reason: str, by: User) -> ResultAction:
    """Confirm (and carry out through the owning app's service) or dismiss a proposed consequence."""
    locked = (
        ResultAction.objects.select_for_update().select_related("result__course", "result__lecture").get(pk=action.pk)
    )
    if locked.status != ResultAction.Status.PROPOSED:
        raise ValidationError(_("This proposal has already been decided."), code="already_decided")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give the reason for this decision."), code="reason_required")
    if confirm:
        course: Course = locked.result.course
        if locked.kind == ResultAction.Kind.RECTIFY and course.is_orderable:
            course_services.rectification_open(
                course=course,
                reason=reason,
                findings=_("Lecture of %(date)s: score %(score)s, satisfaction %(sr)s (%(rule)s).")
                % {
                    "date": timezone.localtime(locked.result.lecture.start).date().isoformat(),
                    "score": locked.figures.get("score"),
                    "sr": locked.figures.get("sr"),
                    "rule": locked.rule,
                },
                deadline=locked.deadline or timezone.localdate() + dt.timedelta(days=30),
                by=by,
            )
        elif locked.kind == ResultAction.Kind.PROMOTE:
            course_services.premium_library_add(
                course=course,
                year=locked.result.year,
                reason=PremiumLibraryEntry.Reason.ORGANIZER_SELECTION,
                by=by,
                source=_("Excellent evaluation result"),
            )
    locked.status = ResultAction.Status.CONFIRMED if confirm else ResultAction.Status.DISMISSED
    locked.decided_by, locked.decided_at, locked.decision_reason = by, timezone.now(), reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return locked


def results_refresh_recent(*, now: dt.datetime | None = None, days: int = 4) -> int:
    """Recompute results of evaluations still collecting answers or closed within ``days``; idempotent."""
    now = now or timezone.now()
    ids = list(
        Evaluation.objects.filter(opens_at__lte=now, closes_at__gte=now - dt.timedelta(days=days))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    touched: set[tuple[int, int]] = set()
    for start in range(0, len(ids), 2000):
        for result in results_compute(evaluation_ids=ids[start : start + 2000]):
            touched.add((result.year, result.instructor_id))
        session_results_compute(evaluation_ids=ids[start : start + 2000])
    for year in {year for year, _instructor in touched}:
        instructors_quality_refresh(year=year, instructor_ids=[pk for y, pk in touched if y == year])
    return len(ids)


def evaluation_results_refresh(*, evaluation_id: int) -> None:
    """Recompute one evaluation's result after its answers changed (a survey buffer flush); for a lecture also its
    instructor's yearly quality. Idempotent."""
    evaluation = Evaluation.objects.only("pk", "session_id").get(pk=evaluation_id)
    if evaluation.session_id:
        session_results_compute(evaluation_ids=[evaluation_id])
        return
    result = results_compute(evaluation_ids=[evaluation_id])[0]
    instructors_quality_refresh(year=result.year, instructor_ids=[result.instructor_id])
