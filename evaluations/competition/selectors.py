"""Reads of competitions, their results and who may see them."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from evaluations.competition.steps import CompetitionFacts
from evaluations.models import (
    AudienceScore,
    Competition,
    CompetitionResult,
    Entry,
    JudgeAssignment,
    JudgeScore,
    PeerScore,
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


def entries_short_of_judges(competition: Competition, minimum: int) -> list[dict]:
    """Entries with fewer than the judge minimum of complete final-round scores, with the judges each one lacks
    (assigned but recused, or not every criterion scored). Two queries whatever the number of entries."""
    criteria = len(JudgeScore.Criterion.values)
    assignments = (
        JudgeAssignment.objects.filter(competition=competition, round=JudgeAssignment.Round.FINAL)
        .annotate(n=Count("scores"))
        .select_related("judge")
        .order_by("entry_id", "judge__username")
    )
    complete: dict[int, int] = {}
    lacking: dict[int, list[str]] = {}
    for a in assignments:
        if not a.recused and a.n == criteria:
            complete[a.entry_id] = complete.get(a.entry_id, 0) + 1
        else:
            lacking.setdefault(a.entry_id, []).append(str(a.judge))
    out = []
    for entry in competition.entries.select_related("course").order_by("number", "pk"):
        k = complete.get(entry.pk, 0)
        if k < minimum:
            out.append({"entry": entry, "k": k, "minimum": minimum, "lacking": lacking.get(entry.pk, [])})
    return out


PART_LABELS = {"judges": _("judges"), "peers": _("peer groups"), "audience": _("live audience")}
TIE_LABELS = {"judges": _("judges' trimmed mean"), "effect": _("effect criterion"), "median": _("judges' median")}


def results_explained(competition: Competition, *, show_ineligible: bool) -> list[CompetitionResult]:
    """The stored results with what each number was built from, in words: the parts that existed and their
    renormalised weights, the judges used and trimmed, the audience shrinkage and the values behind a tie-break.
    Entries below the judge minimum are shown to the organizers only (never published)."""
    names = judge_names(competition)
    results = list(results_for(competition))
    by_entry = {r.entry_id: r for r in results}
    shown = []
    for result in results:
        b = result.breakdown
        for row in b.get("judges", []):
            row["name"] = names.get(row["judge"], "?")
        result.eligible = b.get("eligible", True)
        if not result.eligible and not show_ineligible:
            continue
        result.weights_text = "；".join(
            f"{PART_LABELS.get(k, k)} {w:.0%}".replace("%", " %") for k, w in (b.get("weights_used") or {}).items()
        )
        tie = b.get("tie_values")
        if tie:
            other = by_entry.get(tie["other_entry"])
            result.tie_text = _("%(name)s: %(mine).4f against %(other).4f (%(entry)s)") % {
                "name": TIE_LABELS.get(tie["name"], tie["name"]),
                "mine": tie["mine"],
                "other": tie["other"],
                "entry": other.entry.course.title if other else "?",
            }
        elif b.get("tie_break") == "shared":
            result.tie_text = _("equal on F, judges' mean, effect and median: the rank is shared")
        shown.append(result)
    return shown


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


def _groups_missing_peer(competition: Competition, groups: list[TeachingGroup] | None = None) -> list[str]:
    """Names of the entrant groups (or of ``groups``) that have not yet scored every entry of the other groups."""
    entrants = (
        TeachingGroup.objects.filter(competition_entries__competition=competition)
        .annotate(own=Count("competition_entries", filter=Q(competition_entries__competition=competition)))
        .order_by("name")
    )
    if groups is not None:
        entrants = entrants.filter(pk__in=[g.pk for g in groups])
    entries_n = competition.entries.count()
    scored = dict(
        PeerScore.objects.filter(entry__competition=competition)
        .exclude(entry__group=F("group"))
        .values("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
    return [g.name for g in entrants if scored.get(g.pk, 0) < entries_n - g.own]


def _changed_since_ranking(competition: Competition) -> bool:
    """Whether a judge, peer or audience score was saved after the ranking was computed."""
    if competition.ranked_at is None:
        return False
    after = Q(updated_at__gt=competition.ranked_at)
    return (
        JudgeScore.objects.filter(after, assignment__competition=competition).exists()
        or PeerScore.objects.filter(after, entry__competition=competition).exists()
        or AudienceScore.objects.filter(after, entry__competition=competition).exists()
    )


def competition_facts(*, competition: Competition, user: User, manages: bool, minimum: int) -> CompetitionFacts:
    """What the step panel needs, counted only for the phase the competition is in (a handful of queries)."""
    facts: dict = {"manages": manages, "entries_n": competition.entries.count()}
    phase = competition.phase
    if phase == Competition.Phase.PRELIMINARY:
        facts["groups_missing"] = _groups_missing_peer(competition)
        own = peer_groups_of(competition=competition, user=user)
        facts["my_groups_missing"] = _groups_missing_peer(competition, own) if own else []
    elif phase == Competition.Phase.FINAL:
        final = JudgeAssignment.objects.filter(
            competition=competition, round=JudgeAssignment.Round.FINAL, recused=False
        )
        criteria = len(JudgeScore.Criterion.values)
        open_ = final.annotate(n=Count("scores")).filter(n__lt=criteria)
        facts["judges_n"] = final.values("judge").distinct().count()
        facts["judges_lacking"] = [
            str(u) for u in User.objects.filter(judge_assignments__in=open_).distinct().order_by("username")
        ]
        facts["entries_short"] = len(entries_short_of_judges(competition, minimum))
        facts["changed_since_ranking"] = _changed_since_ranking(competition)
        facts["my_open_assignments"] = open_.filter(judge=user).count() if user.role == User.Role.JUDGE else 0
    return CompetitionFacts(**facts)
