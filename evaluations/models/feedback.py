"""Feedback from outside the survey: the public's time-coded comments on column works (弹幕 and 留言), and the
forums (座谈会) and field visits (实地走访) organizers hold about a course or a lecture.

Neither is part of any score: public comments are references for improvement, forums and visits qualitative input
(docs/scoring.md and the rules page say so).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import ColumnWork, Course
from evaluations.models.settings import Dimension
from evaluations.models.survey import Comment
from outreach.models import Lecture

DANMAKU_MAX_CHARS = 100
MESSAGE_MAX_CHARS = 500
# No clip of a column runs longer than this; a moment beyond it is a typing error or a forged request.
MOMENT_MAX_SECONDS = 6 * 3600


class PublicComment(models.Model):
    """A comment of the public on a column work: a 弹幕 at a moment of the clip, or a 留言 on the whole work.

    Nobody signs in to comment, and the row keeps no device, address or name. It goes through the same moderation
    as the survey's comments (same states and reasons) and nobody sees it before it is made public.
    """

    class Kind(models.TextChoices):
        DANMAKU = "danmaku", _("Bullet comment")
        MESSAGE = "message", _("Message")

    State = Comment.State

    work = models.ForeignKey(ColumnWork, on_delete=models.CASCADE, related_name="public_comments")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    text = models.TextField(_("comment"), max_length=MESSAGE_MAX_CHARS)
    at_seconds = models.PositiveIntegerField(_("moment (seconds)"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    moderation_reason = models.CharField(_("reason"), max_length=200, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")
        ordering = ["pk"]
        indexes = [models.Index(fields=["work", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="danmaku", at_seconds__isnull=False, at_seconds__lte=MOMENT_MAX_SECONDS)
                | Q(kind="message", at_seconds__isnull=True),
                name="public_comment_moment_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class FieldVisit(models.Model):
    """A forum (座谈会) or field visit (实地走访) about a course or a lecture: qualitative input, never in a score."""

    class Kind(models.TextChoices):
        FORUM = "forum", _("Forum")
        VISIT = "visit", _("Field visit")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="field_visits", verbose_name=_("course"))
    lecture = models.ForeignKey(
        Lecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_visits",
        verbose_name=_("lecture"),
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=120)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("forum or field visit")
        verbose_name_plural = _("forums and field visits")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on} {self.place}"


class FieldVisitParticipants(models.Model):
    """How many people of one kind took part in a forum or visit."""

    class Kind(models.TextChoices):
        TRAINEES = "trainees", _("Trainees")
        MEMBERS = "members", _("Grassroots Party members")
        CADRES = "cadres", _("Party-affairs cadres")
        PUBLIC = "public", _("Members of the public")
        OTHERS = "others", _("Others")

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveIntegerField(_("number"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "kind"], name="one_participant_row_per_kind"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=100000), name="participants_1_100000"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class FieldVisitFinding(models.Model):
    """What a forum or visit found about one dimension of the indicator system."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="findings")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("findings"), max_length=2000)

    class Meta:
        ordering = ["dimension__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "dimension"], name="one_finding_per_dimension")]

    def __str__(self) -> str:
        return self.text[:40]
