"""Every write of the alliance: sharing a course (and the change stamps of our feed), pulling a partner's feed,
adopting a partner's course into our catalogue and taking its updates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import tempfile

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.queue import enqueue
from courses.courseware import DEFAULT_MAX_BYTES
from courses.models import Course, CoursewareVersion, Topic
from courses.services import course_create, courseware_upload
from instructors.models import Instructor, User

from . import selectors, signing
from .models import AdoptedCourse, FeedClock, Partner, RemoteCourse, SharedCourse

log = logging.getLogger(__name__)


# --- our feed ---------------------------------------------------------------------------------------------------


def _clock_locked() -> FeedClock:
    """The feed clock row, locked until the transaction ends (made on first use)."""
    clock = FeedClock.objects.select_for_update().filter(pk=1).first()
    if clock is None:
        try:
            with transaction.atomic():
                FeedClock.objects.create(pk=1, stamp=0)
        except IntegrityError:
            pass
        clock = FeedClock.objects.select_for_update().get(pk=1)
    return clock


@transaction.atomic
def feed_refresh() -> int:
    """Give a new change stamp to every shared course whose publication changed (title, courseware, status,
    ratings …) since it was last stamped; returns how many. The courses app knows nothing of the alliance, so the
    feed compares instead of being told."""
    clock = _clock_locked()
    shares = list(selectors.shared_courses())
    versions = selectors.current_versions([s.course_id for s in shares])
    changed = 0
    for share in shares:
        digest = selectors.fingerprint(selectors.publication(share, versions.get(share.course_id)))
        if digest != share.fingerprint:
            clock.stamp += 1
            SharedCourse.objects.filter(pk=share.pk).update(fingerprint=digest, stamp=clock.stamp)
            changed += 1
    if changed:
        clock.save(update_fields=["stamp"])
    return changed


@transaction.atomic
def course_share(*, course: Course, shared: bool, by: User | None) -> SharedCourse:
    """Put a course into the alliance library (or take it out: partners then see it withdrawn)."""
    if shared and not course.is_orderable:
        raise ValidationError(
            _("Only active or premium courses can be shared with the alliance."), code="not_orderable"
        )
    clock = _clock_locked()
    clock.stamp += 1
    clock.save(update_fields=["stamp"])
    share, _created = SharedCourse.objects.update_or_create(
        course=course,
        defaults={
            "shared": shared,
            "stamp": clock.stamp,
            "fingerprint": "",
            "shared_by": by,
            "shared_at": timezone.now(),
        },
    )
    return share


# --- pulling a partner's feed ------------------------------------------------------------------------------------


class FeedError(Exception):
    """A partner's answer we cannot use (not JSON, not our format): nothing of it is stored."""


def _text(item: dict, key: str, limit: int, *, required: bool = False) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise FeedError(f"item {item.get('id')}: field {key!r} is not a text of at most {limit} characters")
    return value


def _int(value, what: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise FeedError(f"{what} is not a whole number ≥ {minimum}")
    return value


def _course_fields(item: dict, partner: Partner) -> dict:
    fields = {
        "title": _text(item, "title", 120, required=True),
        "summary": _text(item, "summary", 20000),
        "topic": _text(item, "topic", 60),
        "format": _text(item, "format", 12, required=True),
        "duration_minutes": _int(item.get("duration_minutes"), "duration_minutes", minimum=1),
        "audience": _text(item, "audience", 120),
        "lead_instructor": _text(item, "lead_instructor", 60),
    }
    if fields["format"] not in Course.Format.values:
        raise FeedError(f"item {item['id']}: unknown format {fields['format']!r}")
    courseware = item.get("courseware")
    if courseware is None:
        fields.update(courseware_version=None, courseware_kind="", courseware_size=None, courseware_sha256="")
        fields.update(courseware_note="", courseware_url="")
    else:
        if not isinstance(courseware, dict):
            raise FeedError(f"item {item['id']}: courseware is not an object")
        url = _text(courseware, "url", 500, required=True)
        if not url.startswith(partner.base_url + "/"):
            raise FeedError(f"item {item['id']}: the courseware URL is not on the partner's portal")
        kind = _text(courseware, "kind", 4, required=True)
        if kind not in CoursewareVersion.Kind.values:
            raise FeedError(f"item {item['id']}: unknown courseware type {kind!r}")
        sha = _text(courseware, "sha256", 64, required=True)
        if len(sha) != 64:
            raise FeedError(f"item {item['id']}: courseware sha256 is not 64 hex digits")
        fields.update(
            courseware_version=_int(courseware.get("version"), "courseware version", minimum=1),
            courseware_kind=kind,
            courseware_size=_int(courseware.get("size"), "courseware size"),
            courseware_sha256=sha,
            courseware_note=_text(courseware, "note", 5000),
            courseware_url=url,
        )
    rating = item.get("rating") or {}
    if not isinstance(rating, dict):
        raise FeedError(f"item {item['id']}: rating is not an object")
    mean = rating.get("mean")
    try:
        mean = None if mean is None else round(float(mean), 2)
    except (TypeError, ValueError):
        raise FeedError(f"item {item['id']}: rating mean is not a number") from None
    if mean is not None and not 0 <= mean <= 100:
        raise FeedError(f"item {item['id']}: rating mean is out of range")
    fields.update(rating_count=_int(rating.get("lectures", 0), "rating lectures"), rating_mean=mean)
    return fields


def feed_parse(*, content: bytes, partner: Partner) -> dict:
    """Check a whole feed page before anything of it is stored (FeedError names the first problem)."""
    try:
        payload = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise FeedError("no list of items")
    if not isinstance(payload.get("more"), bool):
        raise FeedError("'more' is missing")
    items = []
    for item in payload["items"]:
        if not isinstance(item, dict):
            raise FeedError("an item is not an object")
        row = {
            "remote_id": _int(item.get("id"), "item id", minimum=1),
            "stamp": _int(item.get("stamp"), f"item {item.get('id')}: stamp", minimum=1),
            "withdrawn": item.get("withdrawn") is True,
        }
        if not row["withdrawn"]:
            row["fields"] = _course_fields(item, partner)
        items.append(row)
    payload["next"] = _int(payload.get("next"), "'next'")
    payload["items"] = items
    return payload


@transaction.atomic
def _feed_store(*, partner: Partner, since: int, payload: dict) -> bool:
    """Store one checked page and move the cursor in the same transaction (so a stop in the middle loses and
    duplicates nothing); False when another pull moved the cursor first."""
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.feed_stamp != since:
        return False
    now = timezone.now()
    for row in payload["items"]:
        existing = RemoteCourse.objects.filter(partner=locked, remote_id=row["remote_id"]).first()
        if existing is not None and existing.stamp >= row["stamp"]:
            continue
        if row["withdrawn"]:
            if existing is not None:
                RemoteCourse.objects.filter(pk=existing.pk).update(withdrawn=True, stamp=row["stamp"], updated_at=now)
            continue
        RemoteCourse.objects.update_or_create(
            partner=locked,
            remote_id=row["remote_id"],
            defaults={**row["fields"], "stamp": row["stamp"], "withdrawn": False, "updated_at": now},
        )
    Partner.objects.filter(pk=locked.pk).update(feed_stamp=max(payload["next"], since))
    return True


def _pull_failed(partner: Partner, error: str) -> None:
    failures = partner.failures + 1
    wait = min(settings.ALLIANCE_BACKOFF_SECONDS * 2 ** min(failures - 1, 20), settings.ALLIANCE_BACKOFF_MAX_SECONDS)
    now = timezone.now()
    Partner.objects.filter(pk=partner.pk).update(
        failures=F("failures") + 1,
        last_error=error[:2000],
        last_pull_at=now,
        next_pull_at=now + dt.timedelta(seconds=wait),
    )
    log.warning("alliance pull from %s failed (%d in a row, next in %ds): %s", partner, failures, wait, error)


def partner_pull(*, partner: Partner, max_pages: int = 1000) -> bool:
    """Pull a partner's feed from where we stopped, page by page; on failure record the error and back off.

    Each page is checked whole and stored with the cursor in one transaction: a partner that stops answering in
    the middle, or answers nonsense, leaves what was stored before and nothing of the bad page."""
    for _page in range(max_pages):
        partner.refresh_from_db()
        since = partner.feed_stamp
        url = f"{partner.base_url}/alliance/api/courses/?since={since}"
        try:
            response = signing.signed_get(url)
        except requests.RequestException as exc:
            _pull_failed(partner, _("The partner portal cannot be reached: %(error)s") % {"error": exc})
            return False
        if response.status_code != 200:
            code = ""
            try:
                code = response.json().get("code", "")
            except (ValueError, AttributeError):
                pass
            _pull_failed(
                partner,
                _("The partner portal refused the request: HTTP %(status)s %(code)s")
                % {"status": response.status_code, "code": code},
            )
            return False
        try:
            payload = feed_parse(content=response.content, partner=partner)
        except FeedError as exc:
            _pull_failed(
                partner, _("The partner's feed is malformed, nothing of it was stored: %(error)s") % {"error": exc}
            )
            return False
        _feed_store(partner=partner, since=since, payload=payload)
        if not payload["more"]:
            break
    now = timezone.now()
    Partner.objects.filter(pk=partner.pk).update(
        failures=0, last_error="", last_pull_at=now, last_success_at=now, next_pull_at=None
    )
    return True


def partners_pull_enqueue() -> int:
    """Queue one pull per active partner whose back-off has run out."""
    ids = list(Partner.objects.due().values_list("pk", flat=True))
    for pk in ids:
        enqueue("alliance.tasks.partner_pull_task", pk)
    return len(ids)


@transaction.atomic
def partner_set_status(*, partner: Partner, status: str) -> Partner:
    """Suspend a partner (its requests are refused, its courses hidden) or make it active again (pulled at once)."""
    partner.status = status
    partner.next_pull_at = None
    partner.save(update_fields=["status", "next_pull_at"])
    return partner


# --- adopting a partner's course ---------------------------------------------------------------------------------


def _fetch_courseware(remote: RemoteCourse) -> UploadedFile:
    """Download a remote course's current courseware (signed) into a temporary file and check it is what the feed
    announced; the content check proper is the one every upload passes (courses.courseware)."""
    limit = max(DEFAULT_MAX_BYTES.values())
    try:
        response = signing.signed_get(remote.courseware_url, stream=True)
    except requests.RequestException:
        raise ValidationError(
            _("The partner portal cannot be reached; try again later."), code="partner_unreachable"
        ) from None
    if response.status_code != 200:
        raise ValidationError(
            _("The partner portal refused the courseware download (HTTP %(status)s).")
            % {"status": response.status_code},
            code="partner_refused",
        )
    handle = tempfile.TemporaryFile()
    digest, size = hashlib.sha256(), 0
    for chunk in response.iter_content(chunk_size=1024 * 1024):
        size += len(chunk)
        if size > limit:
            handle.close()
            raise ValidationError(_("The partner's courseware is too large."), code="too_big")
        digest.update(chunk)
        handle.write(chunk)
    if digest.hexdigest() != remote.courseware_sha256:
        handle.close()
        raise ValidationError(
            _("The downloaded courseware is not the version the partner announced (checksum differs)."), code="checksum"
        )
    handle.seek(0)
    return UploadedFile(file=handle, name=f"courseware.{remote.courseware_kind}", size=size)


def _version_note(remote: RemoteCourse) -> str:
    return _("From %(partner)s, source version %(version)s: %(note)s") % {
        "partner": remote.partner.name,
        "version": remote.courseware_version,
        "note": remote.courseware_note or "—",
    }


def remote_course_adopt(*, remote: RemoteCourse, lead_instructor: Instructor, topic: Topic, by: User) -> Course:
    """Copy a partner's course into our catalogue as a draft, with attribution, its source version and its
    courseware (fetched signed, checked by content like any upload); the usual review then applies."""
    if AdoptedCourse.objects.filter(source=remote).exists():
        raise ValidationError(_("This course has already been adopted into our catalogue."), code="already_adopted")
    upload = _fetch_courseware(remote) if remote.courseware_url else None
    attribution = _("Adopted from the alliance: from %(partner)s, lead instructor there %(instructor)s.") % {
        "partner": remote.partner.name,
        "instructor": remote.lead_instructor or "—",
    }
    try:
        with transaction.atomic():
            course = course_create(
                data={
                    "title": remote.title,
                    "summary": f"{remote.summary}\n\n{attribution}".strip(),
                    "topic": topic,
                    "format": remote.format,
                    "duration_minutes": remote.duration_minutes,
                    "audience": remote.audience,
                    "lead_instructor": lead_instructor,
                },
                by=by,
            )
            AdoptedCourse.objects.create(
                course=course,
                source=remote,
                source_version=remote.courseware_version if upload else None,
                adopted_by=by,
            )
            if upload is not None:
                courseware_upload(course=course, upload=upload, note=_version_note(remote), by=by)
    except IntegrityError:
        raise ValidationError(
            _("This course has already been adopted into our catalogue."), code="already_adopted"
        ) from None
    finally:
        if upload is not None:
            upload.close()
    return course


def adoption_update(*, adoption: AdoptedCourse, by: User) -> CoursewareVersion:
    """Take the source's newer courseware as the next version of our copy."""
    remote = adoption.source
    if not adoption.update_available:
        raise ValidationError(_("Our copy already has the source's current version."), code="up_to_date")
    upload = _fetch_courseware(remote)
    try:
        with transaction.atomic():
            locked = AdoptedCourse.objects.select_for_update().get(pk=adoption.pk)
            if (locked.source_version or 0) >= remote.courseware_version:
                raise ValidationError(_("Our copy already has the source's current version."), code="up_to_date")
            version = courseware_upload(course=locked.course, upload=upload, note=_version_note(remote), by=by)
            locked.source_version = remote.courseware_version
            locked.save(update_fields=["source_version"])
    finally:
        upload.close()
    return version
