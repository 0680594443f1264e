"""The one yearly quality Q of an instructor (docs/scoring.md §2.6): a read of the stored lecture results.

``instructors_quality_refresh`` stores it in the registry's yearly figures; 我的评价, the review and the exports read
the same computation, so Q is the same wherever it is shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.models import PremiumLibraryEntry
from evaluations import scoring
from evaluations.models import CompetitionResult, LectureResult
from evaluations.survey.services import scoring_current
from instructors.models import Instructor


@dataclass
class QualityFigures:
    """One instructor's yearly quality Q with every number behind it (docs/scoring.md §2.6)."""

    k: int = 0  # usable (not insufficient) scored lectures
    hours: float = 0.0
    raw: float | None = None  # hours-weighted mean of the usable lecture scores
    plain_mean: float | None = None  # their unweighted mean, shown beside Q
    tier: str = ""
    tier_mean: float | None = None  # mean of every usable lecture score of the tier in the period
    shrink_k: int = 0
    shrunk: float | None = None
    top_ten: int = 0
    top_ten_bonus: float = 0
    finalist: int = 0
    finalist_bonus: float = 0
    red_flags: int = 0  # red flags on usable lectures only: an insufficient lecture carries none
    red_penalty: float = 0
    cap: float = 100
    quality: Decimal | None = None

    def as_dict(self) -> dict:
        return {key: (float(v) if isinstance(v, Decimal) else v) for key, v in asdict(self).items()}


def quality_figures(
    *, start: dt.datetime, end: dt.datetime, year: int, instructor_ids, params: dict | None = None
) -> dict[int, QualityFigures]:
    """The one computation of the yearly quality Q, used by the registry's yearly figures, 我的评价, the review and
    the exports: hours-weighted mean of the usable lecture scores in [start, end) → shrunk toward the tier mean with
    k₀ → + top-ten and finalist bonuses of the year's competition − red-flag penalties → capped. Grouped SQL, a fixed
    number of queries for any number of instructors (``instructor_ids`` may be a list or a queryset of ids)."""
    params = params or scoring_current().merged
    usable = LectureResult.objects.filter(
        insufficient=False, score__isnull=False, lecture__start__gte=start, lecture__start__lt=end
    )
    hours = Coalesce("lecture__hours", Value(Decimal("1.0")), output_field=DecimalField(max_digits=6, decimal_places=1))
    rows = (
        usable.filter(instructor_id__in=instructor_ids)
        .annotate(weight=hours)
        .values("instructor_id", "instructor__tier")
        .annotate(
            k=Count("pk"),
            weighted=Sum(F("score") * F("weight")),
            hours=Sum("weight"),
            plain=Avg("score"),
            red=Count("pk", filter=Q(flag=LectureResult.Flag.RED)),
        )
        .order_by()
    )
    tier_means = {
        row["instructor__tier"]: float(row["mean"])
        for row in usable.values("instructor__tier").annotate(mean=Avg("score")).order_by()
    }
    top_ten = dict(
        PremiumLibraryEntry.objects.filter(
            year=year + 1,
            reason=PremiumLibraryEntry.Reason.COMPETITION_TOP_TEN,
            course__lead_instructor_id__in=instructor_ids,
        )
        .values("course__lead_instructor_id")
        .annotate(n=Count("pk"))
        .values_list("course__lead_instructor_id", "n")
        .order_by()
    )
    finalists = dict(
        CompetitionResult.objects.filter(
            competition__year=year,
            competition__published_at__isnull=False,
            rank__gt=params.get("competition", {}).get("top", 10),
            entry__instructors__in=instructor_ids,
        )
        .values("entry__instructors")
        .annotate(n=Count("pk", distinct=True))
        .values_list("entry__instructors", "n")
        .order_by()
    )
    out: dict[int, QualityFigures] = {}
    for row in rows:
        person = row["instructor_id"]
        fig = QualityFigures(
            k=row["k"],
            hours=float(row["hours"] or 0),
            raw=float(row["weighted"] / row["hours"]) if row["k"] and row["hours"] else None,
            plain_mean=float(row["plain"]) if row["plain"] is not None else None,
            tier=row["instructor__tier"],
            tier_mean=tier_means.get(row["instructor__tier"]),
            shrink_k=params["shrink_k"],
            top_ten=top_ten.get(person, 0),
            top_ten_bonus=params["top_ten_bonus"],
            finalist=finalists.get(person, 0),
            finalist_bonus=params["finalist_bonus"],
            red_flags=row["red"],
            red_penalty=params["red_penalty"],
            cap=params["quality_cap"],
        )
        fig.shrunk = scoring.shrink(fig.raw, fig.k, fig.tier_mean, params)
        fig.quality = scoring.q2(
            scoring.annual_quality(
                fig.shrunk, top_ten=fig.top_ten, finalist=fig.finalist, red_flags=fig.red_flags, params=params
            )
        )
        out[person] = fig
    return out


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) in local time: the window of a yearly quality."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


def instructor_quality_explained(*, instructor: Instructor, year: int) -> QualityFigures | None:
    """One instructor's Q of the year with its figures (the same computation that stored it)."""
    start, end = year_bounds(year)
    return quality_figures(start=start, end=end, year=year, instructor_ids=[instructor.pk]).get(instructor.pk)
