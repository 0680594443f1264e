"""The 党员教育协作联盟 between portals: the partner portals we trust (their Ed25519 keys), the nonces they have used,
the courses we share with them (and the change stamp of our feed), the courses we have pulled from theirs, and the
courses we adopted from them into our own catalogue.

This app is the top floor: it builds on courses (and may read evaluations); nothing but config imports it.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import below_q, within
from core.status import AuditedStatusMixin, StatusChangeBase, status_fields
from courses.models import Course
from instructors.models import Instructor, Region, User
from outreach.models import Lecture

PUBLIC_KEY_PREFIX = "ed25519:"


def public_key_bytes(text: str) -> bytes:
    """The 32 raw bytes of an Ed25519 public key written as ``ed25519:<base64>`` (ValueError when it is not one)."""
    text = (text or "").strip()
    if text.startswith(PUBLIC_KEY_PREFIX):
        text = text[len(PUBLIC_KEY_PREFIX) :]
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return raw


def key_id_for(raw: bytes) -> str:
    """The key id a portal signs with: the SHA-256 thumbprint of its public key, so both sides agree without
    coordinating names."""
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def our_portal_name() -> str:
    """How our portal is named to members (乐山市 …): ALLIANCE_PORTAL_NAME, or "this portal"."""
    return settings.ALLIANCE_PORTAL_NAME or str(_("This portal"))


class PartnerQuerySet(models.QuerySet):
    def active(self) -> PartnerQuerySet:
        return self.filter(status=Partner.Status.ACTIVE)

    def due(self, now=None) -> PartnerQuerySet:
        """Active partners whose next pull is due (not waiting out a back-off)."""
        now = now or timezone.now()
        return self.active().filter(models.Q(next_pull_at__isnull=True) | models.Q(next_pull_at__lte=now))


class Partner(models.Model):
    """A partner city's portal: where it is, the public key its requests are signed with, and how pulling its feed
    went."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=60, unique=True, help_text=_("As organizers see it, e.g. 乐山市."))
    base_url = models.URLField(
        _("base URL"), unique=True, help_text=_("The partner portal's address, e.g. https://djsz.leshan.example")
    )
    public_key = models.CharField(
        _("public key"), max_length=120, help_text=_("The partner's Ed25519 public key, as its administrator gave it.")
    )
    key_id = models.CharField(_("key id"), max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The feed cursor: the highest change stamp of the partner's feed stored here.
    feed_stamp = models.BigIntegerField(_("feed position"), default=0, editable=False)
    # The cursor of the partner's joint-event feed (its own stamps, pulled after the course feed).
    events_stamp = models.BigIntegerField(_("event feed position"), default=0, editable=False)
    last_pull_at = models.DateTimeField(_("last pull attempt"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last successful pull"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    next_pull_at = models.DateTimeField(_("next pull"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner portal")
        verbose_name_plural = _("partner portals")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            raw = public_key_bytes(self.public_key)
        except ValueError:
            raise ValidationError(
                {"public_key": _("This is not an Ed25519 public key (ed25519: followed by 32 bytes in base64).")},
                code="bad_key",
            ) from None
        self.public_key = PUBLIC_KEY_PREFIX + base64.b64encode(raw).decode()
        self.key_id = key_id_for(raw)
        self.base_url = self.base_url.rstrip("/")

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_down(self) -> bool:
        """The last pull failed: its courses are shown as last seen."""
        return self.failures > 0


class SeenNonce(models.Model):
    """A nonce a partner has signed a request with: a second request with it is a replay and is refused."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "nonce"], name="alliance_nonce_once")]

    def __str__(self) -> str:
        return self.nonce


class FeedClock(models.Model):
    """The single row whose lock hands out our feed's change stamps one after another, so that a partner reading
    ``since=n`` never misses a change committed later with a smaller stamp."""

    stamp = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.stamp)


class SharedCourse(models.Model):
    """A course of ours in the alliance library: what we last published about it, and its change stamp."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="alliance_share")
    shared = models.BooleanField(_("shared"), default=True)
    stamp = models.BigIntegerField(_("change stamp"), db_index=True)
    # A digest of what was last published: a change of title, courseware or ratings gives a new stamp.
    fingerprint = models.CharField(max_length=64, editable=False)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)

    class Meta:
        verbose_name = _("shared course")
        verbose_name_plural = _("shared courses")
        ordering = ["stamp"]

    def __str__(self) -> str:
        return str(self.course)


class RemoteCourseQuerySet(models.QuerySet):
    def listed(self) -> RemoteCourseQuerySet:
        """Courses partners share now (those withdrawn by their portal are gone), suspended partners left out."""
        return self.filter(withdrawn=False, partner__status=Partner.Status.ACTIVE)


class RemoteCourse(models.Model):
    """A course a partner shares, as its feed last described it (aggregate ratings only, never a person's data)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="courses", verbose_name=_("partner"))
    remote_id = models.PositiveBigIntegerField()
    stamp = models.BigIntegerField()
    withdrawn = models.BooleanField(default=False)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    format = models.CharField(_("format"), max_length=12, choices=Course.Format.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    audience = models.CharField(_("audience"), max_length=120, blank=True)
    lead_instructor = models.CharField(_("lead instructor"), max_length=60, blank=True)
    courseware_version = models.PositiveIntegerField(_("courseware version"), null=True, blank=True)
    courseware_kind = models.CharField(max_length=4, blank=True)
    courseware_size = models.PositiveBigIntegerField(null=True, blank=True)
    courseware_sha256 = models.CharField(max_length=64, blank=True)
    courseware_note = models.TextField(blank=True)
    courseware_url = models.URLField(max_length=500, blank=True)
    rating_count = models.PositiveIntegerField(_("rated lectures"), default=0)
    rating_mean = models.DecimalField(_("mean score"), max_digits=5, decimal_places=2, null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RemoteCourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("alliance course")
        verbose_name_plural = _("alliance courses")
        ordering = ["partner__name", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "remote_id"], name="alliance_remote_course_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"

    def get_absolute_url(self) -> str:
        return reverse("alliance:remote_course_detail", args=[self.pk])


class AdoptedCourse(models.Model):
    """A course of our catalogue copied from a partner's: where it came from and which source version it has."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="alliance_source")
    source = models.ForeignKey(RemoteCourse, on_delete=models.PROTECT, related_name="adoptions")
    source_version = models.PositiveIntegerField(_("source version"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(_("adopted at"), default=timezone.now)

    class Meta:
        verbose_name = _("adopted course")
        verbose_name_plural = _("adopted courses")
        constraints = [models.UniqueConstraint(fields=["source"], name="alliance_adopt_once")]

    def __str__(self) -> str:
        return str(self.course)

    @property
    def update_available(self) -> bool:
        """The source has a newer courseware version than the one we copied."""
        newest = self.source.courseware_version
        return newest is not None and (self.source_version or 0) < newest


# --- 师资交流互访: instructor exchange ------------------------------------------------------------------------------


class SharedInstructor(models.Model):
    """An instructor of ours whom partners may ask for a lecture (name, tier, specialties and shared courses only)."""

    instructor = models.OneToOneField(Instructor, on_delete=models.CASCADE, related_name="alliance_share")
    shared = models.BooleanField(_("shared"), default=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)

    class Meta:
        verbose_name = _("shared instructor")
        verbose_name_plural = _("shared instructors")

    def __str__(self) -> str:
        return str(self.instructor)


class RemoteInstructorQuerySet(models.QuerySet):
    def listed(self) -> RemoteInstructorQuerySet:
        return self.filter(withdrawn=False, partner__status=Partner.Status.ACTIVE)


class RemoteInstructor(models.Model):
    """An instructor a partner shares, as its instructor feed last described them (never a phone or ID number)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="instructors", verbose_name=_("partner")
    )
    remote_id = models.PositiveBigIntegerField()
    name = models.CharField(_("name"), max_length=40)
    tier = models.CharField(_("tier"), max_length=40, blank=True)
    specialties = models.CharField(_("specialties"), max_length=300, blank=True)
    # The shared courses they give: [{"id": <course id on the partner portal>, "title": "..."}].
    courses = models.JSONField(_("courses"), default=list)
    withdrawn = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RemoteInstructorQuerySet.as_manager()

    class Meta:
        verbose_name = _("alliance instructor")
        verbose_name_plural = _("alliance instructors")
        ordering = ["partner__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "remote_id"], name="alliance_remote_instructor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class ExchangeQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ExchangeQuerySet:
        """Admins all; organizers the requests they could have sent (their region) and those for instructors they
        manage; an instructor the requests for them (read-only)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(
                models.Q(direction=ExchangeRequest.Direction.OUTGOING, created_by__in=_region_users(user))
                | models.Q(
                    direction=ExchangeRequest.Direction.INCOMING, instructor__in=Instructor.objects.managed_by(user)
                )
            )
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(direction=ExchangeRequest.Direction.INCOMING, instructor__user=user)
        return self.none()


def _region_users(user: User):
    return User.objects.filter(below_q("region", user.region)).values("pk")


class ExchangeRequest(AuditedStatusMixin, models.Model):
    """One request for a partner's instructor (互访): the same UUID names it on both portals. On the requesting
    portal it is OUTGOING (the guest lecture in our calendar); on the instructor's home portal it is INCOMING and,
    once accepted, has the lecture in the home outreach calendar that counts in the instructor's yearly figures."""

    class Direction(models.TextChoices):
        OUTGOING = "out", _("We asked")
        INCOMING = "in", _("Asked of us")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        DELIVERED = "delivered", _("Delivered")
        EVALUATED = "evaluated", _("Result returned")

    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.REQUESTED: (Status.ACCEPTED, Status.DECLINED, Status.CANCELLED),
        Status.ACCEPTED: (Status.DELIVERED, Status.CANCELLED),
        Status.DELIVERED: (Status.EVALUATED,),
        Status.DECLINED: (),
        Status.CANCELLED: (),
        Status.EVALUATED: (),
    }
    STATUS_REFUSAL = _("An exchange request that is “%(from)s” cannot become “%(to)s”.")

    uuid = models.UUIDField(_("exchange id"))
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("partner"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # The instructor and course as the home portal numbers and names them.
    instructor_remote_id = models.PositiveBigIntegerField()
    instructor_name = models.CharField(_("instructor"), max_length=40)
    course_remote_id = models.PositiveBigIntegerField()
    course_title = models.CharField(_("course"), max_length=120)
    # On the home portal: our instructor, our course and the lecture in our outreach calendar.
    instructor = models.ForeignKey(
        Instructor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("instructor")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course")
    )
    lecture = models.ForeignKey(
        Lecture, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lecture")
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=120, help_text=_("Where the requesting city holds the lecture."))
    audience_expected = models.PositiveIntegerField(_("expected audience"), default=0)
    note = models.TextField(_("note"), blank=True)
    answer_reason = models.TextField(_("answer"), blank=True)
    attendance = models.PositiveIntegerField(_("actual attendance"), null=True, blank=True)
    hours = models.DecimalField(_("teaching hours"), max_digits=4, decimal_places=1, null=True, blank=True)
    # The evaluation result the requesting city (where the trainees sat) sends back: score and explanation only.
    result_score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    result_explanation = models.TextField(_("explanation"), blank=True)
    result_trainees = models.PositiveIntegerField(_("trainees who answered"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange request")
        verbose_name_plural = _("exchange requests")
        ordering = ["-start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "direction", "uuid"], name="alliance_exchange_once"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="alliance_exchange_order"),
        ]

    def __str__(self) -> str:
        return f"{self.instructor_name} · {self.course_title} · {self.start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("alliance:exchange_detail", args=[self.pk])

    @property
    def is_outgoing(self) -> bool:
        return self.direction == self.Direction.OUTGOING


class ExchangeStatusChange(StatusChangeBase):
    """The audit of an exchange request: who (a user here, or the partner portal's message), when, why."""

    exchange = models.ForeignKey(ExchangeRequest, on_delete=models.CASCADE, related_name="status_changes")
    from_status, to_status = status_fields(ExchangeRequest.Status.choices, 10)

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("exchange status change")
        verbose_name_plural = _("exchange status changes")


class OutboxMessage(models.Model):
    """A signed POST to a partner portal waiting to be delivered (待发送): sent in order per exchange, retried by
    Celery with back-off while the partner is down; a refusal with a code stops it (shown on the page)."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request")
        ANSWER = "answer", _("Answer")
        DELIVERED = "delivered", _("Delivery record")
        RESULT = "result", _("Evaluation result")
        CANCEL = "cancel", _("Cancellation")

    exchange = models.ForeignKey(ExchangeRequest, on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    refused = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.exchange} · {self.kind}"

    @property
    def pending(self) -> bool:
        return self.sent_at is None and not self.refused


# --- joint events (联合研讨峰会) ------------------------------------------------------------------------------------


class JointEventQuerySet(models.QuerySet):
    def ours(self) -> JointEventQuerySet:
        return self.filter(partner__isnull=True)

    def managed_by(self, user) -> JointEventQuerySet:
        """Our events an organizer may edit: admins all, organizers those of their region and below."""
        return within(self.ours(), user, "region")

    def visible_to(self, user) -> JointEventQuerySet:
        """What a signed-in member may see: our published or cancelled events, the drafts they manage, and the
        events of active partners."""
        listed = models.Q(partner__isnull=True, status__in=[JointEvent.Status.PUBLISHED, JointEvent.Status.CANCELLED])
        partners = models.Q(partner__status=Partner.Status.ACTIVE)
        managed = models.Q(pk__in=self.managed_by(user).values("pk"))
        return self.filter(listed | partners | managed)


class JointEvent(models.Model):
    """A joint seminar or summit of the alliance with its agenda, hosted by us (partner empty) or by a partner portal
    (pulled from its event feed)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published event")
        CANCELLED = "cancelled", _("Cancelled")

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("host portal")
    )
    remote_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organizing region")
    )
    title = models.CharField(_("title"), max_length=120)
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    registration_deadline = models.DateTimeField(_("registration deadline"))
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Seats for registrations from all portals."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    stamp = models.BigIntegerField(_("change stamp"), default=0, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = JointEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint event")
        verbose_name_plural = _("joint events")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "remote_id"], name="alliance_remote_event_once"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("alliance:event_detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")}, code="bad_dates")

    @property
    def is_ours(self) -> bool:
        return self.partner_id is None

    @property
    def host_name(self) -> str:
        return self.partner.name if self.partner_id else our_portal_name()

    @property
    def registration_open(self) -> bool:
        return self.status == self.Status.PUBLISHED and timezone.now() <= self.registration_deadline

    @property
    def can_publish(self) -> bool:
        return self.is_ours and self.status == self.Status.DRAFT

    @property
    def can_cancel(self) -> bool:
        return self.is_ours and self.status == self.Status.PUBLISHED


class EventSession(models.Model):
    """One item of a joint event's agenda."""

    event = models.ForeignKey(JointEvent, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("time"))
    title = models.CharField(_("title"), max_length=120)
    speaker = models.CharField(_("speaker"), max_length=120, blank=True)
    room = models.CharField(_("room"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """A person's registration for a joint event. On the host portal it is the registration itself; on the portal
    of a member registering for a partner's event it is the outbox row (待发送 until the host answered), whose contact
    is erased once sent: contacts are kept on the host portal only."""

    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("Instructor")
        ORGANIZER = "organizer", _("Organizer")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        CONFIRMED = "confirmed", _("Confirmed")
        FULL = "full", _("Event full")
        CLOSED = "closed", _("Registration closed")
        REFUSED = "refused", _("Refused by the host portal")

    event = models.ForeignKey(JointEvent, on_delete=models.CASCADE, related_name="registrations")
    # The registrant's portal: empty for ours.
    portal = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("portal")
    )
    # Made by the registrant's portal; unique per sending portal (one partner cannot reach another's by guessing).
    uid = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    person_key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("employer"), max_length=100)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.INSTRUCTOR)
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["portal__name", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["portal", "uid"], name="alliance_registration_uid_once"),
            models.UniqueConstraint(
                fields=["event", "portal", "person_key"], name="alliance_register_once_from_partner"
            ),
            models.UniqueConstraint(
                fields=["event", "person_key"],
                condition=models.Q(portal__isnull=True),
                name="alliance_register_once_here",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.event})"

    @property
    def portal_name(self) -> str:
        return self.portal.name if self.portal_id else our_portal_name()

    @property
    def masked_contact(self) -> str:
        """The contact as shown on screen and in exports: its last four characters only (one when it is short)."""
        value = self.contact.strip()
        if not value:
            return ""
        shown = 4 if len(value) >= 8 else 1  # a short contact would be shown whole by its last four
        return "*" * max(len(value) - shown, 3) + value[-shown:]
