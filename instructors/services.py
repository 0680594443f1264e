"""Every write to the registry that is more than one save: status changes, photos, yearly figures, accounts."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.queue import enqueue

from .images import clean_image_upload, make_thumbnail
from .models import Instructor, InstructorStatusChange, InstructorYearFigures, TeachingGroup, User


@transaction.atomic
def instructor_change_status(*, instructor: Instructor, to_status: str, by: User | None, reason: str) -> Instructor:
    """Move an instructor along the life-cycle and record who did it, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for this status change.")})
    locked = Instructor.objects.select_for_update().get(pk=instructor.pk)
    if to_status not in Instructor.Status.values:
        raise ValidationError({"to_status": _("Unknown status.")})
    if not locked.can_change_status_to(to_status):
        raise ValidationError(
            {
                "to_status": _("An instructor who is “%(from)s” cannot become “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Instructor.Status(to_status).label}
            }
        )
    now = timezone.now()
    InstructorStatusChange.objects.create(
        instructor=locked, from_status=locked.status, to_status=to_status, changed_by=by, changed_at=now, reason=reason
    )
    locked.status = to_status
    locked.status_changed_at = now
    if to_status == Instructor.Status.ACTIVE and locked.joined_on is None:
        locked.joined_on = timezone.localdate(now)
    locked.save(update_fields=["status", "status_changed_at", "joined_on", "updated_at"])
    return locked


@transaction.atomic
def instructor_create(
    *, data: dict, by: User | None, status: str = Instructor.Status.CANDIDATE, reason: str = ""
) -> Instructor:
    """Create a registry record; its first status is audited like any later change."""
    groups = data.pop("groups", None)
    specialties = data.pop("specialties", None)
    photo = data.pop("photo", None)
    instructor = Instructor(status=status, **data)
    instructor.full_clean(exclude=["photo"])
    instructor.save()
    if groups is not None:
        instructor.groups.set(groups)
    if specialties is not None:
        instructor.specialties.set(specialties)
    InstructorStatusChange.objects.create(
        instructor=instructor, from_status="", to_status=status, changed_by=by, reason=reason or _("Record created")
    )
    if photo:
        instructor_set_photo(instructor=instructor, upload=photo)
    return instructor


@transaction.atomic
def instructor_update(*, instructor: Instructor, data: dict) -> Instructor:
    """Save edited profile fields (never the status: that has its own audited service)."""
    groups = data.pop("groups", None)
    specialties = data.pop("specialties", None)
    photo = data.pop("photo", None)
    data.pop("status", None)
    for field, value in data.items():
        setattr(instructor, field, value)
    instructor.full_clean(exclude=["photo"])
    instructor.save()
    if groups is not None:
        instructor.groups.set(groups)
    if specialties is not None:
        instructor.specialties.set(specialties)
    if photo:
        instructor_set_photo(instructor=instructor, upload=photo)
    return instructor


def instructor_set_photo(*, instructor: Instructor, upload) -> Instructor:
    """Store a cleaned photo (EXIF stripped) and have the thumbnail made by a worker after commit."""
    from .tasks import make_thumbnail_task

    cleaned = clean_image_upload(upload)
    old_photo, old_thumb = instructor.photo.name, instructor.photo_thumbnail.name
    instructor.photo.save(cleaned.name, cleaned, save=False)
    instructor.photo_thumbnail = ""
    instructor.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
    storage = instructor.photo.storage

    def after_commit() -> None:
        for name in (old_photo, old_thumb):
            if name and name != instructor.photo.name:
                storage.delete(name)
        enqueue(make_thumbnail_task, instructor.pk)  # hourly missing_thumbnails_task repairs a miss

    transaction.on_commit(after_commit)
    return instructor


def instructor_make_thumbnail(*, instructor_id: int) -> bool:
    """Make the photo thumbnail; returns False when there is nothing to do (idempotent)."""
    instructor = Instructor.objects.filter(pk=instructor_id).first()
    if instructor is None or not instructor.photo:
        return False
    with instructor.photo.open("rb") as source:
        thumb = make_thumbnail(source)
    name = instructor.photo.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    instructor.photo_thumbnail.save(f"{name}_thumb.jpg", thumb, save=False)
    # Conditional update: a newer photo uploaded meanwhile keeps its own (pending) thumbnail.
    updated = Instructor.objects.filter(pk=instructor.pk, photo=instructor.photo.name).update(
        photo_thumbnail=instructor.photo_thumbnail.name
    )
    if not updated:
        instructor.photo_thumbnail.storage.delete(instructor.photo_thumbnail.name)
    return bool(updated)


def instructor_record_year_figures(
    *,
    instructor_id: int,
    year: int,
    lectures: int | None = None,
    hours: Decimal | None = None,
    quality: Decimal | None = None,
    scored_lectures: int | None = None,
) -> InstructorYearFigures:
    """Write the yearly figures that higher floors compute (outreach: lectures and hours; evaluations: quality)."""
    values = {
        key: value
        for key, value in {
            "lectures": lectures,
            "hours": hours,
            "quality": quality,
            "scored_lectures": scored_lectures,
        }.items()
        if value is not None
    }
    figures, _created = InstructorYearFigures.objects.update_or_create(
        instructor_id=instructor_id, year=year, defaults=values
    )
    return figures


def user_link_instructor(*, user: User, instructor: Instructor) -> Instructor:
    """Give an instructor a login account."""
    if user.role != User.Role.INSTRUCTOR:
        raise ValidationError(_("Only accounts with the instructor role can be linked to a registry record."))
    instructor.user = user
    instructor.save(update_fields=["user", "updated_at"])
    return instructor


def teaching_group_set_leader(*, group: TeachingGroup, leader: Instructor | None) -> TeachingGroup:
    """Record who leads a group (the pages that trust group leaders read this); None clears it."""
    if leader is not None and not group.members.filter(pk=leader.pk).exists():
        raise ValidationError(_("The leader must be a member of the group."), code="not_group_member")
    TeachingGroup.objects.filter(pk=group.pk).update(leader=leader)
    group.leader = leader
    return group
