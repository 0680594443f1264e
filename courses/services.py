"""Every write to the catalog that is more than one save: status changes, courseware, rectifications, the premium
library and training sign-ups. Other apps call ``course_assert_schedulable`` and ``premium_library_add``."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from core.status import status_change, status_history_start
from instructors.images import clean_image_upload
from instructors.models import Instructor, User

from .courseware import clean_courseware_upload
from .models import (
    Course,
    CoursewareVersion,
    PremiumLibraryEntry,
    Rectification,
    TrainingSession,
    TrainingSignup,
    TrainingWish,
)


def course_assert_schedulable(*, course: Course) -> None:
    """Refuse (ValidationError) to schedule a course that is not active or premium."""
    if course.status == Course.Status.RECTIFICATION:
        raise ValidationError(_("This course is under rectification and cannot be scheduled."), code="rectification")
    if not course.is_orderable:
        raise ValidationError(
            _("Only active or premium courses can be scheduled; this course is “%(status)s”.")
            % {"status": course.get_status_display()},
            code="not_orderable",
        )


@transaction.atomic
def course_change_status(*, course: Course, to_status: str, by: User | None, reason: str) -> Course:
    """Move a course along the life-cycle (draft → in review → active → premium, retired) with an audit row."""
    if to_status == Course.Status.RECTIFICATION or course.status == Course.Status.RECTIFICATION:
        # Entering and leaving rectification needs findings, a deadline and a decision: see rectification_*.
        raise field_error(
            "to_status",
            _("Use a rectification to take a course off the shelf or to put it back."),
            "rectification_only",
        )
    return status_change(obj=course, to_status=to_status, by=by, reason=reason)


@transaction.atomic
def course_create(*, data: dict, by: User | None) -> Course:
    """Create a course as a draft; its first status is audited like any later change."""
    co_instructors = data.pop("co_instructors", None)
    cover = data.pop("cover", None)
    course = Course(status=Course.Status.DRAFT, **data)
    course.full_clean(exclude=["cover"])
    course.save()
    if co_instructors is not None:
        course.co_instructors.set(co_instructors)
    status_history_start(obj=course, by=by, reason=_("Course created"))
    if cover:
        course_set_cover(course=course, upload=cover)
    return course


@transaction.atomic
def course_update(*, course: Course, data: dict) -> Course:
    """Save edited course fields (never the status: that has its own audited service)."""
    co_instructors = data.pop("co_instructors", None)
    cover = data.pop("cover", None)
    data.pop("status", None)
    for field, value in data.items():
        setattr(course, field, value)
    course.full_clean(exclude=["cover"])
    course.save()
    if co_instructors is not None:
        course.co_instructors.set(co_instructors)
    if cover:
        course_set_cover(course=course, upload=cover)
    return course


def course_set_cover(*, course: Course, upload) -> Course:
    """Store a cleaned cover picture (decoded, EXIF stripped) and delete the old one after commit."""
    cleaned = clean_image_upload(upload)
    old = course.cover.name
    course.cover.save(cleaned.name, cleaned, save=False)
    course.save(update_fields=["cover", "updated_at"])
    storage = course.cover.storage
    if old and old != course.cover.name:
        transaction.on_commit(lambda: storage.delete(old))
    return course


@transaction.atomic
def courseware_upload(*, course: Course, upload, note: str, by: User | None) -> CoursewareVersion:
    """Check an upload by content and store it as the course's next immutable version."""
    note = (note or "").strip()
    if not note:
        raise field_error("note", _("Please say what changed in this version."), "note_missing")
    kind = clean_courseware_upload(upload)
    # Lock the course row so two uploads at the same moment get different version numbers.
    locked = Course.objects.select_for_update().get(pk=course.pk)
    number = (locked.courseware_versions.aggregate(m=Max("number"))["m"] or 0) + 1
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    version = CoursewareVersion(
        course=locked,
        number=number,
        kind=kind,
        size=upload.size,
        original_name=(getattr(upload, "name", "") or "")[-200:],
        sha256=digest.hexdigest(),
        note=note,
        uploaded_by=by,
    )
    version.file.save(f"courseware.{kind}", upload, save=False)  # stored under a random name (UnguessableUploadTo)
    stored = version.file.name
    try:
        version.save()
    except Exception:
        version.file.storage.delete(stored)
        raise
    return version


def courseware_current(*, course: Course) -> CoursewareVersion | None:
    """The current (highest-numbered) courseware version of a course."""
    return course.courseware_versions.order_by("-number").first()


@transaction.atomic
def rectification_open(
    *, course: Course, reason: str, findings: str, deadline: dt.date, by: User | None
) -> Rectification:
    """Take an active or premium course off the shelf for rectification with findings and a deadline."""
    if deadline < timezone.localdate():
        raise field_error("deadline", _("The deadline cannot be in the past."), "deadline_past")
    if not (findings or "").strip():
        raise field_error(
            "findings", _("Please record the findings that led to the rectification."), "findings_missing"
        )
    locked = status_change(obj=course, to_status=Course.Status.RECTIFICATION, by=by, reason=reason)
    return Rectification.objects.create(
        course=locked, reason=reason.strip(), findings=findings.strip(), deadline=deadline, opened_by=by
    )


@transaction.atomic
def rectification_submit(*, rectification: Rectification, upload, note: str, by: User | None) -> Rectification:
    """The instructor hands in revised courseware and a note; the organizer decides next."""
    locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if not locked.can_submit:
        raise ValidationError(_("This rectification is not waiting for a revision."), code="not_waiting_for_revision")
    note = (note or "").strip()
    if not note:
        raise field_error("note", _("Please describe what you changed."), "note_missing")
    version = courseware_upload(course=locked.course, upload=upload, note=note, by=by)
    locked.revised_version = version
    locked.revision_note = note
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.status = Rectification.Status.SUBMITTED
    locked.save(update_fields=["revised_version", "revision_note", "submitted_at", "submitted_by", "status"])
    return locked


@transaction.atomic
def rectification_decide(*, rectification: Rectification, approve: bool, note: str, by: User | None) -> Rectification:
    """The organizer re-approves the course (back to active) or retires it; both are audited."""
    locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
    note = (note or "").strip()
    if not note:
        raise field_error("note", _("Please give the reason for this decision."), "note_missing")
    if approve and not locked.can_decide:
        raise ValidationError(
            _("A course can be re-approved only after the instructor has submitted a revision."), code="no_revision_yet"
        )
    if not locked.is_pending:
        raise ValidationError(_("This rectification has already been decided."), code="already_decided")
    to_status = Course.Status.ACTIVE if approve else Course.Status.RETIRED
    status_change(obj=locked.course, to_status=to_status, by=by, reason=note)
    locked.status = Rectification.Status.APPROVED if approve else Rectification.Status.RETIRED
    locked.decision_note = note
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
    return locked


@transaction.atomic
def premium_library_add(
    *, course: Course, year: int, reason: str, by: User | None, source: str = ""
) -> PremiumLibraryEntry:
    """Put a course in a year's premium library (organizer selection or competition top ten); idempotent."""
    if reason not in PremiumLibraryEntry.Reason.values:
        raise field_error("reason", _("Unknown reason."), "unknown_reason")
    if not course.is_orderable:
        raise ValidationError(
            _("Only an active or premium course can join the premium library; this course is “%(status)s”.")
            % {"status": course.get_status_display()},
            code="not_orderable",
        )
    entry, created = PremiumLibraryEntry.objects.get_or_create(
        year=year, course=course, defaults={"reason": reason, "source": source, "added_by": by}
    )
    if created and course.status == Course.Status.ACTIVE:
        status_change(
            obj=course,
            to_status=Course.Status.PREMIUM,
            by=by,
            reason=_("Added to the %(year)d premium course library") % {"year": year},
        )
    return entry


@transaction.atomic
def training_signup(*, session: TrainingSession, instructor: Instructor) -> TrainingSignup:
    """Sign an instructor up for a session within its capacity, also under concurrent clicks."""
    # Lock the session row: concurrent sign-ups for the same session queue here, so count-then-insert is safe;
    # the unique constraint stops a double click from the same instructor.
    locked = TrainingSession.objects.select_for_update().select_related("programme").get(pk=session.pk)
    if not locked.programme.signup_open:
        raise ValidationError(_("Sign-up for this programme is closed."), code="signup_closed")
    if not instructor.can_teach:
        raise ValidationError(_("Only instructors in the pool can sign up for training."), code="not_in_pool")
    if TrainingSignup.objects.filter(session=locked, instructor=instructor).exists():
        raise ValidationError(_("You have already signed up for this session."), code="already_signed_up")
    if TrainingSignup.objects.filter(session=locked).count() >= locked.capacity:
        raise ValidationError(
            _("This session is full (%(capacity)d places). Please choose another session.")
            % {"capacity": locked.capacity},
            code="full",
        )
    try:
        with transaction.atomic():
            return TrainingSignup.objects.create(session=locked, instructor=instructor)
    except IntegrityError:
        raise ValidationError(_("You have already signed up for this session."), code="already_signed_up") from None


@transaction.atomic
def training_signup_cancel(*, session: TrainingSession, instructor: Instructor) -> bool:
    """Give a place back before the session starts; returns whether a sign-up was removed."""
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if locked.starts_at <= timezone.now():
        raise ValidationError(
            _("The session has started; the sign-up can no longer be cancelled."), code="session_started"
        )
    deleted, _rows = TrainingSignup.objects.filter(session=locked, instructor=instructor).delete()
    return bool(deleted)


@transaction.atomic
def training_record_attendance(*, session: TrainingSession, attended_ids: set[int]) -> int:
    """Record who attended a session (every sign-up gets yes or no); returns how many attended."""
    signups = TrainingSignup.objects.filter(session=session)
    signups.filter(pk__in=attended_ids).update(attended=True)
    signups.exclude(pk__in=attended_ids).update(attended=False)
    return signups.filter(attended=True).count()


def training_wish_toggle(*, programme, topic, instructor: Instructor) -> bool:
    """Add or remove an instructor's wish for a programme topic; returns whether the wish now exists."""
    if not programme.topics.filter(pk=topic.pk).exists():
        raise ValidationError(_("This topic is not part of the programme."), code="topic_not_in_programme")
    deleted, _rows = TrainingWish.objects.filter(programme=programme, topic=topic, instructor=instructor).delete()
    if deleted:
        return False
    TrainingWish.objects.get_or_create(programme=programme, topic=topic, instructor=instructor)
    return True
