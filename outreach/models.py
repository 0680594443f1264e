"""Outreach (万堂示范课下基层 and 乡村大喇叭): grassroots organizations, campaigns, requests, lectures, loudspeakers.

This app sits above ``instructors`` and ``courses`` and imports only those two.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import field_error
from core.files import UnguessableUploadTo
from core.scope import below_q, lineage_q
from instructors.models import Instructor, Region, User

# Lectures occupy their instructor and venue in buckets of this many minutes (see LectureSlot).
SLOT_MINUTES = 30


def travel_buffer() -> dt.timedelta:
    """Time an instructor needs between lectures in different counties (setting OUTREACH_TRAVEL_BUFFER_HOURS)."""
    return dt.timedelta(hours=settings.OUTREACH_TRAVEL_BUFFER_HOURS)


def _scope_filter(user: User, path_field: str) -> Q | None:
    """Q for the rows a user may see through a region path field; None means everything, Q(pk__in=[]) nothing."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin:
        return None
    if user.is_organizer:
        return Q(**{f"{path_field}__startswith": user.region.path})
    return Q(pk__in=[])


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> OrganizationQuerySet:
        """Admins all; organizers the organizations of their region and below; nobody else."""
        condition = _scope_filter(user, "region__path")
        return self if condition is None else self.filter(condition)


class Organization(models.Model):
    """A grassroots organization (基层组织) that orders and hosts lectures."""

    class Type(models.TextChoices):
        AGENCY = "agency", _("Government agency")
        PARK = "park", _("Industrial park")
        SCHOOL = "school", _("School")
        ENTERPRISE = "enterprise", _("Enterprise")
        VILLAGE = "village", _("Village")
        COMMUNITY = "community", _("Community")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("region"))
    # The county of ``region``, kept on the row so that reports group by county without walking the tree.
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"), editable=False
    )
    member_count = models.PositiveIntegerField(_("party members"), default=0)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Change stamp: the yearly figures (CoverageFigures) are recomputed when the newest stamp or the row count moves.
    changed_at = models.DateTimeField(_("changed"), auto_now=True, db_index=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("grassroots organization")
        verbose_name_plural = _("grassroots organizations")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_organization_region_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.region_id and self.region.level < Region.Level.COUNTY:
            raise field_error("region", _("An organization belongs to a county, township or village."), "region_level")

    def fill_county(self) -> None:
        """Derive the county from the region (bulk loads call this themselves)."""
        self.county = self.region.county


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CampaignQuerySet:
        """Organizers see campaigns of their region, below it and above it (a city campaign runs in every county)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(lineage_q("region", user.region))
        return self.none()


class Campaign(models.Model):
    """A campaign such as 2024年万堂示范课下基层: dates, targets and the courses it offers."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("region"))
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_lectures = models.PositiveIntegerField(_("target lectures"), default=0)
    target_organizations = models.PositiveIntegerField(_("target organizations"), default=0)
    target_members = models.PositiveIntegerField(_("target members reached"), default=0)
    courses = models.ManyToManyField("courses.Course", blank=True, related_name="campaigns", verbose_name=_("courses"))

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_dates_order")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:campaign_detail", args=[self.pk])


class CourseRequestQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CourseRequestQuerySet:
        condition = _scope_filter(user, "organization__region__path")
        return self if condition is None else self.filter(condition)


class CourseRequest(models.Model):
    """A 点单: an organization orders a course from the menu, with preferred dates and the expected audience."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="requests", verbose_name=_("organization")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="outreach_requests", verbose_name=_("course")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests", verbose_name=_("campaign")
    )
    preferred_from = models.DateField(_("preferred from"))
    preferred_to = models.DateField(_("preferred until"))
    expected_audience = models.PositiveIntegerField(_("expected audience"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CourseRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("course request")
        verbose_name_plural = _("course requests")
        ordering = ["preferred_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(preferred_to__gte=F("preferred_from")), name="request_dates_order")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.course}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:request_dispatch", args=[self.pk])


class LectureQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> LectureQuerySet:
        """Admins all; organizers the lectures held in their region; instructors their own lectures."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(below_q("county", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(instructor__user=user)
        return self.none()

    def active(self) -> LectureQuerySet:
        """Not cancelled: holds the instructor's and the venue's time."""
        return self.exclude(status=Lecture.Status.CANCELLED)

    def delivered(self) -> LectureQuerySet:
        """Delivered or closed: counts as outreach that happened."""
        return self.filter(status__in=Lecture.DONE)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> LectureQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Lecture(models.Model):
    """One delivery of a course: one instructor, one course, one time, one place, one audience."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PLANNED: (Status.CONFIRMED, Status.CANCELLED),
        Status.CONFIRMED: (Status.DELIVERED, Status.CANCELLED),
        Status.DELIVERED: (Status.CLOSED,),
        Status.CLOSED: (),
        Status.CANCELLED: (),
    }
    DONE = (Status.DELIVERED, Status.CLOSED)

    instructor = models.ForeignKey(
        Instructor, on_delete=models.PROTECT, related_name="lectures", verbose_name=_("instructor")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="lectures", verbose_name=_("course")
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="lectures", verbose_name=_("organization")
    )
    venue = models.CharField(_("venue"), max_length=120, blank=True)
    # The county of the organization: scoping, the travel-buffer rule and reports read it without joins.
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    audience_expected = models.PositiveIntegerField(_("expected audience"), default=0)
    audience_actual = models.PositiveIntegerField(_("actual attendance"), null=True, blank=True)
    hours = models.DecimalField(_("teaching hours"), max_digits=4, decimal_places=1, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    request = models.ForeignKey(
        CourseRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lectures",
        verbose_name=_("request"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="lectures", verbose_name=_("campaign")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    # Change stamp: the yearly figures (CoverageFigures) are recomputed when the newest stamp or the row count moves.
    changed_at = models.DateTimeField(_("changed"), auto_now=True, db_index=True)

    objects = LectureQuerySet.as_manager()

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        ordering = ["start", "pk"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="lecture_ends_after_start")]
        indexes = [
            models.Index(fields=["instructor", "start"]),
            models.Index(fields=["county", "start"]),
            models.Index(fields=["status", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.instructor} · {self.start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:lecture_detail", args=[self.pk])

    def can_change_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @property
    def can_confirm(self) -> bool:
        return self.can_change_to(self.Status.CONFIRMED)

    @property
    def can_deliver(self) -> bool:
        return self.can_change_to(self.Status.DELIVERED)

    @property
    def can_close(self) -> bool:
        return self.can_change_to(self.Status.CLOSED)

    @property
    def can_cancel(self) -> bool:
        return self.can_change_to(self.Status.CANCELLED)

    @property
    def duration_hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


class LectureSlot(models.Model):
    """One bucket of time a non-cancelled lecture holds for its instructor and its organization.

    Why a table of buckets: "two organizers book the same instructor at the same moment, one wins" must hold even
    when both transactions pass every check at once. The unique constraints make the second insert fail inside
    the database, whatever the application did before. The travel buffer depends on the pair of counties, which a
    unique index cannot express, so the service adds it under a row lock on the instructor (see services).
    """

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="slots", verbose_name=_("lecture"))
    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="+", verbose_name=_("instructor"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    bucket = models.DateTimeField(_("time bucket"))

    class Meta:
        verbose_name = _("lecture time slot")
        verbose_name_plural = _("lecture time slots")
        constraints = [
            models.UniqueConstraint(fields=["instructor", "bucket"], name="uniq_slot_instructor_bucket"),
            models.UniqueConstraint(fields=["organization", "bucket"], name="uniq_slot_organization_bucket"),
        ]

    def __str__(self) -> str:
        return f"{self.instructor_id}@{self.bucket:%Y-%m-%d %H:%M}"

    @staticmethod
    def buckets(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """The bucket starts covering [start, end): floor of the start up to the end."""
        step = dt.timedelta(minutes=SLOT_MINUTES)
        first = start.replace(minute=start.minute - start.minute % SLOT_MINUTES, second=0, microsecond=0)
        out = []
        while first < end:
            out.append(first)
            first += step
        return out


class LecturePhoto(models.Model):
    """A photo taken at a delivered lecture (the record of 下基层 work)."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="photos", verbose_name=_("lecture"))
    image = models.ImageField(_("photo"), upload_to=UnguessableUploadTo("lecture-photos"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("lecture photo")
        verbose_name_plural = _("lecture photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.image.name


class StationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> StationQuerySet:
        condition = _scope_filter(user, "region__path")
        return self if condition is None else self.filter(condition)


class Station(models.Model):
    """A village loudspeaker (乡村大喇叭): one per village, reaching a number of listeners."""

    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="station", verbose_name=_("village"))
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"), editable=False
    )
    listeners = models.PositiveIntegerField(_("listeners reached"), default=0)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("loudspeaker station")
        verbose_name_plural = _("loudspeaker stations")
        ordering = ["region__path"]

    def __str__(self) -> str:
        return str(self.region)

    def clean(self) -> None:
        if self.region_id and self.region.level != Region.Level.VILLAGE:
            raise field_error("region", _("A loudspeaker station belongs to a village or community."), "region_level")


class BroadcastProgramme(models.Model):
    """An audio work played over the loudspeakers: a catalog column work or course, or a local title."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    work = models.ForeignKey(
        "courses.ColumnWork",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("column work"),
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("course"),
    )
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=15)

    class Meta:
        verbose_name = _("broadcast programme")
        verbose_name_plural = _("broadcast programmes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class BroadcastSchedule(models.Model):
    """乡村大喇叭's fixed time slots: a programme played in a region's stations on a weekday at a time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Every station in this region and below plays the programme."),
    )
    programme = models.ForeignKey(
        BroadcastProgramme, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("programme")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    time = models.TimeField(_("time"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = models.Manager()

    class Meta:
        verbose_name = _("broadcast schedule")
        verbose_name_plural = _("broadcast schedules")
        ordering = ["weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["region", "weekday", "time", "starts_on"], name="uniq_broadcast_slot"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="broadcast_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_weekday_display()} {self.time:%H:%M} {self.programme}"


class PlayLog(models.Model):
    """One play of a programme on a station."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="plays", verbose_name=_("station"))
    programme = models.ForeignKey(
        BroadcastProgramme, on_delete=models.PROTECT, related_name="plays", verbose_name=_("programme")
    )
    played_at = models.DateTimeField(_("played at"))
    duration_minutes = models.PositiveSmallIntegerField(_("minutes played"), default=0)
    # Change stamp: the yearly figures (CoverageFigures) are recomputed when the newest stamp or the row count moves.
    changed_at = models.DateTimeField(_("changed"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("play log")
        verbose_name_plural = _("play logs")
        ordering = ["-played_at", "pk"]
        constraints = [
            # The same play reported twice (re-imported file) is one play.
            models.UniqueConstraint(fields=["station", "programme", "played_at"], name="uniq_play")
        ]
        indexes = [models.Index(fields=["played_at", "station"])]

    def __str__(self) -> str:
        return f"{self.station_id} {self.programme_id} {self.played_at:%Y-%m-%d %H:%M}"


class CoverageFigures(models.Model):
    """Every figure of the coverage dashboard and the annual report for one region and year, kept by a task.

    ``region`` empty means everything (the administrators' view). ``stamp`` names the data the figures were computed
    from (selectors.coverage_stamp): a row whose stamp differs from the current one is recomputed by the worker.
    """

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures"))
    stamp = models.CharField(_("change stamp"), max_length=200)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("yearly coverage figures")
        verbose_name_plural = _("yearly coverage figures")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="uniq_coverage_figures_region_year"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(region__isnull=True), name="uniq_coverage_figures_all_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or '*'} {self.year}"
