"""Every write of the alliance: sharing a course (and the change stamps of our feed), pulling a partner's feed,
adopting a partner's course into our catalogue and taking its updates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import tempfile
import uuid
from decimal import Decimal

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.queue import enqueue
from core.status import status_change, status_history_start
from courses.courseware import DEFAULT_MAX_BYTES
from courses.models import Course, CoursewareVersion, Topic
from courses.services import course_create, courseware_upload
from instructors.models import Instructor, Region, User
from outreach.models import Organization
from outreach.services import lecture_cancel, lecture_confirm, lecture_deliver, lecture_schedule

from . import selectors, signing
from .models import (
    AdoptedCourse,
    EventSession,
    ExchangeRequest,
    FeedClock,
    JointEvent,
    OutboxMessage,
    Partner,
    Registration,
    RemoteCourse,
    RemoteInstructor,
    SharedCourse,
    SharedInstructor,
)

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


def _feed_page(content: bytes, *, kind: str, fields) -> dict:
    """Check one page of a partner's stamped feed (courses or events) before anything of it is stored: the envelope
    (items, more, next), each item's id and stamp, and its fields through ``fields(item)`` (None for a withdrawn
    item). FeedError names the first problem."""
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
            "stamp": _int(item.get("stamp"), f"{kind} {item.get('id')}: stamp", minimum=1),
        }
        row.update(fields(item))
        items.append(row)
    payload["next"] = _int(payload.get("next"), "'next'")
    payload["items"] = items
    return payload


def feed_parse(*, content: bytes, partner: Partner) -> dict:
    """Check a whole page of a partner's course feed before anything of it is stored."""

    def course(item: dict) -> dict:
        if item.get("withdrawn") is True:
            return {"withdrawn": True}
        return {"withdrawn": False, "fields": _course_fields(item, partner)}

    return _feed_page(content, kind="item", fields=course)


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


def _pull_feed(*, partner: Partner, path: str, cursor: str, parse, store, max_pages: int) -> bool:
    """Pull one feed of a partner (courses or events) from its cursor, page by page; False after recording the
    failure (the caller stops there)."""
    for _page in range(max_pages):
        partner.refresh_from_db()
        since = getattr(partner, cursor)
        url = f"{partner.base_url}{path}?since={since}"
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
            payload = parse(content=response.content, partner=partner)
        except FeedError as exc:
            _pull_failed(
                partner, _("The partner's feed is malformed, nothing of it was stored: %(error)s") % {"error": exc}
            )
            return False
        store(partner=partner, since=since, payload=payload)
        if not payload["more"]:
            break
    return True


def partner_pull(*, partner: Partner, max_pages: int = 1000) -> bool:
    """Pull a partner's course feed, then its joint-event feed, each from where we stopped, page by page; on
    failure record the error and back off.

    Each page is checked whole and stored with the cursor in one transaction: a partner that stops answering in
    the middle, or answers nonsense, leaves what was stored before and nothing of the bad page."""
    feeds = (
        ("/alliance/api/courses/", "feed_stamp", feed_parse, _feed_store),
        ("/alliance/api/events/", "events_stamp", event_feed_parse, _event_feed_store),
    )
    for path, cursor, parse, store in feeds:
        if not _pull_feed(partner=partner, path=path, cursor=cursor, parse=parse, store=store, max_pages=max_pages):
            return False
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


# --- 师资交流互访: shared instructors --------------------------------------------------------------------------------


def instructor_share(*, instructor: Instructor, shared: bool, by: User | None) -> SharedInstructor:
    """Let partners ask for this instructor (or no longer): their feed then lists (or withdraws) them."""
    if shared and not instructor.can_teach:
        raise ValidationError(
            _("Only active instructors and those on probation can be shared with the alliance."), code="cannot_teach"
        )
    share, _created = SharedInstructor.objects.update_or_create(
        instructor=instructor, defaults={"shared": shared, "shared_by": by, "shared_at": timezone.now()}
    )
    return share


def instructors_parse(*, content: bytes) -> list[dict]:
    """Check a partner's whole instructor feed before anything of it is stored (FeedError names the problem)."""
    try:
        payload = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("instructors"), list):
        raise FeedError("no list of instructors")
    rows = []
    for item in payload["instructors"]:
        if not isinstance(item, dict) or not isinstance(item.get("courses"), list):
            raise FeedError("an instructor is not an object with a list of courses")
        courses = []
        for course in item["courses"]:
            if not isinstance(course, dict):
                raise FeedError("a course is not an object")
            courses.append({"id": _int(course.get("id"), "course id", minimum=1), "title": _text(course, "title", 120)})
        rows.append(
            {
                "remote_id": _int(item.get("id"), "instructor id", minimum=1),
                "name": _text(item, "name", 40, required=True),
                "tier": _text(item, "tier", 40),
                "specialties": _text(item, "specialties", 300),
                "courses": courses,
            }
        )
    return rows


@transaction.atomic
def _instructors_store(*, partner: Partner, rows: list[dict]) -> None:
    now = timezone.now()
    for row in rows:
        RemoteInstructor.objects.update_or_create(
            partner=partner,
            remote_id=row["remote_id"],
            defaults={**{k: v for k, v in row.items() if k != "remote_id"}, "withdrawn": False, "updated_at": now},
        )
    listed = [row["remote_id"] for row in rows]
    RemoteInstructor.objects.filter(partner=partner, withdrawn=False).exclude(remote_id__in=listed).update(
        withdrawn=True, updated_at=now
    )


def partner_instructors_pull(*, partner: Partner) -> bool:
    """Pull the partner's shared instructors (a small list, read whole): those it no longer lists are withdrawn;
    when it cannot be reached or answers nonsense, the list stays as last seen (the course pull does the back-off)."""
    try:
        response = signing.signed_get(f"{partner.base_url}/alliance/api/instructors/")
    except requests.RequestException as exc:
        log.warning("alliance instructors from %s: unreachable: %s", partner, exc)
        return False
    if response.status_code != 200:
        log.warning("alliance instructors from %s: HTTP %s", partner, response.status_code)
        return False
    try:
        rows = instructors_parse(content=response.content)
    except FeedError as exc:
        log.warning("alliance instructors from %s: malformed: %s", partner, exc)
        return False
    _instructors_store(partner=partner, rows=rows)
    return True


# --- 师资交流互访: the exchange request between two portals ----------------------------------------------------------


def _history(exchange: ExchangeRequest, to_status: str, *, by: User | None, reason: str) -> ExchangeRequest:
    return status_change(obj=exchange, to_status=to_status, by=by, reason=reason)


def _outbox(exchange: ExchangeRequest, kind: str, payload: dict) -> OutboxMessage:
    """Queue a signed message to the partner (sent after commit; retried with back-off while it is down)."""
    message = OutboxMessage.objects.create(
        exchange=exchange, kind=kind, payload={"uuid": str(exchange.uuid), **payload}
    )
    transaction.on_commit(lambda: enqueue("alliance.tasks.outbox_send_task", exchange.pk))
    return message


def _from_partner(partner: Partner, reason: str) -> str:
    return _("Message from the partner portal %(partner)s: %(reason)s") % {"partner": partner.name, "reason": reason}


def _assert_time(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise ValidationError(_("The lecture must end after it starts."), code="end_before_start")


@transaction.atomic
def exchange_request(
    *,
    remote: RemoteInstructor,
    course_remote_id: int,
    start: dt.datetime,
    end: dt.datetime,
    place: str,
    audience_expected: int,
    note: str,
    by: User,
) -> ExchangeRequest:
    """Ask a partner for one of its shared instructors for a lecture here: the request is queued to the partner."""
    _assert_time(start, end)
    course = next((c for c in remote.courses if c["id"] == course_remote_id), None)
    if course is None:
        raise ValidationError(_("This instructor does not give that course in the alliance."), code="course_not_given")
    if not place.strip():
        raise ValidationError(_("Say where the lecture takes place."), code="place_missing")
    exchange = ExchangeRequest.objects.create(
        uuid=uuid.uuid4(),
        partner=remote.partner,
        direction=ExchangeRequest.Direction.OUTGOING,
        instructor_remote_id=remote.remote_id,
        instructor_name=remote.name,
        course_remote_id=course_remote_id,
        course_title=course["title"],
        start=start,
        end=end,
        place=place.strip()[:120],
        audience_expected=audience_expected,
        note=note[:2000],
        created_by=by,
    )
    status_history_start(obj=exchange, by=by, reason=_("Requested from %(partner)s.") % {"partner": remote.partner})
    _outbox(
        exchange,
        OutboxMessage.Kind.REQUEST,
        {
            "instructor": remote.remote_id,
            "course": course_remote_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "place": exchange.place,
            "audience": audience_expected,
            "note": exchange.note,
        },
    )
    return exchange


def _payload_time(payload: dict, key: str) -> dt.datetime:
    value = parse_datetime(str(payload.get(key) or ""))
    if value is None or value.tzinfo is None:
        raise ValidationError(_("The message has no valid %(field)s.") % {"field": key}, code="bad_message")
    return value


def _payload_int(payload: dict, key: str, *, maximum: int = 10**9) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise ValidationError(_("The message has no valid %(field)s.") % {"field": key}, code="bad_message")
    return value


def _payload_uuid(payload: dict) -> uuid.UUID:
    try:
        return uuid.UUID(str(payload.get("uuid")))
    except ValueError:
        raise ValidationError(
            _("The message has no valid %(field)s.") % {"field": "uuid"}, code="bad_message"
        ) from None


def exchange_receive_request(*, partner: Partner, payload: dict) -> ExchangeRequest:
    """A partner asks for one of our shared instructors: record it for our organizers (the same request sent again
    returns the record already made)."""
    key = _payload_uuid(payload)
    existing = ExchangeRequest.objects.filter(
        partner=partner, direction=ExchangeRequest.Direction.INCOMING, uuid=key
    ).first()
    if existing is not None:
        return existing
    start, end = _payload_time(payload, "start"), _payload_time(payload, "end")
    _assert_time(start, end)
    instructor = (
        Instructor.objects.filter(pk=_payload_int(payload, "instructor"), alliance_share__shared=True)
        .select_related("region")
        .first()
    )
    if instructor is None or not instructor.can_teach:
        raise ValidationError(_("This instructor is not shared with the alliance."), code="instructor_not_shared")
    course = selectors.instructor_shared_courses(instructor).filter(pk=_payload_int(payload, "course")).first()
    if course is None:
        raise ValidationError(_("This instructor does not give that course in the alliance."), code="course_not_given")
    place = payload.get("place")
    if not isinstance(place, str) or not place.strip():
        raise ValidationError(_("Say where the lecture takes place."), code="place_missing")
    note = payload.get("note") if isinstance(payload.get("note"), str) else ""
    try:
        with transaction.atomic():
            exchange = ExchangeRequest.objects.create(
                uuid=key,
                partner=partner,
                direction=ExchangeRequest.Direction.INCOMING,
                instructor_remote_id=instructor.pk,
                instructor_name=instructor.name,
                course_remote_id=course.pk,
                course_title=course.title,
                instructor=instructor,
                course=course,
                start=start,
                end=end,
                place=place.strip()[:120],
                audience_expected=_payload_int(payload, "audience", maximum=100000),
                note=note[:2000],
            )
            status_history_start(obj=exchange, by=None, reason=_from_partner(partner, _("request received")))
    except IntegrityError:
        # The same request arrived twice at once: the other delivery made it.
        return ExchangeRequest.objects.get(partner=partner, direction=ExchangeRequest.Direction.INCOMING, uuid=key)
    return exchange


def _host_organization(*, exchange: ExchangeRequest) -> Organization:
    """The organization the home calendar shows for a lecture held in the partner's city: one per partner, filed
    under the instructor's county (the outreach models need a county; the real place is the lecture's venue)."""
    region = exchange.instructor.region
    county = (
        region.county
        or Region.objects.filter(path__startswith=region.path, level=Region.Level.COUNTY).order_by("path").first()
    )
    if county is None:
        raise ValidationError(_("The instructor's region has no county to file the lecture under."), code="no_county")
    organization, _created = Organization.objects.get_or_create(
        region=county,
        name=(_("%(partner)s (alliance exchange)") % {"partner": exchange.partner.name})[:100],
        defaults={"type": Organization.Type.OTHER, "county": county},
    )
    return organization


@transaction.atomic
def exchange_answer(*, exchange: ExchangeRequest, accept: bool, reason: str, by: User) -> ExchangeRequest:
    """Our organizer accepts (the lecture goes into our outreach calendar, confirmed, after every clash rule) or
    declines a partner's request; the answer is queued to the partner."""
    if exchange.is_outgoing:
        raise ValidationError(_("Only the instructor's home portal answers a request."), code="not_ours")
    reason = (reason or "").strip()
    if accept:
        locked = _history(exchange, ExchangeRequest.Status.ACCEPTED, by=by, reason=reason or _("Accepted."))
        lecture = lecture_schedule(
            course=locked.course,
            instructor=locked.instructor,
            start=locked.start,
            end=locked.end,
            organization=_host_organization(exchange=locked),
            venue=locked.place,
            by=by,
            audience_expected=locked.audience_expected,
        )
        lecture_confirm(lecture=lecture, by=by)
        locked.lecture = lecture
    else:
        if not reason:
            raise ValidationError(_("Please give the reason for declining."), code="reason_missing")
        locked = _history(exchange, ExchangeRequest.Status.DECLINED, by=by, reason=reason)
    locked.answer_reason = reason
    locked.save(update_fields=["lecture", "answer_reason", "updated_at"])
    _outbox(locked, OutboxMessage.Kind.ANSWER, {"accepted": accept, "reason": reason})
    return locked


@transaction.atomic
def exchange_deliver(*, exchange: ExchangeRequest, attendance: int, hours: Decimal, by: User) -> ExchangeRequest:
    """The guest lecture took place here: its attendance and hours go to the home portal (its yearly figures)."""
    if not exchange.is_outgoing:
        raise ValidationError(_("The portal that hosted the lecture records its delivery."), code="not_ours")
    if exchange.start > timezone.now():
        raise ValidationError(_("A lecture cannot be recorded as delivered before it has started."), code="future")
    locked = _history(exchange, ExchangeRequest.Status.DELIVERED, by=by, reason=_("Delivered."))
    locked.attendance, locked.hours = attendance, Decimal(hours)
    locked.save(update_fields=["attendance", "hours", "updated_at"])
    _outbox(locked, OutboxMessage.Kind.DELIVERED, {"attendance": attendance, "hours": str(locked.hours)})
    return locked


@transaction.atomic
def exchange_record_result(
    *, exchange: ExchangeRequest, score: Decimal, explanation: str, trainees: int, by: User
) -> ExchangeRequest:
    """The requesting city ran the evaluation where the trainees sat: its score and explanation (nothing else)
    go back to the instructor's home portal."""
    if not exchange.is_outgoing:
        raise ValidationError(_("The portal that hosted the lecture records its result."), code="not_ours")
    if score is None or not Decimal("0") <= Decimal(score) <= Decimal("100"):
        raise ValidationError(_("The score is between 0 and 100."), code="score_range")
    locked = _history(exchange, ExchangeRequest.Status.EVALUATED, by=by, reason=_("Evaluation result recorded."))
    locked.result_score, locked.result_explanation, locked.result_trainees = (
        Decimal(score),
        explanation[:4000],
        trainees,
    )
    locked.save(update_fields=["result_score", "result_explanation", "result_trainees", "updated_at"])
    _outbox(
        locked,
        OutboxMessage.Kind.RESULT,
        {"score": str(locked.result_score), "explanation": locked.result_explanation, "trainees": trainees},
    )
    return locked


@transaction.atomic
def exchange_cancel(*, exchange: ExchangeRequest, reason: str, by: User) -> ExchangeRequest:
    """The requesting city calls the lecture off (before it took place); the home portal frees the instructor."""
    if not exchange.is_outgoing:
        raise ValidationError(_("The portal that asked cancels the request."), code="not_ours")
    locked = _history(exchange, ExchangeRequest.Status.CANCELLED, by=by, reason=reason)
    _outbox(locked, OutboxMessage.Kind.CANCEL, {"reason": locked.status_changes.first().reason})
    return locked


def _already(exchange: ExchangeRequest, status: str) -> bool:
    """The change a message asks for was already made (the message is a retry): answer as if done now."""
    return exchange.status_changes.filter(to_status=status).exists()


@transaction.atomic
def exchange_receive(*, partner: Partner, key: uuid.UUID, kind: str, payload: dict) -> ExchangeRequest:
    """A partner's answer (on our OUTGOING request) or delivery record, result or cancellation (on an INCOMING one),
    applied once: a retried message changes nothing more."""
    outgoing = kind == OutboxMessage.Kind.ANSWER
    direction = ExchangeRequest.Direction.OUTGOING if outgoing else ExchangeRequest.Direction.INCOMING
    exchange = (
        ExchangeRequest.objects.select_for_update().filter(partner=partner, direction=direction, uuid=key).first()
    )
    if exchange is None:
        raise ValidationError(_("No such exchange request with this partner."), code="unknown_exchange")
    reason = payload.get("reason") if isinstance(payload.get("reason"), str) else ""
    if kind == OutboxMessage.Kind.ANSWER:
        status = ExchangeRequest.Status.ACCEPTED if payload.get("accepted") is True else ExchangeRequest.Status.DECLINED
        if _already(exchange, status):
            return exchange
        exchange = _history(exchange, status, by=None, reason=_from_partner(partner, reason or status))
        exchange.answer_reason = reason[:2000]
        exchange.save(update_fields=["answer_reason", "updated_at"])
    elif kind == OutboxMessage.Kind.DELIVERED:
        if _already(exchange, ExchangeRequest.Status.DELIVERED):
            return exchange
        attendance = _payload_int(payload, "attendance", maximum=100000)
        try:
            hours = Decimal(str(payload.get("hours")))
        except ArithmeticError:
            raise ValidationError(
                _("The message has no valid %(field)s.") % {"field": "hours"}, code="bad_message"
            ) from None
        exchange = _history(
            exchange, ExchangeRequest.Status.DELIVERED, by=None, reason=_from_partner(partner, _("delivered"))
        )
        # The home organizer may have recorded the delivery already (then the figures count it already).
        if exchange.lecture is not None and exchange.lecture.can_deliver:
            lecture_deliver(lecture=exchange.lecture, attendance=attendance, hours=hours, photos=[], by=None)
        exchange.attendance, exchange.hours = attendance, hours
        exchange.save(update_fields=["attendance", "hours", "updated_at"])
    elif kind == OutboxMessage.Kind.RESULT:
        if _already(exchange, ExchangeRequest.Status.EVALUATED):
            return exchange
        try:
            score = Decimal(str(payload.get("score")))
        except ArithmeticError:
            score = None
        explanation = payload.get("explanation")
        if score is None or not Decimal("0") <= score <= Decimal("100") or not isinstance(explanation, str):
            raise ValidationError(_("The message has no valid %(field)s.") % {"field": "score"}, code="bad_message")
        exchange = _history(
            exchange, ExchangeRequest.Status.EVALUATED, by=None, reason=_from_partner(partner, _("evaluation result"))
        )
        exchange.result_score, exchange.result_explanation = score, explanation[:4000]
        exchange.result_trainees = payload.get("trainees") if isinstance(payload.get("trainees"), int) else None
        exchange.save(update_fields=["result_score", "result_explanation", "result_trainees", "updated_at"])
    elif kind == OutboxMessage.Kind.CANCEL:
        if _already(exchange, ExchangeRequest.Status.CANCELLED):
            return exchange
        exchange = _history(
            exchange, ExchangeRequest.Status.CANCELLED, by=None, reason=_from_partner(partner, reason or "—")
        )
        if exchange.lecture is not None and exchange.lecture.can_cancel:
            lecture_cancel(
                lecture=exchange.lecture, reason=_("Cancelled by %(partner)s.") % {"partner": partner}, by=None
            )
    else:
        raise ValidationError(_("Unknown message."), code="bad_message")
    return exchange


# --- the outbox -------------------------------------------------------------------------------------------------


def _message_url(message: OutboxMessage) -> str:
    base = message.exchange.partner.base_url
    if message.kind == OutboxMessage.Kind.REQUEST:
        return f"{base}/alliance/api/exchanges/"
    return f"{base}/alliance/api/exchanges/{message.exchange.uuid}/{message.kind}/"


def outbox_send(*, exchange_id: int, now: dt.datetime | None = None) -> int:
    """Send an exchange's waiting messages in order; stop at the first that fails (it waits its back-off, the
    later ones wait behind it). A refusal with a code (4xx other than a signature problem) is final. Returns how
    many were sent."""
    now = now or timezone.now()
    sent = 0
    pending = OutboxMessage.objects.filter(exchange_id=exchange_id, sent_at__isnull=True, refused=False)
    for message in pending.select_related("exchange__partner").order_by("created_at", "pk"):
        if message.next_attempt_at > now:
            break
        error, final = "", False
        try:
            response = signing.signed_post(_message_url(message), message.payload)
        except requests.RequestException as exc:
            error = _("The partner portal cannot be reached: %(error)s") % {"error": exc}
        else:
            if 200 <= response.status_code < 300:
                OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="")
                sent += 1
                continue
            try:
                code = response.json().get("code", "")
            except (ValueError, AttributeError):
                code = ""
            error = _("The partner portal refused the request: HTTP %(status)s %(code)s") % {
                "status": response.status_code,
                "code": code,
            }
            final = response.status_code in (400, 404, 409, 422)
        attempts = message.attempts + 1
        wait = min(
            settings.ALLIANCE_BACKOFF_SECONDS * 2 ** min(attempts - 1, 20), settings.ALLIANCE_BACKOFF_MAX_SECONDS
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts, last_error=error[:2000], refused=final, next_attempt_at=now + dt.timedelta(seconds=wait)
        )
        log.warning(
            "alliance message %s to %s failed (%d): %s", message.kind, message.exchange.partner, attempts, error
        )
        break
    return sent


def outbox_enqueue_due(*, now: dt.datetime | None = None) -> int:
    """Queue a send for every exchange with a message whose back-off has run out (active partners only)."""
    ids = list(
        OutboxMessage.objects.filter(
            sent_at__isnull=True,
            refused=False,
            next_attempt_at__lte=now or timezone.now(),
            exchange__partner__status=Partner.Status.ACTIVE,
        )
        .values_list("exchange_id", flat=True)
        .distinct()
    )
    for pk in ids:
        enqueue("alliance.tasks.outbox_send_task", pk)
    return len(ids)


# --- joint events (联合研讨峰会) ------------------------------------------------------------------------------------

EVENT_FIELDS = ("title", "theme", "starts_on", "ends_on", "place", "description", "registration_deadline", "capacity")
SESSION_FIELDS = ("starts_at", "title", "speaker", "room")


def _event_restamp(event: JointEvent) -> None:
    """Give an event of ours the next change stamp of our feed (partners pull it again)."""
    clock = _clock_locked()
    clock.stamp += 1
    clock.save(update_fields=["stamp"])
    JointEvent.objects.filter(pk=event.pk).update(stamp=clock.stamp, updated_at=timezone.now())
    event.stamp = clock.stamp


@transaction.atomic
def event_save(*, event: JointEvent | None, data: dict, sessions: list[dict], by: User) -> JointEvent:
    """Create an event of ours (in the organizer's region) or change one, with its whole agenda; a published event
    gets a new stamp so partners see the change."""
    if event is None:
        event = JointEvent(created_by=by, region=by.region)
    elif not event.is_ours or event.status == JointEvent.Status.CANCELLED:
        raise ValidationError(_("Only our events that are not cancelled can be changed."), code="not_editable")
    for name in EVENT_FIELDS:
        setattr(event, name, data[name])
    event.full_clean()
    event.save()
    event.sessions.all().delete()
    EventSession.objects.bulk_create(
        [EventSession(event=event, **{k: row[k] for k in SESSION_FIELDS}) for row in sessions]
    )
    if event.status == JointEvent.Status.PUBLISHED:
        _event_restamp(event)
    return event


@transaction.atomic
def event_publish(*, event: JointEvent) -> JointEvent:
    """Publish a draft of ours: members can register and partners list it at their next pull."""
    locked = JointEvent.objects.select_for_update().get(pk=event.pk)
    if not locked.can_publish:
        raise ValidationError(_("Only a draft of ours can be published."), code="not_draft")
    locked.status = JointEvent.Status.PUBLISHED
    locked.save(update_fields=["status"])
    _event_restamp(locked)
    return locked


@transaction.atomic
def event_cancel(*, event: JointEvent) -> JointEvent:
    """Cancel a published event of ours: registration closes and partners show it cancelled."""
    locked = JointEvent.objects.select_for_update().get(pk=event.pk)
    if not locked.can_cancel:
        raise ValidationError(_("Only a published event of ours can be cancelled."), code="not_published")
    locked.status = JointEvent.Status.CANCELLED
    locked.save(update_fields=["status"])
    _event_restamp(locked)
    return locked


def _date(value, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise FeedError(f"{what} is not a date") from None


def _datetime(value, what: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise FeedError(f"{what} is not a date and time") from None
    if timezone.is_naive(parsed):
        raise FeedError(f"{what} has no time zone")
    return parsed


def _event_fields(item: dict) -> dict:
    n = item["id"]
    status = _text(item, "status", 10, required=True)
    if status not in (JointEvent.Status.PUBLISHED, JointEvent.Status.CANCELLED):
        raise FeedError(f"event {n}: unknown status {status!r}")
    fields = {
        "status": status,
        "title": _text(item, "title", 120, required=True),
        "theme": _text(item, "theme", 120),
        "starts_on": _date(item.get("starts_on"), f"event {n}: starts_on"),
        "ends_on": _date(item.get("ends_on"), f"event {n}: ends_on"),
        "place": _text(item, "place", 120, required=True),
        "description": _text(item, "description", 20000),
        "registration_deadline": _datetime(item.get("registration_deadline"), f"event {n}: registration_deadline"),
        "capacity": _int(item.get("capacity"), f"event {n}: capacity"),
    }
    if fields["ends_on"] < fields["starts_on"]:
        raise FeedError(f"event {n}: ends before it starts")
    sessions = item.get("sessions")
    if not isinstance(sessions, list) or len(sessions) > 200:
        raise FeedError(f"event {n}: sessions is not a list")
    rows = []
    for session in sessions:
        if not isinstance(session, dict):
            raise FeedError(f"event {n}: a session is not an object")
        rows.append(
            {
                "starts_at": _datetime(session.get("starts_at"), f"event {n}: session time"),
                "title": _text(session, "title", 120, required=True),
                "speaker": _text(session, "speaker", 120),
                "room": _text(session, "room", 60),
            }
        )
    fields["sessions"] = rows
    return fields


def event_feed_parse(*, content: bytes, partner: Partner) -> dict:
    """Check a whole page of a partner's event feed before anything of it is stored."""
    return _feed_page(content, kind="event", fields=lambda item: {"fields": _event_fields(item)})


@transaction.atomic
def _event_feed_store(*, partner: Partner, since: int, payload: dict) -> bool:
    """Store one checked page of events (with their agendas) and move the event cursor in one transaction."""
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.events_stamp != since:
        return False
    now = timezone.now()
    for row in payload["items"]:
        fields = dict(row["fields"])
        sessions = fields.pop("sessions")
        existing = JointEvent.objects.filter(partner=locked, remote_id=row["remote_id"]).first()
        if existing is not None and existing.stamp >= row["stamp"]:
            continue
        event, _created = JointEvent.objects.update_or_create(
            partner=locked,
            remote_id=row["remote_id"],
            defaults={**fields, "stamp": row["stamp"], "updated_at": now},
        )
        event.sessions.all().delete()
        EventSession.objects.bulk_create([EventSession(event=event, **session) for session in sessions])
    Partner.objects.filter(pk=locked.pk).update(events_stamp=max(payload["next"], since))
    return True


def _confirmed_count(event: JointEvent) -> int:
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()


@transaction.atomic
def registration_receive(
    *, event: JointEvent, portal: Partner | None, uid: uuid.UUID, person_key: str, data: dict, user: User | None = None
) -> Registration:
    """Register a person for an event we host, from our portal (``portal`` empty) or a partner's. A retry (same
    uid) or a second click (same person) answers the stored registration; a closed, cancelled or full event is
    refused with its code and nothing is stored."""
    locked = JointEvent.objects.select_for_update().get(pk=event.pk)
    existing = (
        Registration.objects.filter(portal=portal, uid=uid).first()
        or Registration.objects.filter(event=locked, portal=portal, person_key=person_key).first()
    )
    if existing is not None:
        if existing.event_id != locked.pk:
            raise ValidationError(_("This registration belongs to another event."), code="uid_taken")
        return existing
    if not locked.is_ours:
        raise ValidationError(_("Registrations are taken by the host portal."), code="not_host")
    if locked.status == JointEvent.Status.CANCELLED:
        raise ValidationError(_("This event is cancelled."), code="closed")
    if not locked.registration_open:
        raise ValidationError(_("Registration for this event is closed."), code="closed")
    if _confirmed_count(locked) >= locked.capacity:
        raise ValidationError(_("This event is full."), code="full")
    return Registration.objects.create(
        event=locked,
        portal=portal,
        uid=uid,
        person_key=person_key,
        user=user,
        status=Registration.Status.CONFIRMED,
        **{k: data.get(k, "") for k in ("name", "unit", "role", "contact")},
    )


def event_register(*, event: JointEvent, user: User, data: dict) -> Registration:
    """A member of our portal registers: at once for our events; for a partner's event through the outbox (待发送),
    sent signed to the host portal now and retried with back-off while it is down."""
    person_key = f"user:{user.pk}"
    if event.is_ours:
        return registration_receive(
            event=event, portal=None, uid=uuid.uuid4(), person_key=person_key, data=data, user=user
        )
    existing = Registration.objects.filter(event=event, portal=None, person_key=person_key).first()
    if existing is not None:
        return existing
    if not event.registration_open or not event.partner.is_active:
        raise ValidationError(_("Registration for this event is closed."), code="closed")
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                person_key=person_key,
                user=user,
                status=Registration.Status.PENDING,
                **{k: data.get(k, "") for k in ("name", "unit", "role", "contact")},
            )
            transaction.on_commit(lambda: enqueue("alliance.tasks.registration_send_task", registration.pk))
    except IntegrityError:
        return Registration.objects.get(event=event, portal=None, person_key=person_key)
    return registration


ANSWERS = {
    "confirmed": Registration.Status.CONFIRMED,
    "full": Registration.Status.FULL,
    "closed": Registration.Status.CLOSED,
}


def _send_failed(registration: Registration, error: str) -> None:
    attempts = registration.attempts + 1
    wait = min(settings.ALLIANCE_BACKOFF_SECONDS * 2 ** min(attempts - 1, 20), settings.ALLIANCE_BACKOFF_MAX_SECONDS)
    Registration.objects.filter(pk=registration.pk, status=Registration.Status.PENDING).update(
        attempts=attempts, last_error=error[:2000], next_attempt_at=timezone.now() + dt.timedelta(seconds=wait)
    )
    log.warning(
        "alliance registration %s not sent (%d tries, next in %ds): %s", registration.uid, attempts, wait, error
    )


def registration_send(*, registration: Registration) -> Registration:
    """Send a waiting registration to the host portal (signed); store its answer and erase the contact, which is
    kept on the host only. Unreachable host, 5xx or a signature it cannot check yet: retried later with back-off."""
    event = registration.event
    url = f"{event.partner.base_url}/alliance/api/events/{event.remote_id}/register/"
    payload = {
        "uid": str(registration.uid),
        "person_key": registration.person_key,
        "name": registration.name,
        "unit": registration.unit,
        "role": registration.role,
        "contact": registration.contact,
    }
    try:
        response = signing.signed_post(url, payload)
    except requests.RequestException as exc:
        _send_failed(registration, _("The host portal cannot be reached: %(error)s") % {"error": exc})
        return registration
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    code = answer.get("code") or answer.get("status") or ""
    if response.status_code >= 500 or response.status_code == 401 or not isinstance(answer, dict):
        _send_failed(
            registration,
            _("The host portal answered HTTP %(status)s %(code)s") % {"status": response.status_code, "code": code},
        )
        return registration
    status = ANSWERS.get(answer.get("status", ""), Registration.Status.REFUSED)
    error = "" if status == Registration.Status.CONFIRMED else str(answer.get("error", code))[:2000]
    Registration.objects.filter(pk=registration.pk, status=Registration.Status.PENDING).update(
        status=status, contact="", last_error=error, attempts=registration.attempts + 1
    )
    registration.refresh_from_db()
    return registration


def registrations_send_enqueue() -> int:
    """Queue a send of every waiting registration whose back-off has run out."""
    now = timezone.now()
    ids = list(
        Registration.objects.filter(status=Registration.Status.PENDING, event__partner__status=Partner.Status.ACTIVE)
        .filter(models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        enqueue("alliance.tasks.registration_send_task", pk)
    return len(ids)
