"""Every write of outreach that is more than one save: requests, the lecture life-cycle and the clash rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import field_error
from core.queue import enqueue
from courses.models import Course
from courses.services import course_assert_schedulable
from instructors.images import clean_image_upload
from instructors.models import Instructor, Region, User
from instructors.services import instructor_record_year_figures

from . import selectors
from .models import (
    Campaign,
    CourseRequest,
    CoverageFigures,
    Lecture,
    LecturePhoto,
    LectureSlot,
    Organization,
    travel_buffer,
)

MAX_PHOTOS = 9


def _when(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


@transaction.atomic
def request_create(
    *,
    organization: Organization,
    course: Course,
    preferred_from: dt.date,
    preferred_to: dt.date,
    expected_audience: int,
    by: User,
    campaign: Campaign | None = None,
    note: str = "",
) -> CourseRequest:
    """Record an organization's order (点单) of a course from the menu."""
    if preferred_to < preferred_from:
        raise field_error("preferred_to", _("The last preferred day is before the first."), "preferred_order")
    course_assert_schedulable(course=course)
    if not Course.objects.visible_to(by).filter(pk=course.pk).exists():
        raise ValidationError(
            {"course": ValidationError(_("This course is not on your course menu."), code="course_out_of_scope")}
        )
    if campaign is not None and campaign.courses.exists() and not campaign.courses.filter(pk=course.pk).exists():
        raise field_error(
            "course",
            _("The campaign “%(campaign)s” does not offer this course.") % {"campaign": campaign},
            "course_not_in_campaign",
        )
    return CourseRequest.objects.create(
        organization=organization,
        course=course,
        campaign=campaign,
        preferred_from=preferred_from,
        preferred_to=preferred_to,
        expected_audience=expected_audience,
        note=note,
        created_by=by,
    )


def _assert_instructor_free(*, instructor: Instructor, start: dt.datetime, end: dt.datetime, county_id: int) -> None:
    """No overlap with the instructor's other lectures; different counties need the travel buffer between them."""
    buffer = travel_buffer()
    nearby = (
        Lecture.objects.active()
        .filter(instructor=instructor, start__lt=end + buffer, end__gt=start - buffer)
        .select_related("course", "organization", "county")
        .order_by("start")
    )
    for other in nearby:
        values = {
            "name": instructor.name,
            "course": other.course.title,
            "place": other.organization.name,
            "county": other.county.name,
            "start": _when(other.start),
            "end": _when(other.end),
            "hours": settings.OUTREACH_TRAVEL_BUFFER_HOURS,
        }
        if other.start < end and other.end > start:
            raise ValidationError(
                _("%(name)s already teaches “%(course)s” at %(place)s from %(start)s to %(end)s.") % values,
                code="instructor_overlap",
            )
        if other.county_id != county_id:
            raise ValidationError(
                _(
                    "%(name)s teaches at %(place)s (%(county)s) from %(start)s to %(end)s; lectures in different "
                    "counties need at least %(hours)s hours between them for travel."
                )
                % values,
                code="travel_buffer",
            )


def _assert_venue_free(*, organization: Organization, start: dt.datetime, end: dt.datetime) -> None:
    """An organization (the venue) hosts one lecture at a time."""
    other = (
        Lecture.objects.active()
        .filter(organization=organization)
        .overlapping(start, end)
        .select_related("course")
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("%(place)s already hosts “%(course)s” from %(start)s to %(end)s.")
            % {
                "place": organization.name,
                "course": other.course.title,
                "start": _when(other.start),
                "end": _when(other.end),
            },
            code="venue_overlap",
        )


@transaction.atomic
def lecture_schedule(
    *,
    course: Course,
    instructor: Instructor,
    start: dt.datetime,
    end: dt.datetime,
    organization: Organization,
    venue: str,
    by: User | None,
    request: CourseRequest | None = None,
    campaign: Campaign | None = None,
    audience_expected: int | None = None,
) -> Lecture:
    """Put a lecture in the calendar after every clash rule; the database refuses a concurrent double booking."""
    if end <= start:
        raise field_error("end", _("The lecture must end after it starts."), "end_before_start")
    # Serialise the bookings of one instructor: on PostgreSQL the second booker waits here and then sees the first
    # booking in the checks below (SQLite serialises writers anyway). The slots' unique constraints are the
    # database's own guarantee against overlaps, whatever path writes a lecture.
    instructor = Instructor.objects.select_for_update().get(pk=instructor.pk)
    if not instructor.can_teach:
        raise ValidationError(
            _("%(name)s is “%(status)s”; only active instructors and those on probation can be scheduled.")
            % {"name": instructor.name, "status": instructor.get_status_display()},
            code="instructor_inactive",
        )
    course_assert_schedulable(course=course)
    if request is not None and request.status != CourseRequest.Status.OPEN:
        raise ValidationError(_("This request is no longer open."), code="request_closed")
    _assert_instructor_free(instructor=instructor, start=start, end=end, county_id=organization.county_id)
    _assert_venue_free(organization=organization, start=start, end=end)
    lecture = Lecture.objects.create(
        instructor=instructor,
        course=course,
        start=start,
        end=end,
        organization=organization,
        venue=venue,
        county_id=organization.county_id,
        audience_expected=audience_expected
        if audience_expected is not None
        else (request.expected_audience if request else 0),
        request=request,
        campaign=campaign or (request.campaign if request else None),
        created_by=by,
        status_changed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            LectureSlot.objects.bulk_create(
                LectureSlot(lecture=lecture, instructor=instructor, organization=organization, bucket=bucket)
                for bucket in LectureSlot.buckets(start, end)
            )
    except IntegrityError:
        raise ValidationError(
            _(
                "The instructor or the venue was booked for this time by someone else a moment ago. "
                "Choose another time."
            ),
            code="concurrent_booking",
        ) from None
    if request is not None:
        request.status = CourseRequest.Status.SCHEDULED
        request.save(update_fields=["status"])
    return lecture


def request_dispatch(
    *,
    course_request: CourseRequest,
    instructor: Instructor,
    start: dt.datetime,
    end: dt.datetime,
    venue: str,
    by: User,
) -> Lecture:
    """派课: schedule the lecture that serves an open request, with the request's course, host and audience."""
    return lecture_schedule(
        course=course_request.course,
        instructor=instructor,
        start=start,
        end=end,
        organization=course_request.organization,
        venue=venue,
        by=by,
        request=course_request,
    )


def _lock(lecture: Lecture, to_status: str) -> Lecture:
    locked = Lecture.objects.select_for_update().select_related("instructor").get(pk=lecture.pk)
    if not locked.can_change_to(to_status):
        raise ValidationError(
            _("A lecture that is “%(from)s” cannot become “%(to)s”.")
            % {"from": locked.get_status_display(), "to": Lecture.Status(to_status).label},
            code="transition",
        )
    return locked


def _set_status(lecture: Lecture, status: str, *fields: str) -> Lecture:
    lecture.status = status
    lecture.status_changed_at = timezone.now()
    lecture.save(update_fields=["status", "status_changed_at", "changed_at", *fields])
    coverage_figures_changed()
    return lecture


@transaction.atomic
def lecture_confirm(*, lecture: Lecture, by: User | None) -> Lecture:
    """The instructor and the host have agreed: planned → confirmed."""
    return _set_status(_lock(lecture, Lecture.Status.CONFIRMED), Lecture.Status.CONFIRMED)


def lecture_refresh_year_figures(*, instructor_id: int, year: int) -> None:
    """Recompute an instructor's delivered lectures and hours for a year (SQL aggregate) into the registry."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    totals = (
        Lecture.objects.delivered()
        .filter(instructor_id=instructor_id, start__gte=start, start__lt=end)
        .aggregate(lectures=Count("pk"), hours=Sum("hours"))
    )
    instructor_record_year_figures(
        instructor_id=instructor_id, year=year, lectures=totals["lectures"], hours=totals["hours"] or Decimal("0")
    )


@transaction.atomic
def lecture_deliver(*, lecture: Lecture, attendance: int, hours: Decimal, photos: list, by: User | None) -> Lecture:
    """Record a delivered lecture (attendance, hours, photos) and update the instructor's yearly figures."""
    locked = _lock(lecture, Lecture.Status.DELIVERED)
    if locked.start > timezone.now():
        raise ValidationError(_("A lecture cannot be recorded as delivered before it has started."), code="future")
    if attendance is None or attendance < 0:
        raise field_error("attendance", _("Enter the number of people who attended."), "attendance_missing")
    if hours is None or not Decimal("0") < Decimal(hours) <= Decimal("12"):
        raise field_error("hours", _("Teaching hours must be more than 0 and at most 12."), "hours_range")
    if len(photos) > MAX_PHOTOS:
        raise field_error(
            "photos", _("At most %(max)d photos can be attached.") % {"max": MAX_PHOTOS}, "too_many_photos"
        )
    cleaned = [clean_image_upload(upload) for upload in photos]
    locked.audience_actual = attendance
    locked.hours = Decimal(hours)
    _set_status(locked, Lecture.Status.DELIVERED, "audience_actual", "hours")
    for image in cleaned:
        photo = LecturePhoto(lecture=locked, uploaded_by=by)
        photo.image.save(image.name, image, save=False)
        photo.save()
    lecture_refresh_year_figures(instructor_id=locked.instructor_id, year=timezone.localtime(locked.start).year)
    return locked


@transaction.atomic
def lecture_close(*, lecture: Lecture, by: User | None) -> Lecture:
    """The organizer has checked the record: delivered → closed."""
    return _set_status(_lock(lecture, Lecture.Status.CLOSED), Lecture.Status.CLOSED)


@transaction.atomic
def lecture_cancel(*, lecture: Lecture, reason: str, by: User | None) -> Lecture:
    """Cancel a planned or confirmed lecture, free its time and reopen the request it served."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Please give the reason for cancelling."), "reason_missing")
    locked = _lock(lecture, Lecture.Status.CANCELLED)
    locked.cancel_reason = reason[:200]
    _set_status(locked, Lecture.Status.CANCELLED, "cancel_reason")
    LectureSlot.objects.filter(lecture=locked).delete()
    if locked.request_id and not Lecture.objects.active().filter(request_id=locked.request_id).exists():
        CourseRequest.objects.filter(pk=locked.request_id, status=CourseRequest.Status.SCHEDULED).update(
            status=CourseRequest.Status.OPEN
        )
    return locked


@transaction.atomic
def request_cancel(*, course_request: CourseRequest, by: User | None) -> CourseRequest:
    """Withdraw an open request."""
    if course_request.status != CourseRequest.Status.OPEN:
        raise ValidationError(_("Only an open request can be withdrawn."), code="request_not_open")
    course_request.status = CourseRequest.Status.CANCELLED
    course_request.save(update_fields=["status"])
    return course_request


# --- Yearly figures kept by the worker ------------------------------------------------------------------------------

FIGURES_MAX_AGE = dt.timedelta(hours=1)


def coverage_figures_refresh(*, region: Region | None, year: int) -> CoverageFigures:
    """Compute and store the yearly figures of a region (or of everything). Idempotent; safe to run concurrently."""
    # The stamp is read first: a change made while the figures are computed leaves the row stale, not wrong.
    stamp = selectors.coverage_stamp()
    data = selectors.coverage_figures_encode(selectors.coverage_figures_live(region=region, year=year))
    values = {"figures": data, "stamp": stamp, "computed_at": timezone.now()}
    try:
        with transaction.atomic():
            row, _created = CoverageFigures.objects.update_or_create(region=region, year=year, defaults=values)
    except IntegrityError:  # another worker created the row meanwhile
        CoverageFigures.objects.filter(region=region, year=year).update(**values)
        row = CoverageFigures.objects.get(region=region, year=year)
    return row


def coverage_figures_refresh_stale(*, max_age: dt.timedelta | None = None) -> int:
    """Recompute the stored figures whose data changed, and with ``max_age`` those older than that (figures also
    read course status, instructor tiers and station listeners, which carry no stamp). The current year first."""
    stale = CoverageFigures.objects.exclude(stamp=selectors.coverage_stamp())
    if max_age is not None:
        stale = stale | CoverageFigures.objects.filter(computed_at__lt=timezone.now() - max_age)
    rows = list(stale.select_related("region").order_by("-year", "pk"))
    for row in rows:
        coverage_figures_refresh(region=row.region, year=row.year)
    return len(rows)


def coverage_figures_ensure(*, year: int) -> int:
    """Create the missing rows of a year for the scopes whose pages are opened: everything and every organizer's
    region. Other regions (a county picked in the report form) get theirs on first view."""
    regions = [None, *Region.objects.filter(pk__in=User.objects.filter(role=User.Role.ORGANIZER).values("region"))]
    made = 0
    for region in regions:
        if not CoverageFigures.objects.filter(region=region, year=year).exists():
            coverage_figures_refresh(region=region, year=year)
            made += 1
    return made


def coverage_figures_changed() -> None:
    """Lectures, organizations or plays changed: the worker recomputes the stale yearly figures after the commit."""
    transaction.on_commit(
        lambda: enqueue("outreach.tasks.coverage_figures_refresh_task")
    )  # the periodic repair catches a miss
