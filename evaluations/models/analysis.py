"""智能教学分析: one analysed recording of a lecture or a training session, with its progress and its figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.files import UnguessableUploadTo
from core.scope import below_q
from courses.models import CoursewareVersion, TrainingSession
from instructors.models import Instructor
from outreach.models import Lecture


class LectureAnalysisQuerySet(models.QuerySet):
    def visible_to(self, user) -> LectureAnalysisQuerySet:
        """Admins all; organizers analyses of lectures held in their region and of sessions their region runs;
        instructors the analyses of their own delivery."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(
                below_q("lecture__county", user.region) | below_q("session__programme__region", user.region)
            )
        instructor = getattr(user, "instructor", None)
        if instructor is not None:
            return self.filter(instructor=instructor)
        return self.none()

    def stale(self, *, before) -> LectureAnalysisQuerySet:
        """Queued or running without a heartbeat since `before`: its worker died or its message was lost."""
        return self.filter(status__in=[LectureAnalysis.Status.QUEUED, LectureAnalysis.Status.RUNNING]).filter(
            Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, created_at__lt=before)
        )


class LectureAnalysis(models.Model):
    """A lecture recording analysed for pace, intonation, pauses, time per section and movement."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Analysing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")

    lecture = models.ForeignKey(
        Lecture, on_delete=models.CASCADE, null=True, blank=True, related_name="analyses", verbose_name=_("lecture")
    )
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="analyses",
        verbose_name=_("training session"),
    )
    instructor = models.ForeignKey(
        Instructor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="analyses",
        verbose_name=_("instructor"),
    )
    courseware = models.ForeignKey(
        CoursewareVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("courseware matched"),
    )
    # Private (core/files.py): an unguessable name, served only through the permission-checked recording view.
    recording = models.FileField(
        _("recording"), upload_to=UnguessableUploadTo("recordings"), max_length=200, blank=True
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    extension = models.CharField(max_length=4)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sections = models.JSONField(_("section marks"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=7, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(_("progress"), default=0.0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=30, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # Headline figures copied out of `result` so the instructor's trend is one indexed query.
    duration = models.FloatField(_("length (s)"), null=True, blank=True)
    speaking_rate = models.FloatField(_("speaking rate"), null=True, blank=True)
    articulation_rate = models.FloatField(_("articulation rate"), null=True, blank=True)
    pitch_variation = models.FloatField(_("pitch variation"), null=True, blank=True)
    talk_share = models.FloatField(_("talk share"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    recording_deleted_at = models.DateTimeField(_("recording deleted"), null=True, blank=True)

    objects = LectureAnalysisQuerySet.as_manager()

    class Meta:
        verbose_name = _("lecture analysis")
        verbose_name_plural = _("lecture analyses")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lecture__isnull=False, session__isnull=True)
                | Q(lecture__isnull=True, session__isnull=False),
                name="analysis_of_lecture_or_session",
            ),
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=1), name="analysis_progress_range"),
        ]
        indexes = [models.Index(fields=["instructor", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.lecture or self.session} · {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:analysis_detail", args=[self.pk])

    @property
    def subject(self):
        return self.lecture or self.session

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED and self.error_code == "interrupted" and bool(self.recording)

    @property
    def progress_percent(self) -> int:
        return round(self.progress * 100)
