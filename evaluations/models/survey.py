"""Evaluations of a lecture or training session: anonymous trainee answers and named raters.

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

from courses.models import TrainingSession
from evaluations.models.settings import Indicator, IndicatorSystem, RaterRole, ScoringSettings
from outreach.models import Lecture


def new_link_secret() -> str:
    return secrets.token_hex(16)


def new_device_salt() -> str:
    return secrets.token_hex(32)


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
    # The key of the device check (an HMAC of the phone's cookie), random per survey and emptied when the window
    # closes: afterwards not even the phone and the server's secret key link a device to this survey.
    device_salt = models.CharField(max_length=64, default=new_device_salt, editable=False, blank=True)
    # The printed poster's link; the organizer can close it so that only the rotating on-screen code admits phones.
    poster_link_open = models.BooleanField(_("printed link accepted"), default=True)
    attendance = models.PositiveIntegerField(
        _("attendance"),
        null=True,
        blank=True,
        help_text=_("People in the room; answer sheets beyond 1.1 times it are held until the organizer accepts them."),
    )
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

    def state(self, at=None) -> str:
        """``upcoming``, ``open`` or ``closed``: where the survey window stands."""
        at = at or timezone.now()
        if at < self.opens_at:
            return "upcoming"
        return "open" if at <= self.closes_at else "closed"

    @property
    def short_code(self) -> str:
        """The code of the short survey link: part of the link secret, so rotating the secret kills it too."""
        return self.link_secret[:10]


class PendingSheet(models.Model):
    """An answer sheet waiting in the mixing buffer: what was answered, never who, from where or when.

    Sheets reach ``Response``/``Answer``/``Comment`` in random batches (``survey_flush``), so that neither ids,
    physical order nor transaction ids follow the order of submission. A held sheet (beyond the attendance, or part
    of a burst from one address) waits here until the organizer accepts it.
    """

    class Held(models.TextChoices):
        NO = "", _("Not held")
        OVER_ATTENDANCE = "attendance", _("Beyond 1.1 times the stated attendance")
        BURST = "burst", _("Near-identical sheets from one address within seconds")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="pending_sheets")
    values = models.JSONField(default=dict)
    satisfaction = models.PositiveSmallIntegerField(null=True)
    comment = models.TextField(blank=True, max_length=1000)
    speeder = models.BooleanField(default=False)
    held = models.CharField(max_length=12, choices=Held.choices, default=Held.NO, blank=True)

    class Meta:
        verbose_name = _("answer sheet in the buffer")
        verbose_name_plural = _("answer sheets in the buffer")
        indexes = [models.Index(fields=["evaluation", "held"])]

    def __str__(self) -> str:
        return f"sheet {self.pk}"


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
            raise ValidationError(_("Give either an account or a name for the rater."), code="rater_identity")


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
