"""Running a review cycle: figures from grouped SQL per batch of instructors, one proposal per instructor.

The run is built to be repeated: a conditional UPDATE claims the cycle (a second worker backs off), every batch
upserts on the (cycle, instructor) unique key, and a killed run leaves a stale heartbeat that the next beat tick
re-enqueues.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.models import Rectification
from evaluations import scoring
from evaluations.models import (
    LectureResult,
    RaterRole,
    ReviewCycle,
    ReviewProposal,
    ReviewVeto,
    ScoringSettings,
)
from evaluations.results import quality as result_quality
from evaluations.scoring.review_rules import REVIEW_DEFAULTS, Figures, Outcome, decide
from evaluations.survey.services import scoring_current
from instructors.models import Instructor, InstructorYearFigures, TeachingNorm
from outreach.models import Lecture

log = logging.getLogger(__name__)


BATCH = 500


STALE_AFTER = dt.timedelta(minutes=10)


def review_params(version: ScoringSettings | None = None) -> dict:
    """The numbers a review uses: the scoring settings (current, or the given version) with the review's own."""
    version = version or scoring_current()
    return {**version.merged, **REVIEW_DEFAULTS, **version.params.get("review", {})}


def _bounds(cycle: ReviewCycle) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(cycle.period_start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(cycle.period_end + dt.timedelta(days=1), dt.time.min))
    return start, end


def _months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def _hours(path: str, default: str) -> Coalesce:
    return Coalesce(path, Value(Decimal(default)), output_field=DecimalField(max_digits=7, decimal_places=1))


def _f(value) -> float | None:
    return None if value is None else float(value)


def _norm_met(norm: TeachingNorm | None, *, lectures: int, hours: float, quality: float | None, fraction: float):
    if norm is None:
        return None
    met = lectures >= float(norm.min_lectures) * fraction - 1e-9 and hours >= float(norm.min_hours) * fraction - 1e-9
    return met and (quality is None or quality >= float(norm.min_quality))


class _Context:
    """Numbers read once per run: the window, settings, tier means, norms and the previous cycle."""

    def __init__(self, cycle: ReviewCycle):
        self.cycle = cycle
        self.scoring = scoring_current()
        self.p = review_params(self.scoring)
        self.start, self.end = _bounds(cycle)
        self.year = cycle.period_end.year
        days = (cycle.period_end - cycle.period_start).days + 1
        self.fraction = min(1.0, days / 365)
        self.norms = {(n.year, n.tier): n for n in TeachingNorm.objects.filter(year__in=[self.year, self.year - 1])}
        self.previous = (
            ReviewCycle.objects.filter(region=cycle.region, kind=cycle.kind, period_end__lt=cycle.period_start)
            .order_by("-period_end")
            .first()
        )
        self.suspension_from = _months_back(cycle.period_end, self.p["suspension_months"])


def _grouped(qs: QuerySet, key: str = "instructor_id") -> dict[int, dict]:
    return {row[key]: row for row in qs}


def _pool_sources(ctx: _Context, ids) -> dict[str, dict]:
    """Every source of the figures, grouped per instructor in SQL: one query per source for the whole scope.

    ``ids`` is a list of instructor ids or a queryset of them (the cycle's whole pool: the database then works
    through the scope once per source, instead of once per batch). A few numbers per instructor come back; no
    lecture, result or answer row is loaded into Python."""
    window = Q(start__gte=ctx.start, start__lt=ctx.end)
    lectures = _grouped(
        Lecture.objects.filter(window, instructor_id__in=ids, status__in=Lecture.DONE)
        .values("instructor_id")
        .annotate(n=Count("pk"), hours=Sum(_hours("hours", "0")))
        .order_by()
    )
    usable = Q(insufficient=False, score__isnull=False)
    results = _grouped(
        LectureResult.objects.filter(instructor_id__in=ids, lecture__start__gte=ctx.start, lecture__start__lt=ctx.end)
        .annotate(w=_hours("lecture__hours", "1"))
        .values("instructor_id")
        .annotate(
            answers=Sum("sr_n", filter=usable & Q(sr__isnull=False)),
            satisfied=Sum(F("sr") * F("sr_n"), filter=usable & Q(sr__isnull=False)),
        )
        .order_by()
    )
    # The one yearly quality Q (with its bonuses and penalties), computed as the registry stores it.
    quality = result_quality.quality_figures(
        start=ctx.start, end=ctx.end, year=ctx.year, instructor_ids=ids, params=ctx.p
    )
    retest_red = LectureResult.objects.filter(
        course=OuterRef("course"),
        flag=LectureResult.Flag.RED,
        lecture__start__gt=OuterRef("decided_at"),
        lecture__start__gte=ctx.start,
        lecture__start__lt=ctx.end,
    )
    rectifications = _grouped(
        Rectification.objects.filter(course__lead_instructor_id__in=ids)
        .annotate(retest_red=Exists(retest_red))
        .values("course__lead_instructor_id")
        .annotate(
            in_period=Count("pk", filter=Q(opened_at__gte=ctx.start, opened_at__lt=ctx.end)),
            suspensions=Count("pk", filter=Q(opened_at__date__gt=ctx.suspension_from, opened_at__lt=ctx.end)),
            failed=Count(
                "pk",
                filter=Q(status=Rectification.Status.RETIRED, decided_at__gte=ctx.start, decided_at__lt=ctx.end)
                | Q(status=Rectification.Status.APPROVED, retest_red=True),
            ),
        )
        .order_by(),
        key="course__lead_instructor_id",
    )
    vetoes = dict(
        ReviewVeto.objects.filter(instructor_id__in=ids, revoked=False, created_at__lt=ctx.end)
        .order_by("instructor_id", "-created_at")
        .values_list("instructor_id", "reason")
    )
    warned: set[int] = set()
    if ctx.previous is not None:
        warned = set(
            ReviewProposal.objects.filter(cycle=ctx.previous, instructor_id__in=ids)
            .exclude(status=ReviewProposal.Status.PROPOSED)
            .filter(
                Q(decision__in=[Outcome.WARN, Outcome.PROBATION])
                | Q(decision="", proposal__in=[Outcome.WARN, Outcome.PROBATION])
            )
            .values_list("instructor_id", flat=True)
        )
    previous_year = {
        f.instructor_id: f for f in InstructorYearFigures.objects.filter(instructor_id__in=ids, year=ctx.year - 1)
    }
    return {
        "lectures": lectures,
        "results": results,
        "quality": quality,
        "rectifications": rectifications,
        "vetoes": vetoes,
        "warned": warned,
        "previous_year": previous_year,
    }


def _pool_figures(ctx: _Context, instructors: list[Instructor], sources: dict | None = None):
    """Figures of a batch of pool members from the grouped sources (computed for the batch when not given)."""
    sources = sources or _pool_sources(ctx, [i.pk for i in instructors])
    lectures, results, rectifications = sources["lectures"], sources["results"], sources["rectifications"]
    qualities, vetoes = sources["quality"], sources["vetoes"]
    warned, previous_year = sources["warned"], sources["previous_year"]
    out: dict[int, tuple[Figures, dict]] = {}
    p = ctx.p
    for person in instructors:
        lec = lectures.get(person.pk, {})
        res = results.get(person.pk, {})
        rect = rectifications.get(person.pk, {})
        q = qualities.get(person.pk) or result_quality.QualityFigures()
        k, quality = q.k, _f(q.quality)
        sr_n = int(res.get("answers") or 0)
        sr = round(float(res["satisfied"]) / sr_n, 4) if sr_n else None
        n_lectures, hours = lec.get("n", 0), float(lec.get("hours") or 0)
        rated = k >= p["min_scored_lectures"] and quality is not None
        norm = ctx.norms.get((ctx.year, person.tier))
        norms_met = _norm_met(
            norm, lectures=n_lectures, hours=hours, quality=quality if rated else None, fraction=ctx.fraction
        )
        before = previous_year.get(person.pk)
        prev_norm = ctx.norms.get((ctx.year - 1, person.tier))
        prev_met = None
        if before is not None:
            prev_quality = _f(before.quality) if before.scored_lectures >= p["min_scored_lectures"] else None
            prev_met = _norm_met(
                prev_norm, lectures=before.lectures, hours=float(before.hours), quality=prev_quality, fraction=1.0
            )
        fig = Figures(
            vetoed=person.pk in vetoes,
            scored=k,
            quality=quality,
            sr=sr,
            sr_n=sr_n,
            red_flags=q.red_flags,
            failed_retests=rect.get("failed", 0),
            suspensions=rect.get("suspensions", 0),
            previously_warned=person.pk in warned,
            norms_met=norms_met,
            prev_norms_met=prev_met,
        )
        shown = {
            "lectures": n_lectures,
            "hours": round(hours, 1),
            "scored_lectures": k,
            "quality_raw": _f(scoring.q2(q.raw)),
            "tier_mean": _f(scoring.q2(q.tier_mean)),
            "shrink_k": q.shrink_k,
            "quality_shrunk": _f(scoring.q2(q.shrunk)),
            "quality": quality if rated else None,
            "quality_unrated": not rated,
            "top_ten": q.top_ten,
            "top_ten_bonus": q.top_ten_bonus,
            "finalist": q.finalist,
            "finalist_bonus": q.finalist_bonus,
            "red_flags": fig.red_flags,
            "red_penalty": q.red_penalty,
            "sr": sr,
            "sr_n": sr_n,
            "rectifications": rect.get("in_period", 0),
            "suspensions_24m": fig.suspensions,
            "failed_retests": fig.failed_retests,
            "previously_warned": fig.previously_warned,
            "veto": vetoes.get(person.pk, ""),
            "norm": None
            if norm is None
            else {
                "year": norm.year,
                "min_lectures": norm.min_lectures,
                "min_hours": float(norm.min_hours),
                "min_quality": float(norm.min_quality),
                "fraction": round(ctx.fraction, 4),
            },
            "norms_met": norms_met,
            "prev_norms_met": prev_met,
        }
        out[person.pk] = (fig, shown)
    return out


def _trial_lectures(ctx: _Context, ids: list[int]) -> dict[int, dict]:
    """The best qualifying trial lecture of each candidate in the batch (≥ 3 experts at ≥ 80, SR ≥ 0.85, n ≥ 10)."""
    p = ctx.p
    rows = (
        LectureResult.objects.filter(
            instructor_id__in=ids,
            insufficient=False,  # a trial lecture without enough answers decides nothing either
            lecture__start__gte=ctx.start,
            lecture__start__lt=ctx.end,
            sr_n__gte=p["sr_min_n"],
            sr__gte=Decimal(str(p["sr_threshold"])),
        )
        .annotate(
            experts=Count(
                "evaluation__assignments",
                filter=Q(
                    evaluation__assignments__role=RaterRole.EXPERT,
                    evaluation__assignments__submitted_at__isnull=False,
                    evaluation__assignments__score__gte=p["trial_expert_score"],
                ),
            )
        )
        .filter(experts__gte=p["trial_experts"])
        .order_by("instructor_id", "-score", "pk")
        .values("instructor_id", "pk", "score", "sr", "sr_n", "experts", "lecture_id")
    )
    best: dict[int, dict] = {}
    for row in rows:
        best.setdefault(row["instructor_id"], row)
    return best


def review_cycle_claim(*, cycle_id: int, now: dt.datetime | None = None) -> str | None:
    """Take the cycle for this run (conditional UPDATE); None when another live run holds it or it is done."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        ReviewCycle.objects.filter(pk=cycle_id)
        .filter(
            Q(status=ReviewCycle.Status.PENDING)
            | Q(status=ReviewCycle.Status.RUNNING, heartbeat__lt=now - STALE_AFTER)
            | Q(status=ReviewCycle.Status.RUNNING, heartbeat__isnull=True)
        )
        .update(status=ReviewCycle.Status.RUNNING, run_token=token, heartbeat=now, started_at=now, processed=0)
    )
    return token if claimed else None


def _scope(cycle: ReviewCycle) -> tuple[QuerySet, QuerySet]:
    base = Instructor.objects.within(cycle.region).order_by("pk")
    decided = ReviewProposal.objects.filter(cycle=cycle).exclude(status=ReviewProposal.Status.PROPOSED)
    base = base.exclude(pk__in=decided.values("instructor_id"))
    return base.in_pool(), base.filter(status=Instructor.Status.CANDIDATE)


def _batches(qs: QuerySet) -> Iterable[list[Instructor]]:
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).only("pk", "tier", "status")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _upsert(cycle: ReviewCycle, rows: list[ReviewProposal]) -> None:
    if rows:
        ReviewProposal.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["cycle", "instructor"],
            update_fields=["proposal", "rule", "quality", "figures", "scoring", "computed_at"],
        )


def _beat(cycle_id: int, token: str, done: int) -> bool:
    """Count progress and show the run is alive; False when another run has taken the cycle over."""
    return bool(
        ReviewCycle.objects.filter(pk=cycle_id, run_token=token).update(
            processed=F("processed") + done, heartbeat=timezone.now()
        )
    )


def review_cycle_run(*, cycle_id: int) -> int | None:
    """Compute and store every proposal of a cycle; returns how many were written, None when not claimed."""
    token = review_cycle_claim(cycle_id=cycle_id)
    if token is None:
        log.info("review cycle %s is held by another run or done", cycle_id)
        return None
    cycle = ReviewCycle.objects.select_related("region").get(pk=cycle_id)
    ctx = _Context(cycle)
    pool, candidates = _scope(cycle)
    ReviewCycle.objects.filter(pk=cycle_id, run_token=token).update(total=pool.count() + candidates.count())
    written = 0
    sources = _pool_sources(ctx, pool.values("pk"))
    for batch in _batches(pool):
        figures = _pool_figures(ctx, batch, sources)
        rows = []
        for person in batch:
            fig, shown = figures[person.pk]
            outcome, rule = decide(fig, ctx.p)
            quality = Decimal(str(shown["quality"])) if shown["quality"] is not None else None
            rows.append(
                ReviewProposal(
                    cycle=cycle,
                    instructor=person,
                    proposal=outcome,
                    rule=rule,
                    quality=quality,
                    figures=shown,
                    scoring=ctx.scoring,
                )
            )
        with transaction.atomic():
            _upsert(cycle, rows)
        written += len(rows)
        if not _beat(cycle_id, token, len(batch)):
            return written
    for batch in _batches(candidates):
        trials = _trial_lectures(ctx, [c.pk for c in batch])
        vetoed = set(
            ReviewVeto.objects.filter(instructor__in=batch, revoked=False).values_list("instructor_id", flat=True)
        )
        rows = []
        for person in batch:
            trial = trials.get(person.pk)
            if trial is None or person.pk in vetoed:
                continue
            shown = {
                "trial_lecture": trial["lecture_id"],
                "trial_score": _f(trial["score"]),
                "experts_at_or_above": trial["experts"],
                "sr": _f(trial["sr"]),
                "sr_n": trial["sr_n"],
            }
            rows.append(
                ReviewProposal(
                    cycle=cycle,
                    instructor=person,
                    proposal=Outcome.ADMIT,
                    rule="trial_lecture_qualifies",
                    quality=trial["score"],
                    figures=shown,
                    scoring=ctx.scoring,
                )
            )
        with transaction.atomic():
            _upsert(cycle, rows)
        written += len(rows)
        if not _beat(cycle_id, token, len(batch)):
            return written
    ReviewCycle.objects.filter(pk=cycle_id, run_token=token).update(
        status=ReviewCycle.Status.DONE, finished_at=timezone.now(), heartbeat=timezone.now()
    )
    log.info("review cycle %s: %d proposals", cycle_id, written)
    return written


def review_cycles_due(*, now: dt.datetime | None = None) -> list[int]:
    """Cycles a beat tick should run: pending and due, or running with a stale heartbeat (a killed worker)."""
    now = now or timezone.now()
    stale = Q(status=ReviewCycle.Status.RUNNING) & (Q(heartbeat__lt=now - STALE_AFTER) | Q(heartbeat__isnull=True))
    return list(
        ReviewCycle.objects.filter(Q(status=ReviewCycle.Status.PENDING, due_at__lte=now) | stale)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
