"""The competition's writes: judges, scores, peer and audience scores, ranking, phases and publication."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Case, Count, DecimalField, F, Q, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import error_text
from core.queue import enqueue
from courses import services as course_services
from courses.models import PremiumLibraryEntry
from evaluations.models import (
    AudienceScore,
    Competition,
    CompetitionResult,
    Entry,
    JudgeAssignment,
    JudgeFlag,
    JudgeScore,
    Notification,
    PeerScore,
)
from evaluations.results import services as result_services
from evaluations.scoring import q2
from evaluations.scoring.ranking import COMPETITION_DEFAULTS, EntryInput, compute_ranking
from evaluations.survey.services import scoring_current
from instructors.models import Instructor, TeachingGroup, User

log = logging.getLogger(__name__)


def competition_params() -> dict:
    current = scoring_current()
    return {**COMPETITION_DEFAULTS, **current.params.get("competition", {})}


def judge_conflict(*, entry: Entry, judge: User) -> ValidationError | None:
    """Why this judge may not score this entry (an error with its code), or None when they may."""
    instructor = Instructor.objects.filter(user=judge).first()
    if instructor is None:
        return None
    if entry.instructors.filter(pk=instructor.pk).exists():
        return ValidationError(_("Nobody judges their own entry."), code="own_entry")
    if instructor.groups.filter(pk=entry.group_id).exists():
        return ValidationError(
            _("A judge from the entrant's own teaching-research group cannot score this entry."),
            code="judge_same_group",
        )
    return None


@transaction.atomic
def judge_assign(*, entry: Entry, judge: User, round: str = JudgeAssignment.Round.FINAL) -> JudgeAssignment:  # noqa: A002
    """Assign a judge to an entry for a round; conflicts of interest are refused."""
    conflict = judge_conflict(entry=entry, judge=judge)
    if conflict:
        raise conflict
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
            refused.append((entry, error_text(exc)))
        else:
            assigned += 1
    return assigned, refused


def score_in_range(value) -> Decimal:
    """The one check of a competition score: a number from 0 to 100 (judges, peers and the audience alike)."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValidationError(_("Scores run from 0 to 100."), code="score_range")
    return number


def _named(entry: Entry, exc: ValidationError) -> ValidationError:
    """The same refusal, named by its row, keeping its code."""
    message = _("No. %(n)s %(course)s: %(error)s") % {
        "n": entry.number,
        "course": entry.course,
        "error": error_text(exc),
    }
    return ValidationError(message, code=exc.error_list[0].code)


@transaction.atomic
def judge_score_submit(
    *, assignment: JudgeAssignment, values: Mapping[str, Decimal], by: User, today: dt.date | None = None
) -> JudgeAssignment:
    """Store or replace a judge's criterion scores while the round's phase is open."""
    locked = JudgeAssignment.objects.select_for_update().select_related("competition").get(pk=assignment.pk)
    if locked.judge_id != by.pk:
        raise ValidationError(_("You can only score your own assignments."), code="not_your_assignment")
    if not locked.competition.round_open(locked.round, today):
        raise ValidationError(_("Scoring of this round has closed."), code="round_closed")
    criteria = JudgeScore.Criterion.values
    if set(values) != set(criteria):
        raise ValidationError(_("Please score every criterion."), code="criteria_incomplete")
    clean = {k: score_in_range(v) for k, v in values.items()}
    for criterion, value in clean.items():
        JudgeScore.objects.update_or_create(assignment=locked, criterion=criterion, defaults={"value": value})
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    return locked


@transaction.atomic
def judge_scores_submit(*, scores: Mapping[JudgeAssignment, Mapping[str, Decimal]], by: User) -> int:
    """A judge's scores of several entries: all rows are stored, or none (the refused row is named)."""
    for assignment, values in scores.items():
        try:
            judge_score_submit(assignment=assignment, values=values, by=by)
        except ValidationError as exc:
            raise _named(assignment.entry, exc) from None
    return len(scores)


@transaction.atomic
def judge_recuse(*, assignment: JudgeAssignment, by: User) -> JudgeAssignment:
    """A judge steps back from an entry; their score is then missing, not zero."""
    if assignment.judge_id != by.pk and not by.can_manage_registry:
        raise ValidationError(_("You can only recuse yourself."), code="not_your_assignment")
    if not assignment.competition.round_open(assignment.round):
        raise ValidationError(_("Scoring of this round has closed."), code="round_closed")
    assignment.recused = True
    assignment.save(update_fields=["recused"])
    assignment.scores.all().delete()
    return assignment


def peer_score_submit(*, entry: Entry, group: TeachingGroup, value: Decimal, by: User) -> PeerScore:
    """A group's score of another group's entry in the preliminary round; never its own entry.

    Entered by the group's leader, or by the competition's organizers from a paper ballot."""
    leads = group.leader_id is not None and group.leader.user_id == by.pk
    if not leads and not Competition.objects.managed_by(by).filter(pk=entry.competition_id).exists():
        raise ValidationError(
            _("Only the group's leader or the competition's organizers enter its peer scores."), code="not_group_leader"
        )
    if group.pk == entry.group_id:
        raise ValidationError(_("A group does not score its own entry."), code="own_entry")
    if not entry.competition.round_open(Competition.Phase.PRELIMINARY):
        raise ValidationError(_("Peer review is closed."), code="peer_review_closed")
    if not entry.competition.entries.filter(group=group).exists():
        raise ValidationError(_("Only groups with an entry review the other entries."), code="group_without_entry")
    value = score_in_range(value)
    score, _created = PeerScore.objects.update_or_create(
        entry=entry, group=group, defaults={"value": value, "submitted_by": by}
    )
    return score


@transaction.atomic
def peer_scores_submit(*, group: TeachingGroup, scores: Mapping[Entry, Decimal], by: User) -> int:
    """A group's scores of several entries: all rows are stored, or none (the refused row is named)."""
    for entry, value in scores.items():
        try:
            peer_score_submit(entry=entry, group=group, value=value, by=by)
        except ValidationError as exc:
            raise _named(entry, exc) from None
    return len(scores)


def audience_score_set(*, entry: Entry, n: int, mean: Decimal, by: User | None = None) -> AudienceScore:
    """Record the live audience's vote on an entry (how many voted, their mean) while the final round is open."""
    if not entry.competition.round_open(Competition.Phase.FINAL):
        raise ValidationError(_("Audience votes are recorded during the final round only."), code="not_final_round")
    if n < 0:
        raise ValidationError(_("The number of votes cannot be negative."), code="negative_votes")
    mean = score_in_range(mean)
    score, _created = AudienceScore.objects.update_or_create(
        entry=entry, defaults={"n": n, "mean": mean, "entered_by": by}
    )
    return score


@transaction.atomic
def audience_scores_set(*, votes: Mapping[Entry, tuple[int, Decimal]], by: User) -> int:
    """The audience's votes on several entries: all rows are stored, or none (the refused row is named)."""
    for entry, (n, mean) in votes.items():
        try:
            audience_score_set(entry=entry, n=n, mean=mean, by=by)
        except ValidationError as exc:
            raise _named(entry, exc) from None
    return len(votes)


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
        raise ValidationError(_("The results are published and can no longer be recomputed."), code="published")
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


def competition_rank_request(*, competition: Competition) -> bool:
    """Rank the entries in a worker (True), or here and now when no broker can take the task (False)."""
    if competition.is_published:
        raise ValidationError(_("The results are published and can no longer be recomputed."), code="published")
    if enqueue("evaluations.tasks.competition_rank_task", competition.pk):
        return True
    competition_rank(competition_id=competition.pk)  # the ranking takes a second
    return False


@transaction.atomic
def competition_advance(*, competition: Competition, by: User) -> Competition:
    """Move to the next phase; entering the public notice publishes the results and promotes the top ten."""
    locked = Competition.objects.select_for_update().get(pk=competition.pk)
    target = locked.next_phase
    if target is None:
        raise ValidationError(_("The competition is closed."), code="competition_closed")
    if target == Competition.Phase.PUBLICITY:
        if locked.ranked_at is None:
            raise ValidationError(_("Compute the ranking before publishing it."), code="not_ranked")
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
    # The top-ten and finalist bonuses enter the entrants' yearly quality Q now (docs/scoring.md §2.6).
    entrants = list(
        Instructor.objects.filter(competition_entries__competition=competition).values_list("pk", flat=True).distinct()
    )
    result_services.instructors_quality_refresh(year=competition.year, instructor_ids=entrants)
    users = User.objects.filter(instructor__competition_entries__competition=competition).distinct()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            text=_("The results of %(name)s are published.") % {"name": competition.name},
            link=competition.get_absolute_url(),
        )
        for user in users
    )
