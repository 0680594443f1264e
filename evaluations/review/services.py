"""Review cycles and vetoes, and the organizer's decisions that apply proposals through the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.queue import enqueue
from evaluations.models import (
    Notification,
    ReviewCycle,
    ReviewProposal,
    ReviewVeto,
)
from evaluations.review.run import review_params
from evaluations.review.selectors import review_undecided_matching
from evaluations.scoring.review_rules import Outcome, rule_label
from instructors import services as registry_services
from instructors.models import Instructor, User

# E-mail copies of review outcomes per Celery task (one SMTP connection each).
MAIL_BATCH = 50

# Which registry status an outcome leads to (None: unchanged).
OUTCOME_STATUS = {
    Outcome.RETIRE: Instructor.Status.RETIRED,
    Outcome.WARN: Instructor.Status.PROBATION,
    Outcome.PROBATION: Instructor.Status.PROBATION,
    Outcome.RETAIN: Instructor.Status.ACTIVE,
    Outcome.EXCELLENT: Instructor.Status.ACTIVE,
    Outcome.ADMIT: Instructor.Status.ACTIVE,
}


def review_cycle_create(
    *, region, kind: str, period_start: dt.date, period_end: dt.date, due_at: dt.datetime, by: User | None
) -> ReviewCycle:
    """Plan a review cycle for a region; beat runs it once due."""
    if period_end < period_start:
        raise ValidationError(_("The period must end after it starts."), code="period_order")
    if ReviewCycle.objects.filter(region=region, kind=kind, period_start=period_start, period_end=period_end).exists():
        raise ValidationError(_("This review cycle already exists."), code="cycle_exists")
    return ReviewCycle.objects.create(
        region=region, kind=kind, period_start=period_start, period_end=period_end, due_at=due_at, created_by=by
    )


@transaction.atomic
def review_cycle_start(*, cycle: ReviewCycle, by: User | None) -> ReviewCycle:
    """Run a cycle now (again, if done): undecided proposals are recomputed, decided ones are kept."""
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if not locked.can_start:
        raise ValidationError(_("This review is already running."), code="cycle_running")
    locked.status = ReviewCycle.Status.PENDING
    locked.processed = 0
    # Due now: if the broker cannot take the task, the next beat tick runs the cycle (review_cycles_due).
    locked.due_at = min(locked.due_at, timezone.now())
    locked.save(update_fields=["status", "processed", "due_at"])
    transaction.on_commit(lambda: enqueue("evaluations.tasks.review_cycle_run_task", locked.pk))
    return locked


@transaction.atomic
def review_veto_add(*, instructor: Instructor, reason: str, by: User | None) -> ReviewVeto:
    """Record a manual veto (一票否决); the next review proposes retirement. One veto in force per instructor."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give the reason for the veto."), code="reason_required")
    if len(reason) > 1000:
        raise ValidationError(_("The reason is too long (at most 1,000 characters)."), code="reason_too_long")
    try:
        with transaction.atomic():
            return ReviewVeto.objects.create(instructor=instructor, reason=reason, created_by=by)
    except IntegrityError:
        raise ValidationError(_("A veto is already in force for this instructor."), code="veto_in_force") from None


@transaction.atomic
def review_veto_revoke(*, veto: ReviewVeto, reason: str, by: User) -> ReviewVeto:
    """Lift a veto: kept on record with who lifted it, when and why; the next review no longer counts it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give the reason for lifting the veto."), code="reason_required")
    locked = ReviewVeto.objects.select_for_update().get(pk=veto.pk)
    if locked.revoked:
        raise ValidationError(_("This veto has already been lifted."), code="veto_lifted")
    locked.revoked, locked.revoked_by, locked.revoked_at, locked.revoke_reason = True, by, timezone.now(), reason[:1000]
    locked.save(update_fields=["revoked", "revoked_by", "revoked_at", "revoke_reason"])
    return locked


def _apply(*, proposal: ReviewProposal, outcome: str, by: User, reason: str) -> None:
    instructor = proposal.instructor
    target = OUTCOME_STATUS[outcome]
    if instructor.status != target:
        registry_services.instructor_change_status(instructor=instructor, to_status=target, by=by, reason=reason)


def _notify(*, proposal: ReviewProposal, outcome: str, reason: str) -> Notification | None:
    """The in-app message; returned when it should also go out by e-mail (the caller queues the mail)."""
    user = proposal.instructor.user
    if user is None:
        return None
    text = _("Review %(cycle)s: %(outcome)s. %(reason)s") % {
        "cycle": proposal.cycle,
        "outcome": ReviewProposal.Outcome(outcome).label,
        "reason": reason,
    }
    note = Notification.objects.create(user=user, text=text, link=proposal.get_absolute_url())
    return note if user.email else None


def _queue_mail(notification_ids: list[int]) -> None:
    """After commit, queue the e-mail copies in batches of MAIL_BATCH: the page never waits for SMTP."""
    for start in range(0, len(notification_ids), MAIL_BATCH):
        batch = notification_ids[start : start + MAIL_BATCH]
        transaction.on_commit(lambda batch=batch: enqueue("evaluations.tasks.review_mail_task", batch))


@transaction.atomic
def review_mail_send(*, notification_ids: list[int]) -> int:
    """Send the e-mail copies of these notifications over one SMTP connection; each goes out once (a notification
    already mailed, or being mailed by a concurrent run, is skipped). Returns the number sent."""
    notes = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(pk__in=notification_ids, mailed_at__isnull=True)
        .select_related("user")
    )
    messages = [
        EmailMessage(_("Your review outcome"), note.text, None, [note.user.email]) for note in notes if note.user.email
    ]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    Notification.objects.filter(pk__in=[note.pk for note in notes]).update(mailed_at=timezone.now())
    return len(messages)


def review_proposal_decide(
    *, proposal: ReviewProposal, by: User, reason: str = "", outcome: str | None = None
) -> ReviewProposal:
    """Approve a proposal (outcome None) or override it with another outcome; applies it and tells the instructor
    (in the portal at once, by e-mail through a Celery task)."""
    with transaction.atomic():
        decided, note = _proposal_decide(proposal=proposal, by=by, reason=reason, outcome=outcome)
        _queue_mail([note.pk] if note else [])
    return decided


def _proposal_decide(
    *, proposal: ReviewProposal, by: User, reason: str, outcome: str | None
) -> tuple[ReviewProposal, Notification | None]:
    locked = (
        ReviewProposal.objects.select_for_update(of=("self",))
        .select_related("cycle", "instructor__user")
        .get(pk=proposal.pk)
    )
    if not locked.can_decide:
        raise ValidationError(_("This proposal has already been decided."), code="already_decided")
    if locked.cycle.status != ReviewCycle.Status.DONE:
        raise ValidationError(_("Wait until the review has finished before deciding."), code="cycle_not_done")
    reason = (reason or "").strip()
    override = outcome is not None and outcome != locked.proposal
    if outcome is not None and outcome not in ReviewProposal.Outcome.values:
        raise ValidationError(_("Unknown outcome."), code="unknown_outcome")
    if override and not reason:
        raise ValidationError(_("Please give the reason for overriding the proposal."), code="reason_required")
    if outcome == Outcome.ADMIT and locked.instructor.status != Instructor.Status.CANDIDATE:
        raise ValidationError(_("Only a candidate can be admitted."), code="not_candidate")
    chosen = outcome if override else locked.proposal
    reason = reason or _("Review %(cycle)s: %(rule)s") % {
        "cycle": locked.cycle,
        "rule": rule_label(locked.rule, _params(locked)),
    }
    _apply(proposal=locked, outcome=chosen, by=by, reason=reason)
    locked.status = ReviewProposal.Status.OVERRIDDEN if override else ReviewProposal.Status.APPROVED
    locked.decision = chosen
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.reason = reason
    locked.save(update_fields=["status", "decision", "decided_by", "decided_at", "reason"])
    return locked, _notify(proposal=locked, outcome=chosen, reason=reason)


def review_proposals_approve(*, cycle: ReviewCycle, ids: Iterable[int], by: User) -> tuple[int, list[str]]:
    """Approve several proposals; each in its own transaction, so one refusal does not undo the others. A proposal
    already decided (a double submit, or another organizer first) is skipped, not refused, so submitting twice
    decides each once. The e-mails are queued afterwards in batches, so the page returns at once."""
    approved, errors, mails = 0, [], []
    chosen = ReviewProposal.objects.filter(cycle=cycle, pk__in=list(ids), status=ReviewProposal.Status.PROPOSED)
    for proposal in chosen.select_related("instructor").order_by("pk"):
        try:
            with transaction.atomic():
                _decided, note = _proposal_decide(proposal=proposal, by=by, reason="", outcome=None)
        except ValidationError as exc:
            if exc.code != "already_decided":
                errors.append(f"{proposal.instructor}: {' '.join(exc.messages)}")
        else:
            approved += 1
            if note:
                mails.append(note.pk)
    _queue_mail(mails)
    return approved, errors


def review_proposals_approve_matching(
    *, cycle: ReviewCycle, proposal: str = "", status: str = "", expected: int, by: User
) -> tuple[int, list[str]]:
    """Approve every undecided proposal of the cycle that matches the list's filter, as the organizer confirmed it
    for ``expected`` proposals: refused when the count has changed since (new proposals, another decision), unless
    nothing is left to decide (a second submit of the same confirmation)."""
    ids = list(review_undecided_matching(cycle=cycle, proposal=proposal, status=status).values_list("pk", flat=True))
    if ids and len(ids) != expected:
        raise ValidationError(
            _("%(n)d proposals now match the filter, not the %(expected)d you confirmed: check the list again.")
            % {"n": len(ids), "expected": expected},
            code="selection_changed",
        )
    return review_proposals_approve(cycle=cycle, ids=ids, by=by)


def _params(proposal: ReviewProposal) -> dict:
    return review_params(proposal.scoring) if proposal.scoring_id else review_params()
