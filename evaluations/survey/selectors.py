"""Reads for opening evaluations: which lectures and training sessions a user may evaluate."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet

from courses.models import TrainingProgramme, TrainingSession
from evaluations.models import Evaluation
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
