"""The 十佳课程擂台赛: competitions, entries, judges, peer and audience scores, results and judge flags."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import RegionScopedQuerySet
from courses.models import Course
from instructors.models import Instructor, Region, TeachingGroup, User


class CompetitionQuerySet(RegionScopedQuerySet):
    def visible_to(self, user: User) -> CompetitionQuerySet:
        """Admins all; organizers their region and below; judges where assigned; instructors where they compete
        and, once published, the competitions of their region and the regions above."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.within(user.region)
        if user.role == User.Role.JUDGE:
            return self.filter(judge_assignments__judge=user).distinct()
        instructor = Instructor.objects.filter(user=user).select_related("region").first()
        if user.role == User.Role.INSTRUCTOR and instructor is not None:
            codes = instructor.region.lineage_codes
            return self.filter(
                Q(entries__instructors=instructor) | Q(published_at__isnull=False, region__code__in=codes)
            ).distinct()
        return self.none()


class Competition(models.Model):
    """One year's competition in a region, moving through its phases by date and by an organizer's hand."""

    class Phase(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        PRELIMINARY = "preliminary", _("Preliminary (peer review)")
        FINAL = "final", _("Final (judges)")
        PUBLICITY = "publicity", _("Public notice")
        CLOSED = "closed", _("Closed")

    ORDER = [Phase.REGISTRATION, Phase.PRELIMINARY, Phase.FINAL, Phase.PUBLICITY, Phase.CLOSED]

    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="competitions", verbose_name=_("region"))
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.REGISTRATION)
    registration_ends = models.DateField(_("registration ends"))
    preliminary_ends = models.DateField(_("preliminary ends"))
    final_ends = models.DateField(_("final ends"))
    publicity_ends = models.DateField(_("public notice ends"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    ranked_at = models.DateTimeField(_("ranked"), null=True, blank=True)
    params = models.JSONField(_("parameters used"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CompetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("course competition")
        verbose_name_plural = _("course competitions")
        ordering = ["-year", "pk"]
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="one_competition_per_region_year")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluations:competition_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def phase_ends(self, phase: str):
        return {
            self.Phase.REGISTRATION: self.registration_ends,
            self.Phase.PRELIMINARY: self.preliminary_ends,
            self.Phase.FINAL: self.final_ends,
            self.Phase.PUBLICITY: self.publicity_ends,
        }.get(phase)

    @property
    def next_phase(self) -> str | None:
        index = self.ORDER.index(self.phase)
        return self.ORDER[index + 1] if index + 1 < len(self.ORDER) else None

    def round_open(self, round_: str, today=None) -> bool:
        """Scores of a round may be entered and changed while its phase runs and its date has not passed."""
        today = today or timezone.localdate()
        ends = self.phase_ends(round_)
        return self.phase == round_ and ends is not None and today <= ends


class Entry(models.Model):
    """A course entered by a teaching-research group, with the instructor(s) who deliver it."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="competition_entries", verbose_name=_("course")
    )
    instructors = models.ManyToManyField(Instructor, related_name="competition_entries", verbose_name=_("instructors"))
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.PROTECT, related_name="competition_entries", verbose_name=_("teaching group")
    )
    number = models.PositiveSmallIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("competition entry")
        verbose_name_plural = _("competition entries")
        ordering = ["competition", "number", "pk"]
        constraints = [models.UniqueConstraint(fields=["competition", "course"], name="one_entry_per_course")]

    def __str__(self) -> str:
        return f"{self.number:02d} {self.course}"


class JudgeAssignment(models.Model):
    """A judge asked to score one entry in one round; conflicts of interest are refused by the service."""

    class Round(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary")
        FINAL = "final", _("Final")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="judge_assignments")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="judge_assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judge_assignments")
    round = models.CharField(_("round"), max_length=12, choices=Round.choices, default=Round.FINAL)
    recused = models.BooleanField(_("recused"), default=False, help_text=_("A recused judge counts as missing."))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        ordering = ["entry__number", "judge_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "round", "judge"], name="one_judge_per_entry_round")]

    def __str__(self) -> str:
        return f"{self.judge} → {self.entry}"


class JudgeScore(models.Model):
    """A judge's score of one criterion of one entry, 0–100; the judge may change it while the round is open."""

    class Criterion(models.TextChoices):
        CONTENT = "content", _("Content")
        METHOD = "method", _("Method")
        EFFECT = "effect", _("Effect")

    assignment = models.ForeignKey(JudgeAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(_("criterion"), max_length=8, choices=Criterion.choices)
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("judge score")
        verbose_name_plural = _("judge scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=100), name="judge_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.criterion} {self.value}"


class PeerScore(models.Model):
    """Another entrant group's score of an entry in the preliminary round (never the entry's own group)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="peer_scores")
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("scoring group")
    )
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("peer score")
        verbose_name_plural = _("peer scores")
        constraints = [
            models.UniqueConstraint(fields=["entry", "group"], name="one_peer_score_per_group"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=100), name="peer_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.entry}: {self.value}"


class AudienceScore(models.Model):
    """The live audience's vote on an entry, kept as an aggregate: how many voted and their mean (0–100)."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="audience")
    n = models.PositiveIntegerField(_("votes"))
    mean = models.DecimalField(_("mean"), max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        verbose_name = _("audience score")
        verbose_name_plural = _("audience scores")
        constraints = [models.CheckConstraint(condition=Q(mean__gte=0, mean__lte=100), name="audience_mean_0_100")]

    def __str__(self) -> str:
        return f"{self.entry}: {self.mean} (n={self.n})"


class CompetitionResult(models.Model):
    """An entry's computed final score, its parts and rank, and the full breakdown behind them."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="results")
    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="result")
    final = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True)
    judges = models.DecimalField(_("judges"), max_digits=6, decimal_places=2, null=True)
    peers = models.DecimalField(_("peers"), max_digits=6, decimal_places=2, null=True)
    audience = models.DecimalField(_("audience (shrunk)"), max_digits=6, decimal_places=2, null=True)
    effect = models.DecimalField(_("effect sub-score"), max_digits=6, decimal_places=2, null=True)
    median = models.DecimalField(_("judges' median"), max_digits=6, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    breakdown = models.JSONField(_("breakdown"), default=dict)
    promoted = models.BooleanField(_("promoted to the premium library"), default=False)

    class Meta:
        verbose_name = _("competition result")
        verbose_name_plural = _("competition results")
        ordering = ["competition", "rank", "entry__number"]

    def __str__(self) -> str:
        return f"{self.rank}. {self.entry}"

    @property
    def is_top_ten(self) -> bool:
        return self.rank is not None and self.rank <= 10


class JudgeFlag(models.Model):
    """A judge who scored far from the trimmed mean on too many entries; published with the results."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="judge_flags")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    far = models.PositiveIntegerField(_("entries far from the mean"))
    scored = models.PositiveIntegerField(_("entries scored"))

    class Meta:
        verbose_name = _("flagged judge")
        verbose_name_plural = _("flagged judges")
        constraints = [models.UniqueConstraint(fields=["competition", "judge"], name="one_flag_per_judge")]

    def __str__(self) -> str:
        return f"{self.judge}: {self.far}/{self.scored}"

    @property
    def share(self) -> float:
        return self.far / self.scored if self.scored else 0.0
