"""Every write to the registry that is more than one save: status changes, photos, yearly figures, accounts."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.queue import enqueue
from core.status import status_change, status_history_start

from .images import clean_image_upload, make_thumbnail
from .models import Instructor, InstructorYearFigures, TeachingGroup, User


def instructor_change_status(*, instructor: Instructor, to_status: str, by: User | None, reason: str) -> Instructor:
    """Move an instructor along the life-cycle and record who did it, when and why."""
    return status_change(obj=instructor, to_status=to_status, by=by, reason=reason)


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
    status_history_start(obj=instructor, by=by, reason=reason or _("Record created"))
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
        enqueue("instructors.tasks.make_thumbnail_task", instructor.pk)  # hourly missing_thumbnails_task repairs a miss

    transaction.on_commit(after_commit)
    return instructor


def instructor_make_thumbnail(*, instructor_id: int) -> bool:
    """Make the photo thumbnail; returns False when there is nothing to do (idempotent)."""
    instructor = Instructor.objects.filter(pk=instructor_id).first()
    if instructor is None or not instructor.photo or instructor.photo_thumbnail:
        return False  # a new photo clears the thumbnail, so one that is set belongs to the current photo
    with instructor.photo.open("rb") as source:
        thumb = make_thumbnail(source)
    name = instructor.photo.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    instructor.photo_thumbnail.save(f"{name}_thumb.jpg", thumb, save=False)
    # Conditional update: a newer photo uploaded meanwhile keeps its own (pending) thumbnail, and of two runs at
    # once only the first keeps its file; the loser deletes its own, so no thumbnail is ever left over.
    updated = Instructor.objects.filter(pk=instructor.pk, photo=instructor.photo.name, photo_thumbnail="").update(
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


def user_feed_token(*, user: User) -> str:
    """The user's private calendar-feed token, made on first use (two first uses at once get the same one)."""
    if not user.feed_token:
        User.objects.filter(pk=user.pk, feed_token__isnull=True).update(feed_token=secrets.token_urlsafe(32))
        user.refresh_from_db(fields=["feed_token"])
    return user.feed_token


def user_reset_feed_token(*, user: User) -> str:
    """Give the user a new feed token: every calendar subscribed to the old address stops receiving at once."""
    user.feed_token = secrets.token_urlsafe(32)
    user.save(update_fields=["feed_token"])
    return user.feed_token


def teaching_group_set_leader(*, group: TeachingGroup, leader: Instructor | None) -> TeachingGroup:
    """Record who leads a group (the pages that trust group leaders read this); None clears it."""
    if leader is not None and not group.members.filter(pk=leader.pk).exists():
        raise ValidationError(_("The leader must be a member of the group."), code="not_group_member")
    TeachingGroup.objects.filter(pk=group.pk).update(leader=leader)
    group.leader = leader
    return group
