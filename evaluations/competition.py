"""十佳课程擂台赛: the ranking formulas of DOMAIN.md §3 as pure functions, and the services and reads around them.

Ranking: judges' weighted criterion totals (summed in SQL) → optional normalisation of judges who scored different
subsets → trimmed mean per entry → F from judges, peers and the shrunk audience score → ranks with tie-breaks.
Everything the computation used is kept in each result's ``breakdown`` so the published page can show it.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Case, Count, DecimalField, F, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as course_services
from courses.models import PremiumLibraryEntry
from instructors.models import Instructor, TeachingGroup, User

from .models_competition import (
    AudienceScore,
    Competition,
    CompetitionResult,
    Entry,
    JudgeAssignment,
    JudgeFlag,
    JudgeScore,
    PeerScore,
)
from .models_review import Notification
from .scoring import q2
from .services import scoring_current

log = logging.getLogger(__name__)

# Defaults of DOMAIN.md §3; an admin overrides them under the "competition" key of ScoringSettings.params.
COMPETITION_DEFAULTS: dict = {
    "criteria": {"content": 0.40, "method": 0.25, "effect": 0.35},
    "parts": {"judges": 0.70, "peers": 0.20, "audience": 0.10},
    "audience_prior": 10,
    "normalise_min_scores": 5,
    "flag_distance": 15,
    "flag_share": 0.30,
    "top": 10,
}


def competition_params() -> dict:
    current = scoring_current()
    return {**COMPETITION_DEFAULTS, **current.params.get("competition", {})}


# --- Pure formulas -------------------------------------------------------------------------------------------------


def trim_count(n: int) -> int:
    """How many scores to drop from each end: 0 for n ≤ 4, 1 for 5–9, 2 for 10 or more."""
    if n <= 4:
        return 0
    if n <= 9:
        return 1
    return 2


@dataclass
class Trimmed:
    mean: float | None
    kept: list
    dropped: list


def trimmed_mean(scores: Mapping) -> Trimmed:
    """Trimmed mean of {judge: score}. Drops by position, so a repeated extreme loses one copy per trimmed place
    only; among equal scores the judge with the lower key is dropped at the low end and the higher at the top."""
    ordered = sorted(scores.items(), key=lambda item: (item[1], item[0]))
    t = trim_count(len(ordered))
    kept = ordered[t : len(ordered) - t] if t else ordered
    dropped = ordered[:t] + ordered[len(ordered) - t :] if t else []
    mean = sum(value for _key, value in kept) / len(kept) if kept else None
    return Trimmed(mean=mean, kept=[key for key, _v in kept], dropped=[key for key, _v in dropped])


def needs_normalising(scores: Mapping[int, Mapping]) -> bool:
    """True when judges scored different subsets of the entries ({entry: {judge: score}})."""
    subsets: dict = {}
    for entry, by_judge in scores.items():
        for judge in by_judge:
            subsets.setdefault(judge, set()).add(entry)
    return len({frozenset(s) for s in subsets.values()}) > 1


def normalise(scores: Mapping[int, Mapping], *, min_scores: int) -> tuple[dict, set]:
    """Map each judge with ≥ ``min_scores`` scores onto the panel's mean and spread (population SD):
    x' = μ + σ·(x − m_j)/s_j. Judges with fewer scores keep theirs. Returns ({entry: {judge: x'}}, normalised)."""
    everything = [value for by_judge in scores.values() for value in by_judge.values()]
    if not everything:
        return {e: dict(j) for e, j in scores.items()}, set()
    mu, sigma = statistics.fmean(everything), statistics.pstdev(everything)
    per_judge: dict = {}
    for by_judge in scores.values():
        for judge, value in by_judge.items():
            per_judge.setdefault(judge, []).append(value)
    shift = {}
    for judge, values in per_judge.items():
        if len(values) >= min_scores:
            shift[judge] = (statistics.fmean(values), statistics.pstdev(values))
    out = {}
    for entry, by_judge in scores.items():
        out[entry] = {}
        for judge, value in by_judge.items():
            if judge in shift:
                m, s = shift[judge]
                out[entry][judge] = mu + (sigma * (value - m) / s if s else 0.0)
            else:
                out[entry][judge] = value
    return out, set(shift)


def final_score(parts: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean of the parts present, renormalised over their weights."""
    present = {k: v for k, v in parts.items() if v is not None}
    total = sum(weights[k] for k in present)
    return sum(weights[k] * v for k, v in present.items()) / total if total else None


def shrink_audience(n: int, mean: float | None, mu: float | None, prior: int) -> float | None:
    """(n·S + prior·μ) / (n + prior): a small audience is pulled toward the mean of all entries."""
    if not n or mean is None:
        return None
    mu = mean if mu is None else mu
    return (n * mean + prior * mu) / (n + prior)


@dataclass
class Ranked:
    entry: int
    final: Decimal | None
    judges: Decimal | None
    effect: Decimal | None
    median: Decimal | None
    rank: int | None = None
    tie_break: str = ""


def rank(rows: Iterable[Ranked]) -> list[Ranked]:
    """Rank on F to 2 decimals; ties by higher judges' score, then effect, then median, else a shared rank."""
    rows = list(rows)
    scored = [r for r in rows if r.final is not None]
    low = Decimal("-1")

    def key(r: Ranked) -> tuple:
        return (r.final, r.judges or low, r.effect or low, r.median or low)

    scored.sort(key=lambda r: (tuple(-x for x in key(r)), r.entry))
    for index, row in enumerate(scored):
        previous = scored[index - 1] if index else None
        if previous is None or previous.final != row.final:
            row.rank = index + 1
            continue
        # Same F: the first tie-break that separates the two names how the order was decided.
        names = [
            name
            for position, name in ((1, "judges"), (2, "effect"), (3, "median"))
            if key(previous)[position] != key(row)[position]
        ]
        row.rank = index + 1 if names else previous.rank
        row.tie_break = names[0] if names else "shared"
        previous.tie_break = previous.tie_break or row.tie_break
    return scored + [r for r in rows if r.final is None]


def flagged_judges(used: Mapping[int, Mapping], means: Mapping[int, float | None], *, distance: float, share: float):
    """{judge: (far, scored)} for judges more than ``distance`` from the trimmed mean on ≥ ``share`` of entries."""
    counts: dict = {}
    for entry, by_judge in used.items():
        mean = means.get(entry)
        if mean is None:
            continue
        for judge, value in by_judge.items():
            far, scored = counts.get(judge, (0, 0))
            counts[judge] = (far + (abs(value - mean) > distance), scored + 1)
    return {j: c for j, c in counts.items() if c[1] and c[0] / c[1] >= share - 1e-9}


@dataclass
class EntryInput:
    entry: int
    judges: dict[int, float] = field(default_factory=dict)  # judge → weighted total
    effects: dict[int, float] = field(default_factory=dict)  # judge → effect criterion
    peers: list[float] = field(default_factory=list)
    audience_n: int = 0
    audience_mean: float | None = None


def compute_ranking(inputs: list[EntryInput], p: dict) -> tuple[list[Ranked], dict[int, dict], dict]:
    """The whole ranking: returns (ranked rows, breakdown per entry, flagged judges)."""
    raw = {i.entry: dict(i.judges) for i in inputs}
    normalised: set = set()
    used = raw
    if needs_normalising(raw):
        used, normalised = normalise(raw, min_scores=p["normalise_min_scores"])
    n_total = sum(i.audience_n for i in inputs if i.audience_mean is not None)
    mu = (
        sum(i.audience_n * i.audience_mean for i in inputs if i.audience_mean is not None) / n_total
        if n_total
        else None
    )
    rows, breakdowns, means = [], {}, {}
    for item in inputs:
        trimmed = trimmed_mean(used[item.entry])
        means[item.entry] = trimmed.mean
        peers = statistics.fmean(item.peers) if item.peers else None
        audience = shrink_audience(item.audience_n, item.audience_mean, mu, p["audience_prior"])
        parts = {"judges": trimmed.mean, "peers": peers, "audience": audience}
        final = final_score(parts, p["parts"])
        effect = statistics.fmean(item.effects.values()) if item.effects else None
        median = statistics.median(used[item.entry].values()) if used[item.entry] else None
        rows.append(Ranked(item.entry, q2(final), q2(trimmed.mean), q2(effect), q2(median)))
        breakdowns[item.entry] = {
            "judges": [
                {
                    "judge": judge,
                    "raw": round(item.judges[judge], 2),
                    "used": round(used[item.entry][judge], 2),
                    "normalised": judge in normalised,
                    "trimmed": judge in trimmed.dropped,
                }
                for judge in sorted(item.judges)
            ],
            "trim_each_end": trim_count(len(item.judges)),
            "judges_mean": _r(trimmed.mean),
            "peers": {"n": len(item.peers), "mean": _r(peers)},
            "audience": {"n": item.audience_n, "mean": item.audience_mean, "mu": _r(mu), "shrunk": _r(audience)},
            "parts_used": [k for k, v in parts.items() if v is not None],
            "final": _r(final),
            "effect": _r(effect),
            "median": _r(median),
        }
    ranked = rank(rows)
    for row in ranked:
        breakdowns[row.entry]["tie_break"] = row.tie_break
    flags = flagged_judges(used, means, distance=p["flag_distance"], share=p["flag_share"])
    return ranked, breakdowns, flags


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


# --- Conflicts, assignments and scores -----------------------------------------------------------------------------


def judge_conflict(*, entry: Entry, judge: User) -> str:
    """Why this judge may not score this entry, or '' when they may."""
    instructor = Instructor.objects.filter(user=judge).first()
    if instructor is None:
        return ""
    if entry.instructors.filter(pk=instructor.pk).exists():
        return _("Nobody judges their own entry.")
    if instructor.groups.filter(pk=entry.group_id).exists():
        return _("A judge from the entrant's own teaching-research group cannot score this entry.")
    return ""


@transaction.atomic
def judge_assign(*, entry: Entry, judge: User, round: str = JudgeAssignment.Round.FINAL) -> JudgeAssignment:  # noqa: A002
    """Assign a judge to an entry for a round; conflicts of interest are refused."""
    reason = judge_conflict(entry=entry, judge=judge)
    if reason:
        raise ValidationError(reason)
    assignment, _created = JudgeAssignment.objects.get_or_create(
        entry=entry, round=round, judge=judge, defaults={"competition_id": entry.competition_id}
    )
    return assignment


def judge_assign_all(*, competition: Competition, judge: User, round: str = JudgeAssignment.Round.FINAL):  # noqa: A002
    """Assign a judge to every entry they may score; returns (assigned, [(entry, reason) refused])."""
    assigned, refused = 0, []
    for entry in competition.entries.select_related("group"):
        try:
            judge_assign(entry=entry, judge=judge, round=round)
        except ValidationError as exc:
            refused.append((entry, " ".join(exc.messages)))
        else:
            assigned += 1
    return assigned, refused


@transaction.atomic
def judge_score_submit(
    *, assignment: JudgeAssignment, values: Mapping[str, Decimal], by: User, today: dt.date | None = None
) -> JudgeAssignment:
    """Store or replace a judge's criterion scores while the round's phase is open."""
    locked = JudgeAssignment.objects.select_for_update().select_related("competition").get(pk=assignment.pk)
    if locked.judge_id != by.pk:
        raise ValidationError(_("You can only score your own assignments."))
    if not locked.competition.round_open(locked.round, today):
        raise ValidationError(_("Scoring of this round has closed."))
    criteria = JudgeScore.Criterion.values
    if set(values) != set(criteria):
        raise ValidationError(_("Please score every criterion."))
    clean = {k: Decimal(str(v)) for k, v in values.items()}
    if any(not Decimal(0) <= v <= Decimal(100) for v in clean.values()):
        raise ValidationError(_("Scores run from 0 to 100."))
    for criterion, value in clean.items():
        JudgeScore.objects.update_or_create(assignment=locked, criterion=criterion, defaults={"value": value})
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    return locked


@transaction.atomic
def judge_recuse(*, assignment: JudgeAssignment, by: User) -> JudgeAssignment:
    """A judge steps back from an entry; their score is then missing, not zero."""
    if assignment.judge_id != by.pk and not by.can_manage_registry:
        raise ValidationError(_("You can only recuse yourself."))
    assignment.recused = True
    assignment.save(update_fields=["recused"])
    assignment.scores.all().delete()
    return assignment


def peer_score_submit(*, entry: Entry, group: TeachingGroup, value: Decimal, by: User) -> PeerScore:
    """A group's score of another group's entry in the preliminary round; never its own entry.

    Entered by the group's leader, or by the competition's organizers from a paper ballot."""
    leads = group.leader_id is not None and group.leader.user_id == by.pk
    if not leads and not Competition.objects.managed_by(by).filter(pk=entry.competition_id).exists():
        raise ValidationError(_("Only the group's leader or the competition's organizers enter its peer scores."))
    if group.pk == entry.group_id:
        raise ValidationError(_("A group does not score its own entry."))
    if not entry.competition.round_open(Competition.Phase.PRELIMINARY):
        raise ValidationError(_("Peer review is closed."))
    if not entry.competition.entries.filter(group=group).exists():
        raise ValidationError(_("Only groups with an entry review the other entries."))
    if not Decimal(0) <= Decimal(str(value)) <= Decimal(100):
        raise ValidationError(_("Scores run from 0 to 100."))
    score, _created = PeerScore.objects.update_or_create(
        entry=entry, group=group, defaults={"value": Decimal(str(value)), "submitted_by": by}
    )
    return score


def audience_score_set(*, entry: Entry, n: int, mean: Decimal, by: User | None = None) -> AudienceScore:
    """Record the live audience's vote on an entry (how many voted, their mean) while the final round is open."""
    if not entry.competition.round_open(Competition.Phase.FINAL):
        raise ValidationError(_("Audience votes are recorded during the final round only."))
    if n < 0:
        raise ValidationError(_("The number of votes cannot be negative."))
    if not Decimal(0) <= Decimal(str(mean)) <= Decimal(100):
        raise ValidationError(_("Scores run from 0 to 100."))
    score, _created = AudienceScore.objects.update_or_create(
        entry=entry, defaults={"n": n, "mean": Decimal(str(mean)), "entered_by": by}
    )
    return score


def peer_groups_of(*, competition: Competition, user: User) -> list[TeachingGroup]:
    """The entrant groups this person scores for in the preliminary round: the groups they lead."""
    return list(
        TeachingGroup.objects.filter(leader__user=user, competition_entries__competition=competition)
        .distinct()
        .order_by("name")
    )


# --- Ranking and publication ---------------------------------------------------------------------------------------


def _inputs(competition: Competition, p: dict) -> list[EntryInput]:
    weights = p["criteria"]
    weighted = Sum(
        Case(
            *(When(scores__criterion=k, then=F("scores__value") * Decimal(str(w))) for k, w in weights.items()),
            output_field=DecimalField(max_digits=9, decimal_places=4),
        )
    )
    inputs = {e: EntryInput(entry=e) for e in competition.entries.values_list("pk", flat=True)}
    rows = (
        JudgeAssignment.objects.filter(competition=competition, round=JudgeAssignment.Round.FINAL, recused=False)
        .annotate(
            n=Count("scores"),
            total=weighted,
            effect=Avg("scores__value", filter=Q(scores__criterion=JudgeScore.Criterion.EFFECT)),
        )
        .filter(n=len(weights))
        .values("entry_id", "judge_id", "total", "effect")
        .order_by()
    )
    weight_sum = sum(weights.values())
    for row in rows:
        item = inputs[row["entry_id"]]
        item.judges[row["judge_id"]] = float(row["total"]) / weight_sum
        item.effects[row["judge_id"]] = float(row["effect"])
    peers = PeerScore.objects.filter(entry__competition=competition).exclude(group=F("entry__group"))
    for entry_id, value in peers.values_list("entry_id", "value"):
        inputs[entry_id].peers.append(float(value))
    for audience in AudienceScore.objects.filter(entry__competition=competition):
        inputs[audience.entry_id].audience_n = audience.n
        inputs[audience.entry_id].audience_mean = float(audience.mean)
    return list(inputs.values())


@transaction.atomic
def competition_rank(*, competition_id: int) -> int:
    """Compute and store every entry's result and the flagged judges; rerunning gives identical rows."""
    competition = Competition.objects.select_for_update().get(pk=competition_id)
    if competition.is_published:
        raise ValidationError(_("The results are published and can no longer be recomputed."))
    p = competition_params()
    ranked, breakdowns, flags = compute_ranking(_inputs(competition, p), p)
    for row in ranked:
        CompetitionResult.objects.update_or_create(
            entry_id=row.entry,
            defaults={
                "competition": competition,
                "final": row.final,
                "judges": row.judges,
                "peers": q2(breakdowns[row.entry]["peers"]["mean"]),
                "audience": q2(breakdowns[row.entry]["audience"]["shrunk"]),
                "effect": row.effect,
                "median": row.median,
                "rank": row.rank,
                "breakdown": breakdowns[row.entry],
            },
        )
    JudgeFlag.objects.filter(competition=competition).exclude(judge_id__in=list(flags)).delete()
    for judge, (far, scored) in flags.items():
        JudgeFlag.objects.update_or_create(
            competition=competition, judge_id=judge, defaults={"far": far, "scored": scored}
        )
    competition.ranked_at = timezone.now()
    competition.params = p
    competition.save(update_fields=["ranked_at", "params"])
    return len(ranked)


@transaction.atomic
def competition_advance(*, competition: Competition, by: User) -> Competition:
    """Move to the next phase; entering the public notice publishes the results and promotes the top ten."""
    locked = Competition.objects.select_for_update().get(pk=competition.pk)
    target = locked.next_phase
    if target is None:
        raise ValidationError(_("The competition is closed."))
    if target == Competition.Phase.PUBLICITY:
        if locked.ranked_at is None:
            raise ValidationError(_("Compute the ranking before publishing it."))
        _publish(locked, by)
    locked.phase = target
    locked.save(update_fields=["phase"])
    return locked


def _publish(competition: Competition, by: User) -> None:
    competition.published_at = timezone.now()
    competition.save(update_fields=["published_at"])
    top = competition.params.get("top", COMPETITION_DEFAULTS["top"])
    results = competition.results.filter(rank__lte=top).select_related("entry__course").order_by("rank")
    for result in results:
        source = _("%(name)s, rank %(rank)d") % {"name": competition.name, "rank": result.rank}
        try:
            with transaction.atomic():
                course_services.premium_library_add(
                    course=result.entry.course,
                    year=competition.year + 1,
                    reason=PremiumLibraryEntry.Reason.COMPETITION_TOP_TEN,
                    by=by,
                    source=source,
                )
        except (ValidationError, IntegrityError) as exc:
            log.warning("entry %s not promoted: %s", result.entry_id, exc)
            continue
        result.promoted = True
        result.save(update_fields=["promoted"])
    users = User.objects.filter(instructor__competition_entries__competition=competition).distinct()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            text=_("The results of %(name)s are published.") % {"name": competition.name},
            link=competition.get_absolute_url(),
        )
        for user in users
    )


# --- Reads ---------------------------------------------------------------------------------------------------------


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
