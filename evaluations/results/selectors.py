"""Reads of results for the organizer's lists and the instructor's 我的评价."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Avg, Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Course, TrainingProgramme
from evaluations import scoring
from evaluations.models import (
    Answer,
    Comment,
    Evaluation,
    LectureResult,
    ResultAction,
    ReviewProposal,
    SessionResult,
)
from evaluations.results.quality import instructor_quality_explained
from evaluations.scoring.review_rules import percent
from instructors.models import Instructor, InstructorYearFigures, User
from outreach.models import Lecture


def session_result_for_user(user: User, pk: int) -> SessionResult:
    """A training session's result, for the organizers who run its programme (DoesNotExist otherwise)."""
    if not user.can_manage_registry:
        raise SessionResult.DoesNotExist
    return SessionResult.objects.select_related("session__programme", "session__topic", "scoring", "system").get(
        pk=pk, session__programme__in=TrainingProgramme.objects.managed_by(user)
    )


def training_menu_feedback(*, user: User, year: int) -> list[dict]:
    """课后反馈调整: per topic of the year's programmes, how its sessions were rated — one grouped query.

    The mean is over sessions with a usable result; the satisfaction rate pools every valid answer of the topic.
    """
    rows = list(
        SessionResult.objects.filter(year=year, session__programme__in=TrainingProgramme.objects.managed_by(user))
        .values("session__topic_id", "session__topic__name")
        .annotate(
            sessions=Count("pk"),
            usable=Count("pk", filter=Q(insufficient=False)),
            mean=Avg("score", filter=Q(insufficient=False)),
            answers=Sum("trainee_n"),
            satisfied=Sum("satisfied_n"),
            sr_n=Sum("sr_n"),
        )
        .order_by(F("mean").asc(nulls_last=True), "session__topic__name")
    )
    for row in rows:
        row["sr"] = row["satisfied"] / row["sr_n"] if row["sr_n"] else None
    return rows


def result_for_user(user: User, pk: int) -> LectureResult:
    """A lecture result: organizers within scope, the instructor for their own lectures."""
    qs = LectureResult.objects.select_related(
        "lecture__course", "lecture__organization", "instructor", "scoring", "system"
    )
    if user.can_manage_registry:
        return qs.get(pk=pk, lecture__in=Lecture.objects.visible_to(user))
    return qs.get(pk=pk, instructor__user=user, instructor__user__isnull=False)


LIST_FIELDS = (
    "lecture__start",
    "lecture__county__name",
    "instructor__name",
    "course__title",
    "year",
    "score",
    "insufficient",
    "trainee_n",
    "sr",
    "sr_lower",
    "sr_upper",
    "flag",
)


def results_list(*, user: User, filters: dict | None = None) -> QuerySet[LectureResult]:
    filters = filters or {}
    # Only the listed columns: the explanation JSON (about 1.5 kB a row) would otherwise be carried through the
    # joins and the sort of every matching result to show 50 of them (35 ms → see BENCHMARKS.md).
    qs = (
        LectureResult.objects.filter(lecture__in=Lecture.objects.visible_to(user))
        .select_related("lecture__county", "instructor", "course")
        .only(*LIST_FIELDS)
    )
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    if filters.get("flag"):
        qs = qs.filter(flag=filters["flag"])
    if filters.get("instructor"):
        qs = qs.filter(instructor_id=filters["instructor"])
    if filters.get("q"):
        qs = qs.filter(Q(instructor__name__icontains=filters["q"]) | Q(course__title__icontains=filters["q"]))
    order = {"score": "score", "-score": "-score", "date": "lecture__start", "-date": "-lecture__start"}
    return qs.order_by(order.get(filters.get("sort") or "-date", "-lecture__start"), "pk")


def my_results(*, instructor: Instructor) -> QuerySet[LectureResult]:
    return (
        LectureResult.objects.filter(instructor=instructor)
        .select_related("lecture__organization", "course", "scoring")
        .defer("explanation", "dimension_scores")
        .order_by("-lecture__start")
    )


def my_year_results(*, instructor: Instructor, year: int) -> dict:
    """我的评价's table: the instructor's rated lectures of the year, each with the answer sheets it still needs, and
    the two counts the page states: rated lectures (the rows) and scored lectures (those with enough valid sheets,
    the ones Q is made of: the same definition as the stored ``scored_lectures`` on the profile)."""
    rows = list(my_results(instructor=instructor).filter(year=year)[:500])
    for r in rows:
        r.needed = max(0, r.scoring.merged["role_min_counts"]["trainee"] - r.trainee_n) if r.insufficient else 0
    scored = sum(1 for r in rows if r.usable)
    return {"rows": rows, "rated": len(rows), "scored": scored}


def my_chart(*, instructor: Instructor, year: int, rows: list[LectureResult]) -> dict:
    """我的评价's charts: the radar by dimension of the year and the trend of the usable lecture scores."""
    trend = [
        {"date": timezone.localtime(r.lecture.start).strftime("%Y-%m-%d"), "score": float(r.score)}
        for r in reversed(rows)
        if r.usable
    ]
    return {"radar": my_dimension_averages(instructor=instructor, year=year), "trend": trend}


def my_ratings_stamp(*, instructor: Instructor, year: int) -> str:
    """The cache key of 我的评价's figures: mine (the table, the radar), the year's (the tier mean) and the stored Q
    (a competition bonus changes it), so any recomputation shows at once."""
    return "-".join(
        (
            results_stamp(LectureResult.objects.filter(instructor=instructor)),
            results_stamp(LectureResult.objects.filter(year=year)),
            quality_stamp(instructor=instructor, year=year),
        )
    )


def results_stamp(results: QuerySet[LectureResult]) -> str:
    """When these results were last computed (one index lookup): part of a cache key, so that any computation of
    any of them makes the cached figure stale by itself, whichever process computed it. (Results are never edited
    by hand, and an evaluation with answers cannot be deleted through the portal: lectures are protected.)"""
    latest = results.aggregate(latest=Max("computed_at"))["latest"]
    return str(latest.timestamp()) if latest else "0"


def _cached(key: str, compute):
    """A figure from the cache when its key (which carries the data's stamp) is there; the cache being down only
    costs the computation."""
    try:
        value = cache.get(key)
    except Exception:
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=24 * 3600)
        except Exception:  # noqa: S110 - a cache outage must not break the page
            pass
    return value


def my_year_summary(*, instructor: Instructor, year: int) -> dict:
    """The instructor's year beside the mean of their tier (never a named colleague).

    The tier mean aggregates every result of the tier and year: cached under the stamp of those results."""
    usable = LectureResult.objects.filter(year=year, insufficient=False)
    mine = usable.filter(instructor=instructor).aggregate(mean=Avg("score"), n=Count("pk"), sr=Avg("sr"))
    year_results = LectureResult.objects.filter(year=year)
    key = f"eval:tier-mean:{instructor.tier}:{year}:{results_stamp(year_results)}"
    tier = _cached(
        key, lambda: usable.filter(instructor__tier=instructor.tier).aggregate(mean=Avg("score"), sr=Avg("sr"))
    )
    return {"mine": mine, "tier": tier}


def my_dimension_averages(*, instructor: Instructor, year: int) -> list[dict]:
    """Radar data: the instructor's mean per dimension over their valid answers of the year (SQL), cached under the
    stamp of the instructor's results of the year (answers count once their lecture's result is computed)."""
    stamp = results_stamp(LectureResult.objects.filter(instructor=instructor, year=year))
    return _cached(
        f"eval:radar:{instructor.pk}:{year}:{stamp}", lambda: _dimension_averages(instructor=instructor, year=year)
    )


def _dimension_averages(*, instructor: Instructor, year: int) -> list[dict]:
    rows = (
        Answer.objects.filter(
            response__evaluation__lecture__instructor=instructor,
            response__valid=True,
            response__evaluation__result__year=year,
        )
        .values("indicator__dimension__name", "indicator__dimension__order")
        .annotate(mean=Avg("value"))
        .order_by("indicator__dimension__order")
    )
    return [{"name": r["indicator__dimension__name"], "value": round(float(r["mean"]) * 20, 1)} for r in rows]


def indicator_distribution(*, evaluation: Evaluation) -> list[dict]:
    """For each indicator the count of each answer 1–5 (bars), in one grouped query."""
    rows = (
        Answer.objects.filter(response__evaluation=evaluation, response__valid=True)
        .values("indicator_id", "indicator__name", "indicator__dimension__order", "indicator__order", "value")
        .annotate(n=Count("pk"))
        .order_by("indicator__dimension__order", "indicator__order", "value")
    )
    table: dict[int, dict] = {}
    for row in rows:
        entry = table.setdefault(row["indicator_id"], {"name": row["indicator__name"], "counts": [0, 0, 0, 0, 0]})
        entry["counts"][row["value"] - 1] = row["n"]
    for entry in table.values():
        total = sum(entry["counts"]) or 1
        entry["percents"] = [round(c * 100 / total) for c in entry["counts"]]
    return list(table.values())


def comments_for(*, evaluation: Evaluation, user: User) -> QuerySet[Comment]:
    """Organizers see every comment; the instructor only those made public."""
    qs = evaluation.comments.all()
    if user.can_manage_registry:
        return qs.exclude(state=Comment.State.REMOVED)
    return qs.filter(state=Comment.State.PUBLIC)


def moderation_queue(*, user: User) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(state=Comment.State.PENDING, evaluation__lecture__in=Lecture.objects.visible_to(user))
        .select_related(
            "evaluation__lecture__course", "evaluation__lecture__instructor", "evaluation__lecture__organization"
        )
        .order_by("pk")
    )


def action_list(*, user: User, status: str = "proposed") -> QuerySet[ResultAction]:
    qs = ResultAction.objects.filter(result__lecture__in=Lecture.objects.visible_to(user)).select_related(
        "result__lecture__course",
        "result__lecture__instructor",
        "result__lecture__organization",
        "result__scoring",
        "decided_by",
    )
    return qs.filter(status=status) if status else qs


FLAG_RULES = {
    "sr_upper_below_threshold": _(
        "Satisfaction clearly below %(threshold)s: even its upper one-sided 95 %% bound %(upper)s is below it "
        "(%(n)s answers)"
    ),
    "score_below_red_line": _("Score %(score)s below the red line %(red)s (%(n)s satisfaction answers)"),
    "repeated_yellow": _(
        "Yellow flag on the same course %(needed)s times within its last %(window)s lectures "
        "(satisfaction %(sr)s below %(threshold)s)"
    ),
    "sr_below_threshold": _("Satisfaction %(sr)s below %(threshold)s (%(n)s answers)"),
    "excellent_lecture": _("Score at least 90 and satisfaction at least 95 %%"),
}


def flag_text(rule: str, *, score, sr, sr_upper, n, params: dict) -> str:
    """A lecture's flag rule in words with the values it was decided on (never the rule's code)."""
    label = FLAG_RULES.get(rule)
    if label is None:
        return ""
    needed, window = params.get("yellow_history", scoring.DEFAULTS["yellow_history"])
    return str(label) % {
        "threshold": percent(params.get("sr_threshold"), 0),
        "upper": percent(_float(sr_upper), 1),
        "sr": percent(_float(sr), 1),
        "n": n,
        "score": score if score is not None else "—",
        "red": params.get("red_score"),
        "needed": needed,
        "window": window,
    }


def _float(value) -> float | None:
    return None if value in (None, "", "None") else float(value)


def result_flag_text(result: LectureResult) -> str:
    return flag_text(
        result.flag_rule,
        score=result.score,
        sr=result.sr,
        sr_upper=result.sr_upper,
        n=result.sr_n,
        params=result.scoring.merged,
    )


def yellow_lectures(result: LectureResult) -> list[LectureResult]:
    """The earlier yellow lectures of the same course a repeated-yellow red flag was built on (for links)."""
    ids = result.explanation.get("previous_yellow_lectures") or []
    if result.flag_rule != "repeated_yellow" or not ids:
        return []
    return list(LectureResult.objects.filter(lecture_id__in=ids).select_related("lecture").order_by("lecture__start"))


def private_below(params: dict) -> int:
    return int(params.get("privacy_min_answers", scoring.DEFAULTS["privacy_min_answers"]))


def my_quality(*, instructor: Instructor, year: int) -> dict:
    """我的评价's headline: the stored yearly Q (the one the profile, the review and the exports read) with how it
    was computed, and the plain mean of the usable lecture scores beside it."""
    stored = InstructorYearFigures.objects.filter(instructor=instructor, year=year).first()
    figures = instructor_quality_explained(instructor=instructor, year=year)
    return {"quality": stored.quality if stored else None, "figures": figures}


def quality_stamp(*, instructor: Instructor, year: int) -> str:
    """The stored Q itself: part of 我的评价's cache key, so a new Q (e.g. a competition bonus) shows at once."""
    stored = InstructorYearFigures.objects.filter(instructor=instructor, year=year).values_list("quality", flat=True)
    return str(stored.first())


def year_qualities(*, user: User, year: int) -> QuerySet:
    """The stored yearly Q of the instructors whose lectures this user sees (for the export), by name."""
    instructors = LectureResult.objects.filter(year=year, lecture__in=Lecture.objects.visible_to(user)).values(
        "instructor_id"
    )
    return (
        InstructorYearFigures.objects.filter(year=year, instructor_id__in=instructors)
        .order_by("instructor__pinyin", "instructor_id")
        .values("year", "instructor__name", "quality", "scored_lectures")
    )


def explain_actions(actions) -> None:
    """Each proposed consequence's rule in words with its values (``rule_text``), the settings read once each."""
    params: dict[int, dict] = {}
    for action in actions:
        result = action.result
        if result.scoring_id not in params:
            params[result.scoring_id] = result.scoring.merged
        f = action.figures
        action.rule_text = flag_text(
            action.rule,
            score=f.get("score"),
            sr=f.get("sr"),
            sr_upper=f.get("sr_upper"),
            n=f.get("n"),
            params=params[result.scoring_id],
        )


RECORD_ROWS = 5


def instructor_record(*, instructor: Instructor, user: User) -> dict:
    """The profile's links to an instructor's courses, lectures, ratings and review history, each read through the
    viewer's own scope (``visible_to``), so a section shows only what the viewer may open (an instructor their own
    rows, an organizer those of their region)."""
    courses = Course.objects.visible_to(user).filter(Q(lead_instructor=instructor) | Q(co_instructors=instructor))
    lectures = Lecture.objects.visible_to(user).filter(instructor=instructor)
    results = LectureResult.objects.filter(instructor=instructor, lecture__in=Lecture.objects.visible_to(user))
    proposals = ReviewProposal.objects.visible_to(user).filter(instructor=instructor)
    return {
        "instructor": instructor,
        "own": instructor.user_id is not None and instructor.user_id == user.pk,
        "manager": user.can_manage_registry,
        "courses": list(courses.distinct().only("pk", "title", "status").order_by("title", "pk")[:RECORD_ROWS]),
        "course_count": courses.distinct().count(),
        "lectures": list(lectures.select_related("course").order_by("-start", "pk")[:RECORD_ROWS]),
        "lecture_count": lectures.count(),
        "results": list(
            results.select_related("lecture", "course")
            .defer("explanation", "dimension_scores")
            .order_by("-lecture__start", "pk")[:RECORD_ROWS]
        ),
        "result_count": results.count(),
        "proposals": list(proposals.select_related("cycle__region").order_by("-cycle__period_end", "pk")[:RECORD_ROWS]),
    }
