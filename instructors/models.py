"""The instructor registry (师资库): regions, accounts with roles, teaching-research groups, instructors and norms.

This app is the lowest floor: courses, outreach and evaluations build on it and it imports none of them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import field_error
from core.files import UnguessableUploadTo
from core.scope import RegionScopedQuerySet, lineage_q
from core.status import AuditedStatusMixin, StatusChangeBase, status_fields

from .validators import mask_id_number, mask_phone, validate_id_number, validate_phone


class RegionQuerySet(models.QuerySet):
    def within(self, region: Region) -> RegionQuerySet:
        """The region itself and everything below it."""
        return self.filter(path__startswith=region.path)


class Region(models.Model):
    """A node of the administrative tree: province → city → county → township → village/community."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        COUNTY = 3, _("County")
        TOWNSHIP = 4, _("Township")
        VILLAGE = 5, _("Village / community")

    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=20, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    # Materialised path of codes ("51/5111/511102/"): "this region and below" is one indexed prefix match.
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path is derived from this row and its parent only; keeping it here means admin edits stay correct.
        self.path = f"{self.parent.path if self.parent_id else ''}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def lineage_codes(self) -> list[str]:
        """Codes of this region and every region above it, read from the materialised path (no query)."""
        return [code for code in self.path.split("/") if code]

    def contains(self, other: Region | None) -> bool:
        return other is not None and other.path.startswith(self.path)

    @property
    def county(self) -> Region | None:
        """The county this region lies in (itself for a county), or None above county level."""
        node: Region | None = self
        while node is not None and node.level > self.Level.COUNTY:
            node = node.parent
        return node if node is not None and node.level == self.Level.COUNTY else None


class User(AbstractUser):
    """A person who logs in. Organizers are scoped to a region; instructors are linked to their registry record."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        ORGANIZER = "organizer", _("Organizer")
        INSTRUCTOR = "instructor", _("Instructor")
        JUDGE = "judge", _("Judge / expert")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.INSTRUCTOR)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("region"),
        help_text=_("Organizers see this region and everything below it."),
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    # The credential of the private iCal feed (a phone calendar cannot log in): random, resettable by the user
    # (services.user_reset_feed_token); the feed answers only while the account is active.
    feed_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == self.Role.ORGANIZER and not self.region_id:
            raise field_error("region", _("An organizer must be assigned a region."), "organizer_without_region")

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_organizer(self) -> bool:
        return self.role == self.Role.ORGANIZER and self.region_id is not None

    @property
    def can_manage_registry(self) -> bool:
        return self.is_active and (self.is_admin or self.is_organizer)


class TeachingGroupQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TeachingGroupQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            # A city organizer sees the city's groups; a county organizer sees the groups of the regions above
            # (they draw members from the county) and those of the county itself.
            return self.filter(lineage_q("region", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(members__user=user)
        return self.none()


class TeachingGroup(models.Model):
    """A 教研组: a teaching-research group that develops courses, with one leader."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="groups", verbose_name=_("region"))
    description = models.TextField(_("description"), blank=True)
    leader = models.ForeignKey(
        "Instructor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_groups",
        verbose_name=_("leader"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TeachingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("teaching-research group")
        verbose_name_plural = _("teaching-research groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("instructors:group_detail", args=[self.pk])


class Specialty(models.Model):
    """A field an instructor can teach (党的创新理论, 乡村振兴 …)."""

    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstructorQuerySet(RegionScopedQuerySet):
    def active(self) -> InstructorQuerySet:
        return self.filter(status=Instructor.Status.ACTIVE)

    def in_pool(self) -> InstructorQuerySet:
        """Active or on probation: may teach. The one definition of 在库 wherever a count of the pool is shown."""
        return self.filter(status__in=Instructor.POOL_STATUSES)

    def visible_to(self, user: User) -> InstructorQuerySet:
        """What a user may see: admins all, organizers their region and below, instructors themselves."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.within(user.region)
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(user=user)
        return self.none()


class Instructor(AuditedStatusMixin, models.Model):
    """A member of the instructor pool (师资), with tier, region, groups and a status life-cycle."""

    class Tier(models.TextChoices):
        PROVINCIAL = "provincial", _("Provincial")
        MUNICIPAL = "municipal", _("Municipal")
        COUNTY = "county", _("County level")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        ACTIVE = "active", _("Active")
        PROBATION = "probation", _("Probation")
        RETIRED = "retired", _("Retired")
        DISMISSED = "dismissed", _("Dismissed")

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    # Which status may follow which; every change goes through core.status.status_change.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.CANDIDATE: (Status.ACTIVE, Status.DISMISSED),
        Status.ACTIVE: (Status.PROBATION, Status.RETIRED, Status.DISMISSED),
        Status.PROBATION: (Status.ACTIVE, Status.RETIRED, Status.DISMISSED),
        Status.RETIRED: (),
        Status.DISMISSED: (),
    }
    STATUS_REFUSAL = _("An instructor who is “%(from)s” cannot become “%(to)s”.")
    # 在库 as a count (home tiles, group members, the list's "in the pool" filter): active or on probation.
    POOL_STATUSES = (Status.ACTIVE, Status.PROBATION)
    TIER_ORDER = {Tier.PROVINCIAL: 1, Tier.MUNICIPAL: 2, Tier.COUNTY: 3}

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructor",
        verbose_name=_("login account"),
    )
    name = models.CharField(_("name"), max_length=40)
    pinyin = models.CharField(_("pinyin"), max_length=200, editable=False, db_index=True)
    pinyin_key = models.CharField(max_length=200, editable=False, db_index=True)
    pinyin_initials = models.CharField(max_length=40, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(_("ID card number"), max_length=18, unique=True, validators=[validate_id_number])
    phone = models.CharField(_("mobile phone"), max_length=11, unique=True, validators=[validate_phone])
    employer = models.CharField(_("employer"), max_length=100)
    post = models.CharField(_("post"), max_length=60, blank=True)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="instructors", verbose_name=_("region"))
    groups = models.ManyToManyField(
        TeachingGroup, blank=True, related_name="members", verbose_name=_("teaching-research groups")
    )
    specialties = models.ManyToManyField(
        Specialty, blank=True, related_name="instructors", verbose_name=_("specialties")
    )
    biography = models.TextField(_("biography"), blank=True)
    # Private files under random names (core/files.py): served only by instructor_photo / instructor_thumbnail.
    photo = models.ImageField(_("photo"), upload_to=UnguessableUploadTo("photos"), max_length=200, blank=True)
    photo_thumbnail = models.ImageField(
        upload_to=UnguessableUploadTo("thumbnails"), max_length=200, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CANDIDATE, db_index=True, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now, editable=False)
    joined_on = models.DateField(_("joined the pool"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InstructorQuerySet.as_manager()

    class Meta:
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")
        ordering = ["pinyin", "name", "pk"]
        indexes = [models.Index(fields=["status", "tier", "pinyin"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The pinyin columns are a pure function of the name, kept on the row so that sorting and
        # initials search (张三 → "zs") run in SQL; deriving them here keeps admin and imports consistent.
        self.fill_pinyin()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("instructors:instructor_detail", args=[self.pk])

    def fill_pinyin(self) -> None:
        """Derive the pinyin columns from the name (bulk loads call this themselves)."""
        from .pinyin import name_to_pinyin

        self.pinyin, self.pinyin_key, self.pinyin_initials = name_to_pinyin(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def can_teach(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.PROBATION)

    def on_status_change(self, to_status: str, now) -> list[str]:
        """The day an instructor first becomes active is the day they joined the pool."""
        if to_status == self.Status.ACTIVE and self.joined_on is None:
            self.joined_on = timezone.localdate(now)
        return ["joined_on"]


class InstructorStatusChange(StatusChangeBase):
    """One audited change of an instructor's status: who, when, from what to what, and why."""

    instructor = models.ForeignKey(
        Instructor, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("instructor")
    )
    from_status, to_status = status_fields(Instructor.Status.choices, max_length=12)

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


class TeachingNorm(models.Model):
    """The yearly minimum a tier's instructors must reach: lectures, teaching hours and a quality score."""

    year = models.PositiveSmallIntegerField(_("year"))
    tier = models.CharField(_("tier"), max_length=12, choices=Instructor.Tier.choices)
    min_lectures = models.PositiveSmallIntegerField(_("minimum lectures"))
    min_hours = models.DecimalField(_("minimum hours"), max_digits=6, decimal_places=1)
    min_quality = models.DecimalField(_("minimum quality score"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("teaching norm")
        verbose_name_plural = _("teaching norms")
        ordering = ["-year", "tier"]
        constraints = [models.UniqueConstraint(fields=["year", "tier"], name="uniq_norm_year_tier")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_tier_display()}"


class InstructorYearFigures(models.Model):
    """An instructor's teaching figures for one year, written by the higher floors through a registry service.

    Why here and not composed one floor up: the profile, the list filters and the dispatch suggestions (outreach)
    all need these numbers without importing the apps that produce them (outreach delivers lectures, evaluations
    scores them). Each producer writes its own columns through ``services.instructor_record_year_figures`` and a
    task can recompute them from source, so the registry stays the lowest floor and the figures stay cheap to read.
    """

    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="year_figures", verbose_name=_("instructor")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    lectures = models.PositiveIntegerField(_("lectures delivered"), default=0)
    hours = models.DecimalField(_("teaching hours"), max_digits=7, decimal_places=1, default=0)
    quality = models.DecimalField(_("quality score"), max_digits=5, decimal_places=2, null=True, blank=True)
    scored_lectures = models.PositiveIntegerField(_("scored lectures"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["instructor", "year"], name="uniq_figures_instructor_year")]

    def __str__(self) -> str:
        return f"{self.instructor} {self.year}"
