"""Admit/retire review cycles (能者进、庸者退), their proposals and manual vetoes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import RegionScopedQuerySet, below_q
from evaluations.scoring.review_rules import Outcome
from instructors.models import Instructor, Region, User


class ReviewCycleQuerySet(RegionScopedQuerySet):
    def visible_to(self, user: User) -> ReviewCycleQuerySet:
        """Admins all; organizers the cycles of their region and below; nobody else."""
        return self.managed_by(user)

    def due(self, now=None) -> ReviewCycleQuerySet:
        """Pending cycles whose run time has come."""
        return self.filter(status=ReviewCycle.Status.PENDING, due_at__lte=now or timezone.now())


class ReviewCycle(models.Model):
    """One review of a region's pool over a period; Celery beat runs it once ``due_at`` has passed."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        QUARTERLY = "quarterly", _("Quarterly")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Proposals ready")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="review_cycles", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due_at = models.DateTimeField(_("runs at"), help_text=_("The review runs automatically once this time has passed."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    total = models.PositiveIntegerField(_("instructors to review"), default=0)
    processed = models.PositiveIntegerField(_("instructors reviewed"), default=0)
    # The run that holds the cycle; a conditional UPDATE on it is the lock, heartbeat shows it is alive.
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    heartbeat = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ReviewCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-period_end", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "period_start", "period_end"], name="uniq_review_cycle"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="review_cycle_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_kind_display()} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:review_cycle_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)

    @property
    def can_start(self) -> bool:
        return self.status != self.Status.RUNNING


class ReviewProposalQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReviewProposalQuerySet:
        """Organizers: proposals of the cycles they see; instructors: their own decided outcomes."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(below_q("cycle__region", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(instructor__user=user).exclude(status=ReviewProposal.Status.PROPOSED)
        return self.none()


class ReviewProposal(models.Model):
    """What the review proposes for one instructor in one cycle, the rule that fired and the figures behind it."""

    Outcome = Outcome  # defined beside the pure rules that decide it

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        OVERRIDDEN = "overridden", _("Overridden")

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("cycle"))
    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="review_proposals", verbose_name=_("instructor")
    )
    proposal = models.CharField(_("proposal"), max_length=10, choices=Outcome.choices, db_index=True)
    rule = models.CharField(_("rule"), max_length=40)
    quality = models.DecimalField(_("quality"), max_digits=5, decimal_places=2, null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    # The settings version the figures and the rule were computed with: labels quote its thresholds.
    scoring = models.ForeignKey(
        "evaluations.ScoringSettings", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("decision"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decision = models.CharField(_("outcome decided"), max_length=10, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    objects = ReviewProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("review proposal")
        verbose_name_plural = _("review proposals")
        ordering = ["cycle", "instructor__pinyin", "pk"]
        constraints = [models.UniqueConstraint(fields=["cycle", "instructor"], name="one_proposal_per_cycle")]

    def __str__(self) -> str:
        return f"{self.instructor}: {self.get_proposal_display()}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:review_proposal_detail", args=[self.pk])

    @property
    def outcome(self) -> str:
        """The outcome in force: the organizer's choice once decided, the proposal before."""
        return self.decision or self.proposal

    @property
    def can_decide(self) -> bool:
        return self.status == self.Status.PROPOSED


class ReviewVeto(models.Model):
    """一票否决: an organizer's manual veto; the next review proposes retirement whatever the figures say.

    A veto is never edited or deleted: it is revoked, with who, when and why, so the record stays complete.
    At most one veto per instructor is in force (database constraint), so a second click adds nothing.
    """

    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="review_vetoes", verbose_name=_("instructor")
    )
    reason = models.TextField(_("reason"))
    revoked = models.BooleanField(_("revoked"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("review veto")
        verbose_name_plural = _("review vetoes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["instructor"], condition=Q(revoked=False), name="one_veto_in_force_per_instructor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor}: {self.reason[:30]}"
