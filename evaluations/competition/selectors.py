"""Reads of competitions, their results and who may see them."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet

from evaluations.models import Competition, CompetitionResult, Entry, JudgeAssignment, JudgeScore, PeerScore
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


def judge_assignments_of(*, competition: Competition, judge: User) -> list[JudgeAssignment]:
    """A judge's own, not recused assignments in a competition, in round and entry order."""
    return list(
        JudgeAssignment.objects.filter(competition=competition, judge=judge, recused=False)
        .select_related("entry__course", "entry__group", "competition")
        .order_by("round", "entry__number")
    )


def judge_own_scores(assignments: list[JudgeAssignment]) -> dict[int, dict]:
    """{assignment pk: {criterion: value}} of the given assignments (the judge's own scores only)."""
    found: dict[int, dict] = {}
    for assignment_id, criterion, value in JudgeScore.objects.filter(assignment__in=assignments).values_list(
        "assignment_id", "criterion", "value"
    ):
        found.setdefault(assignment_id, {})[criterion] = value
    return found


def peer_groups_for_page(*, competition: Competition, user: User, manages: bool) -> list[TeachingGroup]:
    """The groups a user enters peer scores for: every entrant group for the organizers, else the groups they lead."""
    if manages:
        return list(
            TeachingGroup.objects.filter(competition_entries__competition=competition).distinct().order_by("name")
        )
    return peer_groups_of(competition=competition, user=user)


def peer_scores_of(*, group: TeachingGroup | None, entries: list[Entry]) -> dict[int, dict]:
    """{entry pk: {"value": v}}: this group's own peer scores (never another group's)."""
    if group is None:
        return {}
    rows = PeerScore.objects.filter(entry__in=entries, group=group).values_list("entry_id", "value")
    return {entry_id: {"value": value} for entry_id, value in rows}


def audience_scores_of(entries: list[Entry]) -> dict[int, dict]:
    """{entry pk: {"n": n, "mean": mean}} from entries fetched with select_related("audience")."""
    found = {}
    for entry in entries:
        audience = getattr(entry, "audience", None)
        if audience is not None:
            found[entry.pk] = {"n": audience.n, "mean": audience.mean}
    return found
