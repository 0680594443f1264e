"""Evaluation (质量评估): indicator systems, anonymous trainee answers, named raters, results and their consequences.

The top floor: it reads lectures (outreach), courses and instructors, and changes them only through their services.
Anonymity follows EvaP: an answer row (``Response``) carries no user, no IP, no user agent, no time and a random
primary key; what stops a second answer from the same device (``DeviceVote``) lives in its own table with no link
to the answer, and free-text comments (``Comment``) are stored apart from the scores.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Course, TrainingSession
from instructors.models import Instructor
from outreach.models import Lecture

from .scoring import DEFAULTS


def new_link_secret() -> str:
    return secrets.token_hex(16)


class RaterRole(models.TextChoices):
    TRAINEE = "trainee", _("Trainee")
    EXPERT = "expert", _("Expert")
    PEER = "peer", _("Peer instructor")
    ORGANIZER = "organizer", _("Training organizer")
    GRASSROOTS = "grassroots", _("Grassroots member representative")
    MEDIA = "media", _("Media observer")


class ScoringSettings(models.Model):
    """One immutable version of every number in the scoring rules; results record the version they used."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    params = models.JSONField(_("parameters"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("scoring settings")
        verbose_name_plural = _("scoring settings")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_scoring_settings"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def value(self, key: str):
        return self.params.get(key, DEFAULTS[key])

    @property
    def merged(self) -> dict:
        return {**DEFAULTS, **self.params}


class IndicatorSystem(models.Model):
    """A versioned set of weighted indicators (教学内容 / 教学方式 / 培训效果 …); frozen once answers use it."""

    name = models.CharField(_("name"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="uniq_indicator_system_version"),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_indicator_system"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def in_use(self) -> bool:
        return self.evaluations.exists()


class Dimension(models.Model):
    """A group of indicators (教学内容, 教学方式, 培训效果)."""

    system = models.ForeignKey(IndicatorSystem, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("name"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One weighted question raters answer."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=40)
    question = models.CharField(_("question shown to raters"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=3)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__order", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Subject(NamedTuple):
    """What an evaluation rates, as shown on the survey, the poster and the organizer's pages."""

    kind: str  # "lecture" or "session"
    title: str
    teacher: str
    starts_at: dt.datetime
    place: str


class Evaluation(models.Model):
    """The evaluation of one lecture, or of one session of an instructor training programme (以训提能: the attending
    instructors rate each session on the spot, 课中现场评估): indicator system, settings, survey window, link secret.

    Exactly one of ``lecture`` and ``session`` is set (database constraint). Sessions are rated by their trainees
    only, through the same anonymous QR survey; their results are ``SessionResult`` rows, which feed the organizers'
    menu adjustment and never an instructor's record (the teacher is usually from a party school, not the pool).
    """

    lecture = models.OneToOneField(Lecture, on_delete=models.PROTECT, related_name="evaluation", null=True, blank=True)
    session = models.OneToOneField(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="evaluation",
        null=True,
        blank=True,
        verbose_name=_("training session"),
    )
    system = models.ForeignKey(IndicatorSystem, on_delete=models.PROTECT, related_name="evaluations")
    scoring = models.ForeignKey(ScoringSettings, on_delete=models.PROTECT, related_name="evaluations")
    # Part of the signed survey link: rotating it invalidates every printed QR code of this lecture.
    link_secret = models.CharField(max_length=32, default=new_link_secret, editable=False)
    opens_at = models.DateTimeField(_("survey opens"))
    closes_at = models.DateTimeField(_("survey closes"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(lecture__isnull=False, session__isnull=True)
                | Q(lecture__isnull=True, session__isnull=False),
                name="evaluation_rates_one_lecture_or_one_session",
            )
        ]

    def __str__(self) -> str:
        return str(self.lecture if self.lecture_id else self.session)

    def get_absolute_url(self) -> str:
        return reverse("evaluations:evaluation_detail", args=[self.pk])

    @property
    def subject(self) -> Subject:
        if self.lecture_id:
            lecture = self.lecture
            return Subject(
                "lecture",
                lecture.course.title,
                lecture.instructor.name,
                lecture.start,
                lecture.organization.name if lecture.organization_id else "",
            )
        session = self.session
        return Subject("session", session.title, session.teacher, session.starts_at, session.place)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at <= self.closes_at


class DeviceVote(models.Model):
    """That a device has answered an evaluation: a keyed hash of the device cookie, never linked to the answer."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="+")
    device_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "device_hash"], name="one_vote_per_device")]

    def __str__(self) -> str:
        return f"vote {self.pk}"


class Response(models.Model):
    """One anonymous trainee answer sheet: scores only, with a random key so rows carry no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="responses")
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction"),
        choices=[(4, _("Very satisfied")), (3, _("Satisfied")), (2, _("Fairly satisfied")), (1, _("Dissatisfied"))],
        null=True,
    )
    score = models.DecimalField(max_digits=6, decimal_places=3, null=True)
    answered_weight = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    valid = models.BooleanField(default=True)
    dropped_reason = models.CharField(
        max_length=12,
        blank=True,
        choices=[("too_little", _("Too little answered")), ("speeder", _("Too fast, all items equal"))],
    )
    uniform = models.BooleanField(default=False, help_text=_("Every item the same (flagged, still counted)."))

    class Meta:
        verbose_name = _("trainee answer")
        verbose_name_plural = _("trainee answers")
        indexes = [models.Index(fields=["evaluation", "valid"])]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class Answer(models.Model):
    """One indicator of one answer sheet, on the 1–5 scale."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "indicator"], name="one_answer_per_indicator"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="answer_value_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value}"


class Comment(models.Model):
    """A free-text comment, stored apart from the scores; the instructor sees it only once it is made public."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLIC = "public", _("Public (instructor sees it)")
        PRIVATE = "private", _("Private (organizers only)")
        REMOVED = "removed", _("Removed")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("comment"), max_length=1000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    moderation_reason = models.CharField(_("reason"), max_length=200, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:40]


class RaterAssignment(models.Model):
    """A named rater (expert, peer, organizer, representative, observer) asked to score one lecture."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=12, choices=[c for c in RaterRole.choices if c[0] != "trainee"])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="rater_assignments"
    )
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("For a rater without an account."))
    token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe, editable=False)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("rater assignment")
        verbose_name_plural = _("rater assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "user"], condition=Q(user__isnull=False), name="one_assignment_per_rater"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.user or self.name}"

    def clean(self) -> None:
        if not self.user_id and not self.name:
            raise ValidationError(_("Give either an account or a name for the rater."))


class RaterAnswer(models.Model):
    """A named rater's score of one indicator, 0–100."""

    assignment = models.ForeignKey(RaterAssignment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator"], name="one_rater_answer_per_indicator"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=100), name="rater_value_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value}"


class TraineeFigures(models.Model):
    """What every computed result holds: the score, the trainee counts, satisfaction with its one-sided bounds,
    the dimension scores, the explanation and the versions that produced them (filled by
    ``services._fill_trainee_figures``)."""

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
            # The stamp of a year's results (latest computation) is one index lookup: selectors.results_stamp.
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

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.result.lecture}"


# The review and competition models live in their own modules to keep this one readable.
from .models_competition import *  # noqa: E402, F401, F403
from .models_review import *  # noqa: E402, F401, F403
