"""Reads for the care pages: the yearly figures behind rules and goals, scoped lists, the dossier and home blocks.

The figures are read in a fixed number of grouped queries whatever the number of people, so a round over a whole
region costs the same seven queries as one over a single person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from core.scope import below_q
from courses.models import Course, PremiumLibraryEntry
from evaluations.models import CompetitionResult, LectureResult
from instructors.models import Instructor, InstructorYearFigures, User

from .models import (
    Appointment,
    AwardFund,
    AwardRound,
    CareerPlan,
    CounsellingBooking,
    CounsellingTalk,
    Counsellor,
    Figure,
    Greeting,
    Honour,
    InternalPost,
    Nomination,
    PriorityList,
    StudyApplication,
    StudyProgramme,
)

# Formats that count as innovation: a course made in a new medium rather than a classroom lecture.
INNOVATIVE_FORMATS = (Course.Format.MICRO_VIDEO, Course.Format.ANIMATION, Course.Format.VR_AR, Course.Format.LIVE)
USABLE_COURSE_STATUSES = (Course.Status.ACTIVE, Course.Status.PREMIUM)


def year_figures(*, instructors: QuerySet[Instructor], year: int) -> dict[int, dict[str, Decimal]]:
    """Every figure of ``Figure`` per instructor for one year: {instructor_id: {figure: value}} (missing = 0)."""
    ids = instructors.values("pk")
    out: dict[int, dict[str, Decimal]] = defaultdict(lambda: {f.value: Decimal("0") for f in Figure})
    for pk, lectures, hours, quality in InstructorYearFigures.objects.filter(
        instructor_id__in=ids, year=year
    ).values_list("instructor_id", "lectures", "hours", "quality"):
        row = out[pk]
        row[Figure.LECTURES] = Decimal(lectures)
        row[Figure.HOURS] = Decimal(hours)
        row[Figure.QUALITY] = Decimal(quality) if quality is not None else Decimal("0")
    weighted = ExpressionWrapper(F("sr") * F("sr_n"), output_field=DecimalField(max_digits=12, decimal_places=4))
    for row in (
        # Lectures with "insufficient data" are shown but never used for decisions (docs/scoring.md §1), nor here.
        LectureResult.objects.filter(instructor_id__in=ids, year=year, sr__isnull=False, insufficient=False)
        .values("instructor_id")
        .annotate(w=Sum(weighted), n=Sum("sr_n"))
    ):
        if row["n"]:
            out[row["instructor_id"]][Figure.SATISFACTION] = (Decimal(row["w"]) * 100 / row["n"]).quantize(
                Decimal("0.1")
            )
    for pk, n in _count_by_instructor(
        PremiumLibraryEntry.objects.filter(year=year), "course__lead_instructor_id", ids
    ).items():
        out[pk][Figure.PREMIUM] = Decimal(n)
    top_ten = CompetitionResult.objects.filter(
        competition__year=year, competition__published_at__isnull=False, rank__lte=10, rank__isnull=False
    )
    for pk, n in _count_by_instructor(top_ten, "entry__instructors", ids).items():
        out[pk][Figure.TOP_TEN] = Decimal(n)
    innovative = Course.objects.filter(
        created_at__year=year, format__in=INNOVATIVE_FORMATS, status__in=USABLE_COURSE_STATUSES
    )
    for pk, n in _count_by_instructor(innovative, "lead_instructor_id", ids).items():
        out[pk][Figure.INNOVATION] = Decimal(n)
    for row in (
        StudyApplication.objects.filter(
            instructor_id__in=ids, status=StudyApplication.Status.COMPLETED, completed_on__year=year
        )
        .values("instructor_id")
        .annotate(total=Sum("credits"))
    ):
        out[row["instructor_id"]][Figure.CREDITS] = Decimal(row["total"] or 0)
    return out


def _count_by_instructor(qs: QuerySet, field: str, ids) -> dict[int, int]:
    rows = qs.filter(**{f"{field}__in": ids}).values(field).annotate(n=Count("pk", distinct=True))
    return {row[field]: row["n"] for row in rows}


def figures_of(instructor: Instructor, year: int) -> dict[str, Decimal]:
    """One person's figures for a year."""
    return year_figures(instructors=Instructor.objects.filter(pk=instructor.pk), year=year)[instructor.pk]


def figure_rows(figures: dict) -> list[tuple[str, str, str, bool]]:
    """A nominee's stored explanation as rows: (figure label, value, minimum, met)."""
    return [
        (Figure(rule["figure"]).label, rule["value"], rule["minimum"], rule["met"]) for rule in figures.get("rules", [])
    ]


# --- Award funds ----------------------------------------------------------------------------------------------------


def fund_list(*, user: User) -> QuerySet[AwardFund]:
    return (
        AwardFund.objects.managed_by(user)
        .select_related("region")
        .annotate(round_count=Count("rounds", distinct=True))
        .order_by("-year", "region__path")
    )


def fund_rounds(fund: AwardFund) -> QuerySet[AwardRound]:
    return (
        fund.rounds.prefetch_related("criteria")
        .annotate(
            awarded=Count("nominations", filter=Q(nominations__status=Nomination.Status.APPROVED)),
            proposed=Count("nominations", filter=Q(nominations__status=Nomination.Status.PROPOSED)),
        )
        .order_by("name")
    )


def round_nominations(award_round: AwardRound) -> QuerySet[Nomination]:
    return award_round.nominations.select_related("instructor", "instructor__region", "decided_by").order_by(
        "status", "instructor__pinyin", "pk"
    )


def fund_award_rows(fund: AwardFund) -> QuerySet[Nomination]:
    """Every award paid from a fund, for the finance export."""
    return (
        Nomination.objects.filter(round__fund=fund, status=Nomination.Status.APPROVED)
        .select_related("round", "instructor", "instructor__region", "decided_by")
        .order_by("round__name", "instructor__pinyin", "pk")
    )


# --- Honours and priority -------------------------------------------------------------------------------------------


def honour_list(*, user: User) -> QuerySet[Honour]:
    return (
        Honour.objects.visible_to(user)
        .select_related("instructor", "instructor__region")
        .order_by("-conferred_on", "pk")
    )


def priority_lists(*, user: User) -> QuerySet[PriorityList]:
    return (
        PriorityList.objects.managed_by(user)
        .select_related("region")
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "region__path", "kind")
    )


# --- Study ----------------------------------------------------------------------------------------------------------


def programme_list(*, user: User) -> QuerySet[StudyProgramme]:
    """Organizers: the programmes they manage; instructors: those of their region and above."""
    qs = StudyProgramme.objects.select_related("region")
    if user.can_manage_registry:
        qs = qs.managed_by(user)
    else:
        instructor = Instructor.objects.filter(user=user).select_related("region").first() if user.is_active else None
        qs = qs.open_to(instructor) if instructor else qs.none()
    return qs.order_by("-year", "apply_until", "name")


def programme_applications(programme: StudyProgramme) -> QuerySet[StudyApplication]:
    return programme.applications.select_related("instructor", "instructor__region", "decided_by").order_by(
        "status", "applied_at", "pk"
    )


def years_in_pool(instructor: Instructor, today=None) -> int | None:
    if instructor.joined_on is None:
        return None
    today = today or timezone.localdate()
    years = today.year - instructor.joined_on.year
    if (today.month, today.day) < (instructor.joined_on.month, instructor.joined_on.day):
        years -= 1
    return years


def latest_quality(instructor: Instructor) -> Decimal | None:
    """The most recent stored Q (last year's review figure is what eligibility is judged on)."""
    return (
        InstructorYearFigures.objects.filter(instructor=instructor, quality__isnull=False)
        .order_by("-year")
        .values_list("quality", flat=True)
        .first()
    )


# --- Posts ------------------------------------------------------------------------------------------------------------


def post_list(*, user: User) -> QuerySet[InternalPost]:
    current = Appointment.objects.filter(ended_on__isnull=True).select_related("instructor")
    return (
        InternalPost.objects.managed_by(user)
        .select_related("region", "group")
        .prefetch_related(Prefetch("appointments", queryset=current, to_attr="current"))
        .order_by("region__path", "name")
    )


def post_history(post: InternalPost) -> QuerySet[Appointment]:
    return post.appointments.select_related("instructor", "appointed_by", "ended_by").order_by("-starts_on", "-pk")


# --- Career plans -----------------------------------------------------------------------------------------------------


def plan_list(*, user: User) -> QuerySet[CareerPlan]:
    return (
        CareerPlan.objects.visible_to(user)
        .select_related("instructor", "instructor__region")
        .annotate(goal_count=Count("goals"))
        .order_by("-year", "instructor__pinyin", "pk")
    )


@dataclass(frozen=True)
class GoalProgress:
    label: str
    target: Decimal
    actual: Decimal
    note: str

    @property
    def percent(self) -> int:
        return min(100, int(self.actual * 100 / self.target)) if self.target else 0

    @property
    def met(self) -> bool:
        return self.actual >= self.target


def plan_progress(plan: CareerPlan) -> list[GoalProgress]:
    """Each goal beside what the system already knows for that year."""
    figures = figures_of(plan.instructor, plan.year)
    return [
        GoalProgress(goal.get_figure_display(), goal.target, figures[goal.figure], goal.note)
        for goal in plan.goals.all()
    ]


# --- Counselling ------------------------------------------------------------------------------------------------------


def counsellor_of(user: User) -> Counsellor | None:
    if not user.is_authenticated:
        return None
    return Counsellor.objects.filter(user=user, active=True).first()


def bookings_of_instructor(instructor: Instructor) -> QuerySet[CounsellingBooking]:
    return instructor.counselling_bookings.select_related("counsellor__user", "talk").order_by("-wanted_at", "-pk")


def bookings_of_counsellor(counsellor: Counsellor) -> QuerySet[CounsellingBooking]:
    return counsellor.bookings.select_related("instructor", "talk").order_by("-wanted_at", "-pk")


def upcoming_talks(instructor: Instructor) -> QuerySet[CounsellingTalk]:
    return (
        CounsellingTalk.objects.open_to(instructor)
        .filter(starts_at__gte=timezone.now())
        .select_related("counsellor__user")
        .annotate(booked=Count("bookings", filter=~Q(bookings__status=CounsellingBooking.Status.CANCELLED)))
        .order_by("starts_at", "pk")
    )


def counselling_counts(*, user: User) -> list[dict]:
    """What organizers may know: how many bookings per kind and status in their region, never who or what."""
    rows = CounsellingBooking.objects.none()
    if user.is_admin:
        rows = CounsellingBooking.objects.all()
    elif user.is_organizer:
        rows = CounsellingBooking.objects.filter(below_q("instructor__region", user.region))
    return list(rows.values("kind", "status").annotate(n=Count("pk")).order_by("kind", "status"))


# --- Dossier and home -------------------------------------------------------------------------------------------------


def dossier(instructor: Instructor) -> dict:
    """What care adds to an instructor's profile: awards, honours, study, posts and the current plan."""
    return {
        "awards": Nomination.objects.filter(instructor=instructor, status=Nomination.Status.APPROVED)
        .select_related("round", "round__fund")
        .order_by("-round__fund__year", "round__name"),
        "honours": instructor.honours.order_by("-conferred_on", "pk"),
        "studies": instructor.study_applications.exclude(status=StudyApplication.Status.REJECTED)
        .select_related("programme")
        .order_by("-applied_at"),
        "appointments": instructor.appointments.select_related("post").order_by("-starts_on", "-pk"),
        "plans": instructor.career_plans.order_by("-year")[:1],
    }


def for_instructor(instructor: Instructor) -> dict:
    """The home page of an instructor: programmes open to them, their awards, their latest greetings."""
    today = timezone.localdate()
    applied = set(instructor.study_applications.values_list("programme_id", flat=True))
    programmes = list(
        StudyProgramme.objects.open_to(instructor).filter(apply_until__gte=today).select_related("region")[:5]
    )
    return {
        "programmes": [(p, p.pk in applied) for p in programmes],
        "awards": Nomination.objects.filter(instructor=instructor, status=Nomination.Status.APPROVED)
        .select_related("round", "round__fund")
        .order_by("-decided_at")[:5],
        "greetings": Greeting.objects.filter(instructor=instructor).order_by("-sent_on", "-pk")[:3],
    }
