"""The course catalog: topics, themed series, courses with courseware versions, the status life-cycle with
rectification, the yearly premium library, online columns and the instructor training programmes (以训提能).

This app builds on ``instructors`` only; outreach and evaluations build on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.files import UnguessableUploadTo
from core.scope import RegionScopedQuerySet, below_q, lineage_q, within
from core.status import AuditedStatusMixin, StatusChangeBase, status_fields
from instructors.models import Instructor, Region, TeachingGroup, User


class Topic(models.Model):
    """A subject the pool teaches (党的创新理论, 乡村振兴 …); also the topics of the training programmes."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A themed series or course brand (特色主题课程品牌 such as 守护嘉州瑰宝)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("themed series")
        verbose_name_plural = _("themed series")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("courses:series_detail", args=[self.pk])


class CourseQuerySet(RegionScopedQuerySet):
    region_field = "lead_instructor__region"

    def orderable(self) -> CourseQuerySet:
        """Courses grassroots organizations may order and organizers may schedule: active or premium."""
        return self.filter(status__in=Course.ORDERABLE_STATUSES)

    def visible_to(self, user: User) -> CourseQuerySet:
        """Admins all; organizers their region's courses and those of the regions above (a county orders the
        city's courses too); instructors the courses they lead or co-teach; anybody else nothing."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(lineage_q("lead_instructor__region", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(Q(lead_instructor__user=user) | Q(co_instructors__user=user)).distinct()
        return self.none()

    def taught_by_user(self, user: User) -> CourseQuerySet:
        """Courses the user leads or co-teaches (their own courses)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(lead_instructor__user=user) | Q(co_instructors__user=user)).distinct()


class Course(AuditedStatusMixin, models.Model):
    """A course of the pool: what is taught, by whom, in which format, with its status life-cycle."""

    class Format(models.TextChoices):
        LECTURE = "lecture", _("Classroom lecture")
        MICRO_VIDEO = "micro_video", _("Micro-video")
        ANIMATION = "animation", _("Micro-animation")
        AUDIO = "audio", _("Audio")
        VR_AR = "vr_ar", _("VR/AR")
        LIVE = "live", _("Live online")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        ACTIVE = "active", pgettext_lazy("course status", "Active")
        PREMIUM = "premium", _("Premium")
        RECTIFICATION = "rectification", _("Under rectification")
        RETIRED = "retired", pgettext_lazy("course status", "Retired")

    # Which status may follow which; every change goes through services.course_change_status (or the
    # rectification services for entering and leaving rectification).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.DRAFT: (Status.IN_REVIEW, Status.RETIRED),
        Status.IN_REVIEW: (Status.ACTIVE, Status.DRAFT, Status.RETIRED),
        Status.ACTIVE: (Status.PREMIUM, Status.RECTIFICATION, Status.RETIRED),
        Status.PREMIUM: (Status.ACTIVE, Status.RECTIFICATION, Status.RETIRED),
        Status.RECTIFICATION: (Status.ACTIVE, Status.RETIRED),
        Status.RETIRED: (),
    }
    STATUS_REFUSAL = _("A course that is “%(from)s” cannot become “%(to)s”.")
    ORDERABLE_STATUSES = (Status.ACTIVE, Status.PREMIUM)

    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="courses", verbose_name=_("topic"))
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="courses", verbose_name=_("series")
    )
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, default=Format.LECTURE)
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    audience = models.CharField(_("audience"), max_length=120, blank=True)
    lead_instructor = models.ForeignKey(
        Instructor, on_delete=models.PROTECT, related_name="led_courses", verbose_name=_("lead instructor")
    )
    co_instructors = models.ManyToManyField(
        Instructor, blank=True, related_name="co_taught_courses", verbose_name=_("co-instructors")
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("teaching-research group"),
    )
    cover = models.ImageField(_("cover image"), upload_to=UnguessableUploadTo("covers"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["status", "topic"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course_detail", args=[self.pk])

    @property
    def is_orderable(self) -> bool:
        return self.status in self.ORDERABLE_STATUSES


class CourseStatusChange(StatusChangeBase):
    """One audited change of a course's status: who, when, from what to what, and why."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("course")
    )
    from_status, to_status = status_fields(Course.Status.choices, max_length=16)

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("course status change")
        verbose_name_plural = _("course status changes")


def courseware_path(instance: CoursewareVersion, filename: str) -> str:
    """The old, guessable naming (kept because migration 0001 refers to it); new files use UnguessableUploadTo."""
    return f"courseware/{instance.course_id}/v{instance.number}.{instance.kind}"


class CoursewareVersion(models.Model):
    """One immutable upload of a course's courseware; the highest number is the current version."""

    class Kind(models.TextChoices):
        PPTX = "pptx", "PPTX"
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        MP4 = "mp4", "MP4"
        MP3 = "mp3", "MP3"

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="courseware_versions", verbose_name=_("course")
    )
    number = models.PositiveIntegerField(_("version"))
    # A private file under a random name (core/files.py), served only by courses:courseware_download.
    file = models.FileField(_("file"), upload_to=UnguessableUploadTo("courseware"), max_length=200)
    kind = models.CharField(_("file type"), max_length=4, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("original file name"), max_length=200)
    sha256 = models.CharField(max_length=64, editable=False)
    note = models.TextField(_("what changed"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("courseware version")
        verbose_name_plural = _("courseware versions")
        ordering = ["course", "-number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="uniq_courseware_course_number")]

    def __str__(self) -> str:
        return f"{self.course} v{self.number}"


class RectificationQuerySet(models.QuerySet):
    def pending(self) -> RectificationQuerySet:
        """Not yet decided: waiting for the instructor's revision or the organizer's decision."""
        return self.filter(status__in=Rectification.PENDING_STATUSES)

    def overdue(self, today=None) -> RectificationQuerySet:
        """Pending rectifications whose deadline has passed."""
        return self.pending().filter(deadline__lt=today or timezone.localdate())

    def visible_to(self, user: User) -> RectificationQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(below_q("course__lead_instructor__region", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(Q(course__lead_instructor__user=user) | Q(course__co_instructors__user=user)).distinct()
        return self.none()


class Rectification(models.Model):
    """A course taken off the shelf (下架整改): findings, a deadline, the instructor's revision, the decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for revision")
        SUBMITTED = "submitted", _("Revision submitted")
        APPROVED = "approved", _("Re-approved")
        RETIRED = "retired", _("Course retired")

    PENDING_STATUSES = (Status.OPEN, Status.SUBMITTED)

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="rectifications", verbose_name=_("course")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True, editable=False
    )
    reason = models.TextField(_("reason"))
    findings = models.TextField(_("findings"), help_text=_("The evaluation results or observations that triggered it."))
    deadline = models.DateField(_("deadline"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    revision_note = models.TextField(_("instructor's note"), blank=True)
    revised_version = models.ForeignKey(
        CoursewareVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revised courseware"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "pk"]
        constraints = [
            # A course has at most one rectification under way.
            models.UniqueConstraint(
                fields=["course"], condition=Q(status__in=["open", "submitted"]), name="uniq_pending_rectification"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("courses:rectification_detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.deadline < timezone.localdate()

    @property
    def can_submit(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def can_decide(self) -> bool:
        return self.status == self.Status.SUBMITTED


class PremiumLibraryEntry(models.Model):
    """A course in one year's premium course library (精品课程库), and why it is there."""

    class Reason(models.TextChoices):
        ORGANIZER_SELECTION = "selection", _("Selected by the organizers")
        COMPETITION_TOP_TEN = "top_ten", _("Top ten of the course competition")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="premium_entries", verbose_name=_("course")
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("E.g. the competition and rank, or the selection meeting.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("premium library entry")
        verbose_name_plural = _("premium library entries")
        ordering = ["-year", "course__title", "pk"]
        constraints = [models.UniqueConstraint(fields=["year", "course"], name="uniq_premium_year_course")]

    def __str__(self) -> str:
        return f"{self.year} {self.course}"


class Column(models.Model):
    """An online column (专题专栏 such as 党课开讲啦) that publishes works; its public page needs no login."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    is_public = models.BooleanField(_("public page"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("online column")
        verbose_name_plural = _("online columns")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("courses:column_public", args=[self.slug])


class ColumnWork(models.Model):
    """A work published in a column: a micro-video, animation or audio, usually made from a catalog course."""

    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="works", verbose_name=_("column"))
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="column_works", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=120)
    format = models.CharField(_("format"), max_length=12, choices=Course.Format.choices)
    summary = models.TextField(_("summary"), blank=True)
    link = models.URLField(_("link"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    view_count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("column work")
        verbose_name_plural = _("column works")
        ordering = ["-published_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["column", "title"], name="uniq_column_work_title")]

    def __str__(self) -> str:
        return self.title


class TrainingProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TrainingProgrammeQuerySet:
        """Admins all; organizers programmes run in their region or above; instructors those covering their region."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(lineage_q("region", user.region))
        instructor = getattr(user, "instructor", None)
        if user.role == User.Role.INSTRUCTOR and instructor is not None:
            return self.filter(region__code__in=instructor.region.lineage_codes)
        return self.none()

    def managed_by(self, user: User) -> TrainingProgrammeQuerySet:
        """Admins all, organizers the programmes of their region and below."""
        return within(self, user, "region")


class TrainingProgramme(models.Model):
    """An instructor training programme (以训提能) built from topics, run by a region's organizers."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="training_programmes", verbose_name=_("organizing region")
    )
    description = models.TextField(_("description"), blank=True)
    topics = models.ManyToManyField(Topic, related_name="training_programmes", verbose_name=_("topics"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    signup_open = models.BooleanField(_("sign-up open"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TrainingProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:training_programme_detail", args=[self.pk])


class TrainingSession(models.Model):
    """One session of a programme on one topic: date, place, teacher and a capacity that is never exceeded."""

    programme = models.ForeignKey(
        TrainingProgramme, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("programme")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("topic")
    )
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=120)
    teacher = models.CharField(_("teacher"), max_length=80)
    capacity = models.PositiveSmallIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gt=0), name="training_session_capacity_positive")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("courses:training_session_detail", args=[self.pk])


class TrainingSignup(models.Model):
    """An instructor's place in a session (点单), and whether they attended."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="signups", verbose_name=_("session")
    )
    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="training_signups", verbose_name=_("instructor")
    )
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    attended = models.BooleanField(_("attended"), null=True, blank=True, help_text=_("Empty until recorded."))

    class Meta:
        verbose_name = _("training sign-up")
        verbose_name_plural = _("training sign-ups")
        ordering = ["session", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "instructor"], name="uniq_signup_session_instructor")]

    def __str__(self) -> str:
        return f"{self.instructor} → {self.session}"


class TrainingWish(models.Model):
    """An instructor's wish to be trained on a programme topic (课前按需点单), before sessions are fixed."""

    programme = models.ForeignKey(
        TrainingProgramme, on_delete=models.CASCADE, related_name="wishes", verbose_name=_("programme")
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="training_wishes", verbose_name=_("topic"))
    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="training_wishes", verbose_name=_("instructor")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("training wish")
        verbose_name_plural = _("training wishes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "topic", "instructor"], name="uniq_wish_programme_topic_instr")
        ]

    def __str__(self) -> str:
        return f"{self.instructor}: {self.topic}"
