"""Reads for opening evaluations: which lectures and training sessions a user may evaluate."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db.models import Count, Q, QuerySet

from core.scope import below_q
from courses.models import TrainingProgramme, TrainingSession
from evaluations.models import DeviceVote, Evaluation, Indicator, PendingSheet
from instructors.models import User
from outreach.models import Lecture


def evaluation_for_user(user: User, pk: int) -> Evaluation:
    """An evaluation an organizer may manage (raises Evaluation.DoesNotExist otherwise)."""
    if not user.can_manage_registry:
        raise Evaluation.DoesNotExist
    return Evaluation.objects.select_related(
        "lecture__course",
        "lecture__instructor",
        "lecture__organization",
        "lecture__county",
        "session__programme",
        "system",
        "scoring",
    ).get(
        Q(lecture__in=Lecture.objects.visible_to(user))
        | Q(session__programme__in=TrainingProgramme.objects.managed_by(user)),
        pk=pk,
    )


_INDICATORS: dict[int, tuple[float, list[Indicator]]] = {}


def survey_indicators(*, system_id: int) -> list[Indicator]:
    """The indicators of a system, with their dimension, kept in this process for a minute: every phone of a class
    reads the same list, and a system in use is not edited (changes go into a new version)."""
    now = time.monotonic()
    cached = _INDICATORS.get(system_id)
    if cached is None or now - cached[0] > 60:
        indicators = list(Indicator.objects.filter(dimension__system_id=system_id).select_related("dimension"))
        cached = _INDICATORS[system_id] = (now, indicators)
    return cached[1]


def survey_indicators_forget() -> None:
    """Drop the kept indicator lists (tests, whose rolled-back rows may come back with the same ids)."""
    _INDICATORS.clear()


def sheets_received(*, evaluation: Evaluation) -> int:
    """Answer sheets received so far, counted at once (one device check per sheet), wherever the sheets now are."""
    return DeviceVote.objects.filter(evaluation=evaluation).count()


def held_counts(*, evaluation: Evaluation) -> dict[str, int]:
    """How many sheets wait as 待核实, by reason."""
    rows = (
        PendingSheet.objects.filter(evaluation=evaluation)
        .exclude(held=PendingSheet.Held.NO)
        .values("held")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["held"]: row["n"] for row in rows}


def rater_candidates(evaluation: Evaluation) -> QuerySet[User]:
    """People who may be named raters of a lecture: active organizers, instructors and judges of the lecture's city
    (and organizers or judges of the regions above it), never administrators, never the lecturer."""
    lecture = evaluation.lecture
    county = lecture.county
    city = county.parent if county.parent_id else county
    above = city.lineage_codes
    return (
        User.objects.filter(is_active=True, is_superuser=False)
        .filter(
            (Q(role=User.Role.INSTRUCTOR) & below_q("instructor__region", city))
            | (Q(role__in=[User.Role.ORGANIZER, User.Role.JUDGE]) & below_q("region", city))
            | Q(role__in=[User.Role.ORGANIZER, User.Role.JUDGE], region__code__in=above)
            | Q(role=User.Role.JUDGE, region__isnull=True)
        )
        .exclude(pk=lecture.instructor.user_id or 0)
        .order_by("role", "display_name", "username")
    )


def lectures_filtered(*, user: User, data: dict) -> QuerySet[Lecture]:
    """The lecture list of 评价: by default the last 7 and next 14 days; search, dates, county, course and
    evaluation state narrow it (``data`` is a valid LectureFilterForm's cleaned data)."""
    from django.utils import timezone

    now = timezone.now()
    qs = Lecture.objects.visible_to(user).exclude(status=Lecture.Status.CANCELLED)
    start, end = data.get("start"), data.get("end")
    if not (start or end or data.get("q")):
        qs = qs.filter(start__gte=now - timedelta(days=7), start__lte=now + timedelta(days=14))
    if start:
        qs = qs.filter(start__date__gte=start)
    if end:
        qs = qs.filter(start__date__lte=end)
    if data.get("q"):
        q = data["q"]
        qs = qs.filter(
            Q(course__title__icontains=q) | Q(instructor__name__icontains=q) | Q(organization__name__icontains=q)
        )
    if data.get("county"):
        qs = qs.filter(county=data["county"])
    if data.get("course"):
        qs = qs.filter(course=data["course"])
    state = data.get("state")
    if state == "none":
        qs = qs.filter(evaluation__isnull=True)
    elif state == "upcoming":
        qs = qs.filter(evaluation__opens_at__gt=now)
    elif state == "open":
        qs = qs.filter(evaluation__opens_at__lte=now, evaluation__closes_at__gte=now)
    elif state == "closed":
        qs = qs.filter(evaluation__closes_at__lt=now)
    return qs.select_related("course", "instructor", "organization", "county", "evaluation").order_by("start", "pk")


def training_sessions_to_evaluate(*, user: User, year: int | None = None) -> QuerySet[TrainingSession]:
    """Sessions of the programmes an organizer runs, newest first, with evaluation and result (no query per row)."""
    qs = TrainingSession.objects.filter(programme__in=TrainingProgramme.objects.managed_by(user)).select_related(
        "programme", "topic", "evaluation", "result"
    )
    if year:
        qs = qs.filter(programme__year=year)
    return qs.annotate(answers=Count("evaluation__responses")).order_by("-starts_at", "-pk")


def lectures_to_evaluate(*, user: User, days: int = 7) -> QuerySet[Lecture]:
    """Lectures in scope from the last ``days`` days and the next two weeks, with their evaluation if opened."""
    from django.utils import timezone

    now = timezone.now()
    return (
        Lecture.objects.visible_to(user)
        .exclude(status=Lecture.Status.CANCELLED)
        .filter(start__gte=now - timedelta(days=days), start__lte=now + timedelta(days=14))
        .select_related("course", "instructor", "organization", "evaluation")
        .order_by("start", "pk")
    )
