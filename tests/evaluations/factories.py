"""Builders of evaluation data for the tests: lectures with stored results, review cycles."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from courses.models import Course
from evaluations import scoring
from evaluations.models import (
    Competition,
    Evaluation,
    JudgeAssignment,
    JudgeScore,
    LectureResult,
    RaterAssignment,
    ReviewCycle,
    ReviewProposal,
    ScoringSettings,
)
from evaluations.scoring import review_rules as review_rules
from evaluations.survey.services import indicator_system_current
from instructors.models import Instructor
from outreach.models import Lecture
from tests.outreach import factories as of

# --- Lectures with results, cycles ---------------------------------------------------------------------------------

YEAR = 2029
_seq = itertools.count(1)


def at(month: int, day: int = 10, year: int = YEAR) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 9))


def no_shrink() -> ScoringSettings:
    """Settings whose quality is the plain hours-weighted mean, so a test reads Q straight off its lectures."""
    ScoringSettings.objects.filter(is_current=True).update(is_current=False)
    return ScoringSettings.objects.create(
        version=100 + next(_seq), params={**scoring.DEFAULTS, "shrink_k": 0}, is_current=True
    )


def lecture_with_result(
    *,
    instructor: Instructor,
    course: Course | None = None,
    start: dt.datetime | None = None,
    score: float | None = 80,
    sr: float | None = 0.9,
    sr_n: int = 20,
    flag: str = "",
    hours: str = "2",
    insufficient: bool = False,
    experts: list[float] = (),
) -> LectureResult:
    course = course or of.course(lead=instructor)
    organization = of.organization(region=instructor.region)
    start = start or at(3)
    lecture = Lecture.objects.create(
        instructor=instructor,
        course=course,
        start=start,
        end=start + dt.timedelta(hours=2),
        organization=organization,
        county=organization.county,
        hours=Decimal(hours),
        status=Lecture.Status.DELIVERED,
    )
    from evaluations.survey.services import scoring_current

    settings_row = scoring_current()
    system = indicator_system_current()
    evaluation = Evaluation.objects.create(
        lecture=lecture, system=system, scoring=settings_row, opens_at=start, closes_at=start + dt.timedelta(hours=72)
    )
    for value in experts:
        RaterAssignment.objects.create(
            evaluation=evaluation,
            role="expert",
            name=f"专家{next(_seq)}",
            submitted_at=start,
            score=Decimal(str(value)),
        )
    return LectureResult.objects.create(
        evaluation=evaluation,
        lecture=lecture,
        instructor=instructor,
        course=course,
        year=start.year,
        scoring=settings_row,
        system=system,
        score=None if score is None else Decimal(str(score)),
        insufficient=insufficient,
        trainee_n=sr_n,
        sr_n=sr_n,
        sr=None if sr is None else Decimal(str(sr)),
        flag=flag,
    )


def cycle(region, *, start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 12, 31), **extra) -> ReviewCycle:
    return ReviewCycle.objects.create(
        region=region, period_start=start, period_end=end, due_at=extra.pop("due_at", timezone.now()), **extra
    )


def rows(c: ReviewCycle) -> list[tuple]:
    return list(
        ReviewProposal.objects.filter(cycle=c)
        .order_by("instructor_id")
        .values_list("pk", "instructor_id", "proposal", "rule", "quality", "figures")
    )


def good(person: Instructor, n: int = 2, score: float = 80, **extra) -> list[LectureResult]:
    return [lecture_with_result(instructor=person, score=score, start=at(2 + i), **extra) for i in range(n)]


def make_competition(region, *, year=2029, phase=Competition.Phase.FINAL, **extra) -> Competition:
    today = timezone.localdate()
    return Competition.objects.create(
        name=f"{year}年十佳课程擂台赛",
        year=year,
        region=region,
        phase=phase,
        registration_ends=today - dt.timedelta(days=30),
        preliminary_ends=today - dt.timedelta(days=10),
        final_ends=today + dt.timedelta(days=10),
        publicity_ends=today + dt.timedelta(days=20),
        **extra,
    )


def judge_scores(assignment: JudgeAssignment, value: float, effect: float | None = None) -> None:
    for criterion in JudgeScore.Criterion.values:
        v = effect if criterion == "effect" and effect is not None else value
        JudgeScore.objects.create(assignment=assignment, criterion=criterion, value=Decimal(str(v)))


def formset_data(formset, values: dict[int, dict]) -> dict:
    """POST data for one of the competition's row formsets (from the page's context): every row keyed by its
    entry or assignment, ``values[pk]`` filled in, the other rows left empty."""
    prefix, key = formset.prefix, formset.key
    data = {
        f"{prefix}-TOTAL_FORMS": len(formset.forms),
        f"{prefix}-INITIAL_FORMS": len(formset.forms),
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, form in enumerate(formset.forms):
        pk = form.initial[key]
        data[f"{prefix}-{i}-{key}"] = pk
        for name, value in values.get(pk, {}).items():
            data[f"{prefix}-{i}-{name}"] = value
    return data
