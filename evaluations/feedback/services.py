"""Writes of public feedback: the public's comments on column works, and recording forums and field visits."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from courses.models import ColumnWork, Course
from evaluations.models import (
    DANMAKU_MAX_CHARS,
    MESSAGE_MAX_CHARS,
    MOMENT_MAX_SECONDS,
    Dimension,
    FieldVisit,
    FieldVisitFinding,
    FieldVisitParticipants,
    PublicComment,
)
from instructors.models import User
from outreach.models import Lecture

log = logging.getLogger(__name__)


def _moment(kind: str, at_seconds) -> int | None:
    """The moment of a 弹幕 in whole seconds from the start of the clip; a 留言 has none."""
    if kind == PublicComment.Kind.MESSAGE:
        return None
    if at_seconds is None or str(at_seconds).strip() == "":
        raise field_error(
            "at_seconds", _("Please give the moment of the clip the comment is about."), "moment_required"
        )
    try:
        seconds = float(str(at_seconds).strip())
    except ValueError:
        raise field_error(
            "at_seconds", _("The moment is a number of seconds from the start of the clip."), "moment_invalid"
        ) from None
    if seconds != seconds or seconds < 0:  # NaN or negative
        raise field_error("at_seconds", _("The moment cannot be before the start of the clip."), "moment_negative")
    if seconds > MOMENT_MAX_SECONDS:
        raise field_error(
            "at_seconds",
            _("The moment is beyond the end of any clip (at most %(hours)d hours).")
            % {"hours": MOMENT_MAX_SECONDS // 3600},
            "moment_too_late",
        )
    return int(seconds)


def _text(kind: str, text: str) -> str:
    text = (text or "").strip()
    limit = DANMAKU_MAX_CHARS if kind == PublicComment.Kind.DANMAKU else MESSAGE_MAX_CHARS
    if not text:
        raise field_error("text", _("Please write a comment."), "comment_empty")
    if len(text) > limit:
        raise field_error(
            "text",
            _("A comment of this kind has at most %(limit)d characters; this one has %(n)d.")
            % {"limit": limit, "n": len(text)},
            "comment_too_long",
        )
    return text


def _key(kind: str, value: str) -> str:
    """A cache key that does not reveal the device or address it counts (an HMAC under the server's secret)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"public-comment:{kind}:{digest}"


def _admit(*, device_id: str, address: str) -> None:
    """Count one comment for the device and the address; refuse beyond the limits. The window opens with the first
    comment and lasts a minute (``incr`` keeps the key's expiry), so no count is split at a clock minute."""
    limits = [
        ("device", device_id, settings.PUBLIC_COMMENTS_PER_DEVICE_PER_MINUTE),
        ("address", address, settings.PUBLIC_COMMENTS_PER_ADDRESS_PER_MINUTE),
    ]
    for kind, value, limit in limits:
        if not value:
            continue
        key = _key(kind, value)
        try:
            cache.add(key, 0, timeout=60)
            count = cache.incr(key)
        except Exception:  # the cache is down: comments are moderated anyway, keep accepting them
            log.warning("public comments: %s counter unavailable", kind)
            return
        if count > limit:
            raise ValidationError(
                _("You are commenting too fast: at most %(limit)d comments a minute. Please wait a minute.")
                % {"limit": limit},
                code="comment_flood",
            )


def public_comment_submit(
    *, work: ColumnWork, kind: str, text: str, at_seconds, device_id: str, address: str
) -> PublicComment:
    """Accept one comment of the public on a published work; it waits for moderation before anyone sees it."""
    if not (work.is_published and work.column.is_public):
        raise ValidationError(_("This work is not published."), code="work_not_published")
    if kind not in PublicComment.Kind.values:
        raise field_error("kind", _("Choose a bullet comment or a message."), "comment_kind")
    if not device_id:
        raise ValidationError(
            _("Please allow cookies in your browser: they keep the comments of one phone within limits."),
            code="device_unknown",
        )
    clean_text = _text(kind, text)
    moment = _moment(kind, at_seconds)
    _admit(device_id=device_id, address=address)
    return PublicComment.objects.create(work=work, kind=kind, text=clean_text, at_seconds=moment)


# --- forums and field visits ---------------------------------------------------------------------------------------


@transaction.atomic
def field_visit_record(
    *,
    by: User,
    kind: str,
    course: Course,
    lecture: Lecture | None,
    held_on: dt.date,
    place: str,
    notes: str,
    participants: dict[str, int | None],
    findings: dict[int, str],
) -> FieldVisit:
    """Record a forum or field visit about a course (or one of its lectures), with who took part and what was found
    per dimension of the indicator system. All or nothing: a refused row leaves nothing behind."""
    if not by.can_manage_registry:
        raise ValidationError(_("Only an organizer can record a forum or field visit."), code="not_organizer")
    if kind not in FieldVisit.Kind.values:
        raise field_error("kind", _("Choose a forum or a field visit."), "visit_kind")
    if lecture is not None and lecture.course_id != course.pk:
        raise field_error("lecture", _("The lecture is not a lecture of this course."), "lecture_course")
    if held_on > timezone.localdate():
        raise field_error("held_on", _("A forum or visit is recorded after it took place."), "visit_future")
    if not place.strip():
        raise field_error("place", _("Please give the place."), "place_required")
    counts = {k: v for k, v in participants.items() if v}
    if any(k not in FieldVisitParticipants.Kind.values for k in counts):
        raise ValidationError(_("Unknown kind of participant."), code="participant_kind")
    if any(not 1 <= v <= 100000 for v in counts.values()):
        raise ValidationError(_("Give each number of participants from 1 to 100000."), code="participant_range")
    if not counts:
        raise ValidationError(_("Please give how many people took part, by kind."), code="participants_required")
    texts = {k: v.strip() for k, v in findings.items() if v and v.strip()}
    known = set(Dimension.objects.filter(pk__in=texts).values_list("pk", flat=True))
    if set(texts) - known:
        raise ValidationError(_("Unknown dimension of the indicator system."), code="dimension_unknown")
    if not texts and not notes.strip():
        raise ValidationError(
            _("Please record what was found, for at least one dimension or in the notes."), code="findings_required"
        )
    visit = FieldVisit.objects.create(
        kind=kind,
        course=course,
        lecture=lecture,
        held_on=held_on,
        place=place.strip(),
        notes=notes.strip(),
        recorded_by=by,
    )
    FieldVisitParticipants.objects.bulk_create(
        FieldVisitParticipants(visit=visit, kind=k, number=v) for k, v in counts.items()
    )
    FieldVisitFinding.objects.bulk_create(
        FieldVisitFinding(visit=visit, dimension_id=k, text=v) for k, v in texts.items()
    )
    return visit
