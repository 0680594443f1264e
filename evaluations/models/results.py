"""Computed results of lectures and training sessions, their follow-ups and the consequences they propose."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import Course, TrainingSession
from evaluations.models.settings import IndicatorSystem, ScoringSettings
from evaluations.models.survey import Evaluation
from instructors.models import Instructor
from outreach.models import Lecture


class TraineeFigures(models.Model):
    """What every computed result holds: the score, the trainee counts, satisfaction with its one-sided bounds,
    the dimension scores, the explanation and the versions that produced them (filled by
    ``result_services._fill_trainee_figures``)."""

    year = models.PositiveSmallIntegerField(db_index=True)
    scoring = models.ForeignKey(ScoringSettings, on_delete=models.PROTECT, related_name="+")
    system = models.ForeignKey(IndicatorSystem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    insufficient = models.BooleanField(default=True)
    trainee_n = models.PositiveIntegerField(default=0)
    dropped_n = models.PositiveIntegerField(default=0)
    uniform_n = models.PositiveIntegerField(default=0)
    sr_n = models.PositiveIntegerField(default=0)
    sr = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    sr_lower = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    sr_upper = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    sr_yellow = models.BooleanField(default=False)
    dimension_scores = models.JSONField(default=dict)
    explanation = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def usable(self) -> bool:
        """Used for decisions: enough answers and enough counted weight."""
        return not self.insufficient and self.score is not None


class LectureResult(TraineeFigures):
    """The computed result of a lecture with every figure behind it and the versions that produced it."""

    class Flag(models.TextChoices):
        NONE = "", _("None")
        YELLOW = "yellow", _("Yellow")
        RED = "red", _("Red")

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="result")
    lecture = models.OneToOneField(Lecture, on_delete=models.CASCADE, related_name="result")
    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="lecture_results")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lecture_results")
    flag = models.CharField(max_length=6, choices=Flag.choices, blank=True, default="", db_index=True)
    flag_rule = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("lecture result")
        verbose_name_plural = _("lecture results")
        indexes = [
            models.Index(fields=["instructor", "year", "computed_at"]),
            models.Index(fields=["course", "year"]),
            # The stamp of a year's results (latest computation) is one index lookup: result_selectors.results_stamp.
            models.Index(fields=["year", "computed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.lecture}: {self.score}"


class SessionResult(TraineeFigures):
    """The computed result of one training session: its trainees' mean score and satisfaction, with the figures.

    Only trainees rate a session, so the score is the mean of the valid answer sheets (0–100) and it is shown once
    the trainee minimum of the settings is reached. Stored with the versions that produced it, like a lecture's.
    """

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="session_result")
    session = models.OneToOneField(TrainingSession, on_delete=models.CASCADE, related_name="result")
    satisfied_n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("training session result")
        verbose_name_plural = _("training session results")

    def __str__(self) -> str:
        return f"{self.session}: {self.score}"


class FollowUp(models.Model):
    """课后跟踪反馈: what was fed back to the instructor after a lecture and the improvement agreed."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="follow_ups")
    feedback = models.TextField(_("feedback given"))
    improvement = models.TextField(_("improvement agreed"))
    due_on = models.DateField(_("check again by"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.lecture_id}: {self.feedback[:30]}"


class ResultAction(models.Model):
    """结果运用: a consequence a result proposes; nothing changes until an organizer confirms it."""

    class Kind(models.TextChoices):
        RECTIFY = "rectify", _("Take the course off the shelf for rectification")
        RETRAIN = "retrain", _("Retrain the instructor")
        PROMOTE = "promote", _("Promote the course to the premium library")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Rejected")

    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    result = models.ForeignKey(LectureResult, on_delete=models.CASCADE, related_name="actions")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    rule = models.CharField(_("rule"), max_length=60)
    figures = models.JSONField(_("figures"), default=dict)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposed consequence")
        verbose_name_plural = _("proposed consequences")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["result", "kind"], name="one_action_per_result_and_kind")]
        # The consequences list (结果运用) is one status, newest first, 200 rows: walked in this index's order.
        indexes = [models.Index(fields=["status", "-created_at"], name="action_status_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.result.lecture}"
