"""Reads of public feedback: what the public sees of a work, what organizers moderate, what instructors read."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from courses.models import Column, ColumnWork, Course
from evaluations.models import FieldVisit, LectureAnalysis, PublicComment
from instructors.models import User
from outreach.models import Lecture

BUCKET_SECONDS = 10


def work_public(pk: int) -> ColumnWork:
    """A published work of a public column (raises ColumnWork.DoesNotExist otherwise)."""
    return ColumnWork.objects.select_related("column", "course__lead_instructor").get(
        pk=pk, is_published=True, column__is_public=True
    )


def danmaku_public(*, work: ColumnWork) -> list[dict]:
    """The approved 弹幕 of a work, as the player needs them: text and moment, nothing else."""
    rows = (
        PublicComment.objects.filter(work=work, kind=PublicComment.Kind.DANMAKU, state=PublicComment.State.PUBLIC)
        .order_by("at_seconds", "pk")
        .values_list("text", "at_seconds")[:2000]
    )
    return [{"text": text, "time": seconds} for text, seconds in rows]


def messages_public(*, work: ColumnWork) -> QuerySet[PublicComment]:
    """The approved 留言 of a work, newest first."""
    return PublicComment.objects.filter(
        work=work, kind=PublicComment.Kind.MESSAGE, state=PublicComment.State.PUBLIC
    ).order_by("-pk")


def works_managed_q(user: User, prefix: str = "") -> Q | None:
    """Which works a user moderates: admins all, organizers the works of courses in their region and the works of
    columns they own; None means every work."""
    if user.is_admin:
        return None
    if not user.can_manage_registry:
        return Q(pk__in=[])
    courses = Course.objects.managed_by(user).values("pk")
    return Q(**{f"{prefix}course__in": courses}) | Q(**{f"{prefix}column__owner": user})


def works_read_q(user: User, prefix: str = "") -> Q:
    """Which works' feedback a user may read: those they moderate, and an instructor's works of their own courses."""
    managed = works_managed_q(user, prefix)
    if managed is None:
        return Q()
    own = Course.objects.taught_by_user(user).values("pk")
    return managed | Q(**{f"{prefix}course__in": own})


def public_comments_managed(*, user: User) -> QuerySet[PublicComment]:
    q = works_managed_q(user, "work__")
    qs = PublicComment.objects.all()
    return qs if q is None else qs.filter(q)


def public_moderation_queue(*, user: User) -> QuerySet[PublicComment]:
    """Pending public comments the user moderates, oldest first, with the work and its column."""
    return (
        public_comments_managed(user=user)
        .filter(state=PublicComment.State.PENDING)
        .select_related("work__column")
        .order_by("pk")
    )


def work_for_reader(*, user: User, pk: int) -> ColumnWork:
    """A work whose feedback the user may read (raises ColumnWork.DoesNotExist otherwise)."""
    return ColumnWork.objects.select_related("column", "course").filter(works_read_q(user)).distinct().get(pk=pk)


def works_with_counts() -> QuerySet[ColumnWork]:
    """Works, each with its approved and pending public comments counted in SQL (one query for the whole list)."""
    return (
        ColumnWork.objects.select_related("column", "course")
        .annotate(
            approved=Count("public_comments", filter=Q(public_comments__state=PublicComment.State.PUBLIC)),
            pending=Count("public_comments", filter=Q(public_comments__state=PublicComment.State.PENDING)),
        )
        .order_by("-published_on", "pk")
    )


def column_works_counts(*, user: User, column: Column) -> QuerySet[ColumnWork]:
    """The works of a column the user may read, with their counts."""
    return works_with_counts().filter(column=column).filter(works_read_q(user))


def columns_for_reader(*, user: User) -> QuerySet[Column]:
    return Column.objects.filter(pk__in=ColumnWork.objects.filter(works_read_q(user)).values("column_id")).order_by(
        "name"
    )


def danmaku_by_moment(*, work: ColumnWork, manager: bool) -> list[dict]:
    """Comments on a work grouped by moment (10-second buckets): the count and the texts of each bucket.
    The instructor reads approved comments only; organizers also those kept private."""
    states = [PublicComment.State.PUBLIC, PublicComment.State.PRIVATE] if manager else [PublicComment.State.PUBLIC]
    rows = (
        PublicComment.objects.filter(work=work, kind=PublicComment.Kind.DANMAKU, state__in=states)
        .annotate(bucket=F("at_seconds") / BUCKET_SECONDS)
        .order_by("bucket", "at_seconds", "pk")
        .values("bucket", "text", "at_seconds")
    )
    buckets: dict[int, dict] = {}
    for row in rows:
        start = row["bucket"] * BUCKET_SECONDS
        entry = buckets.setdefault(start, {"start": start, "end": start + BUCKET_SECONDS, "texts": []})
        entry["texts"].append(row["text"])
    most = max((len(b["texts"]) for b in buckets.values()), default=0) or 1
    for entry in buckets.values():
        entry["count"] = len(entry["texts"])
        entry["percent"] = round(entry["count"] * 100 / most)
    return list(buckets.values())


def work_messages(*, work: ColumnWork, manager: bool) -> QuerySet[PublicComment]:
    states = [PublicComment.State.PUBLIC, PublicComment.State.PRIVATE] if manager else [PublicComment.State.PUBLIC]
    return PublicComment.objects.filter(work=work, kind=PublicComment.Kind.MESSAGE, state__in=states).order_by("-pk")


def work_analysis(*, work: ColumnWork, user: User) -> LectureAnalysis | None:
    """The latest finished delivery analysis of a lecture of the work's course that the user may see."""
    if work.course_id is None:
        return None
    return (
        LectureAnalysis.objects.visible_to(user)
        .filter(lecture__course_id=work.course_id, status=LectureAnalysis.Status.DONE)
        .order_by("-created_at")
        .first()
    )


# --- forums and field visits ---------------------------------------------------------------------------------------


def course_for_reader(*, user: User, pk: int) -> Course:
    """A course whose feedback the user may read: organizers of its region, admins, its own instructors."""
    if user.can_manage_registry:
        qs = Course.objects.managed_by(user)
    else:
        qs = Course.objects.taught_by_user(user)
    return qs.select_related("lead_instructor").get(pk=pk)


def course_for_recording(*, user: User, pk: int) -> Course:
    """A course of the organizer's region, about which they may record a forum or visit."""
    return Course.objects.managed_by(user).get(pk=pk)


def lectures_for_recording(*, user: User, course: Course) -> QuerySet[Lecture]:
    return (
        Lecture.objects.visible_to(user)
        .filter(course=course)
        .select_related("organization", "instructor")
        .order_by("-start")
    )


def field_visits(*, courses: QuerySet | list) -> QuerySet[FieldVisit]:
    """Forums and visits about the given courses, with their lecture, participants and findings (no query per row)."""
    return (
        FieldVisit.objects.filter(course__in=courses)
        .select_related("course", "lecture__organization", "recorded_by")
        .prefetch_related("participants", "findings__dimension")
        .order_by("-held_on", "-pk")
    )


def my_works(*, user: User) -> QuerySet[ColumnWork]:
    """The column works of an instructor's own courses, with their counts."""
    return works_with_counts().filter(course__in=Course.objects.taught_by_user(user).values("pk"))
