"""Reads of competitions, their results and who may see them."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet

from evaluations.models import (
    Competition,
    CompetitionResult,
)
from instructors.models import TeachingGroup, User


def peer_groups_of(*, competition: Competition, user: User) -> list[TeachingGroup]:
    """The entrant groups this person scores for in the preliminary round: the groups they lead."""
    return list(
        TeachingGroup.objects.filter(leader__user=user, competition_entries__competition=competition)
        .distinct()
        .order_by("name")
    )


def competitions_for(user: User) -> QuerySet[Competition]:
    return (
        Competition.objects.filter(pk__in=Competition.objects.visible_to(user).values("pk"))
        .select_related("region")
        .annotate(entries_n=Count("entries", distinct=True))
        .order_by("-year", "pk")
    )


def results_visible(*, competition: Competition, user: User) -> bool:
    """Published results are open to everyone who sees the competition; before, only to its organizers."""
    return competition.is_published or Competition.objects.managed_by(user).filter(pk=competition.pk).exists()


def results_for(competition: Competition) -> QuerySet[CompetitionResult]:
    return (
        competition.results.select_related("entry__course", "entry__group")
        .prefetch_related("entry__instructors")
        .order_by(F("rank").asc(nulls_last=True), "entry__number")
    )


def judge_names(competition: Competition) -> dict[int, str]:
    users = User.objects.filter(judge_assignments__competition=competition).distinct()
    return {u.pk: str(u) for u in users}
