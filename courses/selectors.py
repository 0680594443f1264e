"""Reads that feed the catalog's pages: one place decides joins, prefetches and aggregates."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.filters import apply_filters
from instructors.models import Instructor, User

from .models import (
    Column,
    ColumnWork,
    Course,
    CourseStatusChange,
    CoursewareVersion,
    PremiumLibraryEntry,
    Rectification,
    Series,
    Topic,
    TrainingProgramme,
    TrainingSession,
    TrainingSignup,
    TrainingWish,
)


def _visible_ids(user: User) -> QuerySet:
    """Course ids a user may see, as a subquery (keeps the outer query free of the co-instructor join)."""
    return Course.objects.visible_to(user).values("pk")


def _with_row_data(qs: QuerySet[Course]) -> QuerySet[Course]:
    latest = CoursewareVersion.objects.filter(course=OuterRef("pk")).order_by("-number").values("number")[:1]
    return qs.select_related("topic", "series", "lead_instructor", "group").annotate(
        current_version=Subquery(latest, output_field=IntegerField())
    )


COURSE_FILTERS = {
    "topic": "topic",
    "series": "series",
    "group": "group",
    "format": "format",
    "status": "status",
    "tier": "lead_instructor__tier",
    "min_minutes": "duration_minutes__gte",
    "max_minutes": "duration_minutes__lte",
}


def course_search(qs: QuerySet[Course], filters: dict) -> QuerySet[Course]:
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(summary__icontains=text) | Q(lead_instructor__name__icontains=text))
    return apply_filters(qs, filters, COURSE_FILTERS)


def course_list(*, user: User, filters: dict | None = None) -> QuerySet[Course]:
    """The courses a user may see, filtered, with what a catalog row shows."""
    qs = Course.objects.filter(pk__in=_visible_ids(user))
    return _with_row_data(course_search(qs, filters or {})).order_by("title", "pk")


def course_menu(*, user: User, filters: dict | None = None) -> QuerySet[Course]:
    """The course menu (课程菜单): active and premium courses a user may order, filtered by topic, format, length,
    tier."""
    qs = Course.objects.orderable().filter(pk__in=_visible_ids(user))
    return _with_row_data(course_search(qs, filters or {})).order_by("topic__name", "title", "pk")


def course_detail(*, user: User, pk: int) -> Course:
    """One course the user may see, with everything its page shows loaded."""
    return (
        _with_row_data(Course.objects.filter(pk__in=_visible_ids(user)))
        .select_related("lead_instructor__region")
        .prefetch_related(
            "co_instructors",
            Prefetch(
                "status_changes",
                queryset=CourseStatusChange.objects.select_related("changed_by").order_by("-changed_at", "-pk"),
            ),
            Prefetch(
                "courseware_versions",
                queryset=CoursewareVersion.objects.select_related("uploaded_by").order_by("-number"),
            ),
            Prefetch("rectifications", queryset=Rectification.objects.order_by("-opened_at", "-pk")),
            Prefetch("premium_entries", queryset=PremiumLibraryEntry.objects.order_by("-year")),
        )
        .get(pk=pk)
    )


def course_export_rows(*, user: User, filters: dict | None = None) -> QuerySet[Course]:
    return course_list(user=user, filters=filters).prefetch_related("co_instructors")


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.annotate(
        course_count=Count("courses", filter=Q(courses__status__in=Course.ORDERABLE_STATUSES))
    ).order_by("name")


def series_list() -> QuerySet[Series]:
    return Series.objects.select_related("owner").annotate(course_count=Count("courses")).order_by("name")


def series_courses(*, series: Series, user: User) -> QuerySet[Course]:
    return course_list(user=user, filters={"series": series})


def rectification_list(*, user: User, filters: dict | None = None) -> QuerySet[Rectification]:
    """The rectifications a user may see; `overdue` keeps only pending ones past their deadline."""
    filters = filters or {}
    qs = Rectification.objects.filter(pk__in=Rectification.objects.visible_to(user).values("pk"))
    if filters.get("overdue"):
        qs = qs.overdue()
    elif filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.select_related("course", "course__lead_instructor", "opened_by").order_by("deadline", "pk")


def rectifications_overdue(user: User) -> QuerySet[Rectification]:
    """Pending rectifications past their deadline that the user may see (for the home page)."""
    return rectification_list(user=user, filters={"overdue": True})


def rectification_detail(*, user: User, pk: int) -> Rectification:
    return (
        Rectification.objects.filter(pk__in=Rectification.objects.visible_to(user).values("pk"))
        .select_related(
            "course", "course__lead_instructor", "revised_version", "opened_by", "submitted_by", "decided_by"
        )
        .get(pk=pk)
    )


def premium_years() -> list[int]:
    return list(PremiumLibraryEntry.objects.order_by("-year").values_list("year", flat=True).distinct())


def premium_library(*, user: User, year: int) -> QuerySet[PremiumLibraryEntry]:
    """One year's premium library entries for the courses the user may see."""
    return (
        PremiumLibraryEntry.objects.filter(year=year, course__in=_visible_ids(user))
        .select_related("course", "course__topic", "course__lead_instructor", "course__group", "added_by")
        .order_by("course__title", "pk")
    )


def column_list() -> QuerySet[Column]:
    published = Q(works__is_published=True)
    return Column.objects.annotate(
        work_count=Count("works", filter=published),
        view_total=Coalesce(Sum("works__view_count", filter=published), 0),
        last_published=Max("works__published_on", filter=published),
    ).order_by("name")


def column_works(column: Column) -> QuerySet[ColumnWork]:
    """Published works of a column, newest first, with only the course fields a public page may show."""
    return (
        column.works.filter(is_published=True)
        .select_related("course", "course__lead_instructor")
        .only(
            "title",
            "format",
            "summary",
            "link",
            "published_on",
            "view_count",
            "column_id",
            "course__title",
            "course__lead_instructor__name",
        )
        .order_by("-published_on", "pk")
    )


def training_programme_list(*, user: User) -> QuerySet[TrainingProgramme]:
    return (
        TrainingProgramme.objects.filter(pk__in=TrainingProgramme.objects.visible_to(user).values("pk"))
        .select_related("region")
        .annotate(
            session_count=Count("sessions", distinct=True),
            topic_count=Count("topics", distinct=True),
        )
        .order_by("-year", "title")
    )


def training_programme_detail(*, user: User, pk: int) -> TrainingProgramme:
    return TrainingProgramme.objects.visible_to(user).select_related("region").get(pk=pk)


def training_sessions(*, programme: TrainingProgramme, instructor: Instructor | None) -> QuerySet[TrainingSession]:
    """A programme's sessions with their sign-up counts and whether the given instructor has signed up."""
    qs = programme.sessions.select_related("topic").annotate(signup_count=Count("signups"))
    if instructor is not None:
        mine = TrainingSignup.objects.filter(session=OuterRef("pk"), instructor=instructor)
        qs = qs.annotate(signed_up=Exists(mine))
    return qs.order_by("starts_at", "pk")


def training_demand(*, programme: TrainingProgramme) -> QuerySet[Topic]:
    """Per topic of a programme: wishes, sessions, places and sign-ups, so the organizer can fix sessions."""
    wishes = (
        TrainingWish.objects.filter(programme=programme, topic=OuterRef("pk"))
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sessions = programme.sessions.filter(topic=OuterRef("pk"))
    signups = (
        TrainingSignup.objects.filter(session__programme=programme, session__topic=OuterRef("pk"))
        .values("session__topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    places = sessions.values("topic").annotate(n=Sum("capacity")).values("n")
    session_count = sessions.values("topic").annotate(n=Count("pk")).values("n")
    return programme.topics.annotate(
        wish_count=Coalesce(Subquery(wishes, output_field=IntegerField()), 0),
        signup_count=Coalesce(Subquery(signups, output_field=IntegerField()), 0),
        places=Coalesce(Subquery(places, output_field=IntegerField()), 0),
        session_count=Coalesce(Subquery(session_count, output_field=IntegerField()), 0),
    ).order_by("name")


def training_wished_topic_ids(*, programme: TrainingProgramme, instructor: Instructor | None) -> set[int]:
    if instructor is None:
        return set()
    return set(
        TrainingWish.objects.filter(programme=programme, instructor=instructor).values_list("topic_id", flat=True)
    )


def training_session_detail(*, user: User, pk: int) -> TrainingSession:
    visible = TrainingProgramme.objects.visible_to(user).values("pk")
    return (
        TrainingSession.objects.filter(programme__in=visible)
        .select_related("programme", "programme__region", "topic")
        .annotate(signup_count=Count("signups"))
        .get(pk=pk)
    )


def training_session_signups(session: TrainingSession) -> QuerySet[TrainingSignup]:
    return session.signups.select_related("instructor", "instructor__region").order_by("created_at", "pk")


def course_summary(user: User) -> dict:
    """Counts for a dashboard: orderable courses, pending and overdue rectifications."""
    today = timezone.localdate()
    rect = Rectification.objects.filter(pk__in=Rectification.objects.visible_to(user).values("pk")).aggregate(
        pending=Count("pk", filter=Q(status__in=Rectification.PENDING_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=Rectification.PENDING_STATUSES, deadline__lt=today)),
    )
    orderable = Course.objects.orderable().filter(pk__in=_visible_ids(user)).count()
    return {"orderable": orderable, **rect}
