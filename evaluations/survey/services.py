"""Opening evaluations, the anonymous phone survey and named raters; the current settings and indicator system."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.queue import enqueue
from courses.models import TrainingSession
from evaluations import scoring
from evaluations.models import (
    Answer,
    Comment,
    DeviceVote,
    Dimension,
    Evaluation,
    Indicator,
    IndicatorSystem,
    PendingSheet,
    RaterAnswer,
    RaterAssignment,
    RaterRole,
    Response,
    ScoringSettings,
    new_link_secret,
)
from evaluations.survey import selectors as survey_selectors
from instructors.models import Instructor, User
from outreach.models import Lecture

SURVEY_SALT = "evaluations.survey"
STARTED_SALT = "evaluations.started"
STARTED_MAX_AGE = 24 * 3600

log = logging.getLogger(__name__)
# Orders inside a flush come from the operating system's generator, not a seedable one.
_random = random.SystemRandom()


DEFAULT_SYSTEM = [
    (
        "教学内容",
        [
            ("理论深度", "讲授内容的理论深度如何？", "0.150"),
            ("实践指导价值", "内容对实际工作的指导价值如何？", "0.150"),
            ("案例时效性", "所用案例是否新颖、贴近当下？", "0.100"),
        ],
    ),
    (
        "教学方式",
        [
            ("互动性", "课堂互动是否充分？", "0.100"),
            ("趣味性", "授课是否生动有趣？", "0.080"),
            ("多媒体运用", "多媒体运用是否熟练得当？", "0.070"),
        ],
    ),
    (
        "培训效果",
        [
            ("知识掌握", "您对所讲知识的掌握程度如何？", "0.120"),
            ("行为转变", "课程是否促使您改进思想和行为？", "0.100"),
            ("促进工作", "课程对推动您的工作有多大帮助？", "0.130"),
        ],
    ),
]


class AlreadyAnswered(Exception):
    """This device has already answered this evaluation."""


def scoring_current() -> ScoringSettings:
    """The settings version in force (version 1 with the spec's defaults is made on first use)."""
    current = ScoringSettings.objects.filter(is_current=True).first()
    if current:
        return current
    try:
        with transaction.atomic():
            return ScoringSettings.objects.create(
                version=1, params=dict(scoring.DEFAULTS), is_current=True, note="docs/scoring.md"
            )
    except IntegrityError:
        return ScoringSettings.objects.get(is_current=True)


def indicator_system_current() -> IndicatorSystem:
    """The indicator system in force (the default of docs/scoring.md §1 is made on first use)."""
    current = IndicatorSystem.objects.filter(is_current=True).first()
    if current:
        return current
    with transaction.atomic():
        system, created = IndicatorSystem.objects.get_or_create(
            name="党员教育培训质量评价指标体系", version=1, defaults={"is_current": True}
        )
        if created:
            for d_order, (dimension_name, indicators) in enumerate(DEFAULT_SYSTEM):
                dimension = Dimension.objects.create(system=system, name=dimension_name, order=d_order)
                for i_order, (name, question, weight) in enumerate(indicators):
                    Indicator.objects.create(
                        dimension=dimension, name=name, question=question, weight=Decimal(weight), order=i_order
                    )
        return system


def indicator_weights_check(weights: list[Decimal]) -> None:
    """Weights must sum to exactly 1; the message shows the current sum."""
    total = sum(weights, Decimal("0"))
    if total != Decimal("1"):
        raise ValidationError(
            _("The weights must add up to 1; they now add up to %(sum)s.") % {"sum": f"{total:.3f}"}, code="weights_sum"
        )


@transaction.atomic
def indicator_system_copy(*, system: IndicatorSystem) -> IndicatorSystem:
    """A system in use is frozen; changes go into a copy with the next version number."""
    latest = IndicatorSystem.objects.filter(name=system.name).order_by("-version").first()
    copy = IndicatorSystem.objects.create(name=system.name, version=latest.version + 1)
    for dimension in system.dimensions.prefetch_related("indicators"):
        new_dimension = Dimension.objects.create(system=copy, name=dimension.name, order=dimension.order)
        Indicator.objects.bulk_create(
            Indicator(
                dimension=new_dimension,
                name=i.name,
                question=i.question,
                description=i.description,
                weight=i.weight,
                order=i.order,
            )
            for i in dimension.indicators.all()
        )
    return copy


def _weights(system: IndicatorSystem) -> dict[int, float]:
    return {
        pk: float(weight)
        for pk, weight in Indicator.objects.filter(dimension__system=system).values_list("pk", "weight")
    }


def evaluation_open(*, lecture: Lecture, by: User | None, attendance: int | None = None) -> Evaluation:
    """Open (or return) the evaluation of a lecture; the survey accepts answers from the start until the window ends.

    ``attendance`` (people in the room; by default the lecture's actual, else expected audience) caps the sheets
    that count: those beyond 110 % of it are held until the organizer accepts them.
    """
    if lecture.status == Lecture.Status.CANCELLED and not Evaluation.objects.filter(lecture=lecture).exists():
        raise ValidationError(_("A cancelled lecture cannot be evaluated."), code="lecture_cancelled")
    if attendance is None:
        attendance = lecture.audience_actual or lecture.audience_expected or None
    if attendance is not None and not 1 <= attendance <= 100000:
        raise ValidationError(_("Give the attendance as a number of people from 1 to 100000."), code="attendance_range")
    return _evaluation_open(subject={"lecture": lecture}, starts_at=lecture.start, by=by, attendance=attendance)


def evaluation_open_session(*, session: TrainingSession, by: User | None) -> Evaluation:
    """Open (or return) the on-the-spot evaluation of a training session (课中现场评估), same window as a lecture's."""
    return _evaluation_open(subject={"session": session}, starts_at=session.starts_at, by=by)


@transaction.atomic
def _evaluation_open(
    *, subject: dict, starts_at: dt.datetime, by: User | None, attendance: int | None = None
) -> Evaluation:
    existing = Evaluation.objects.filter(**subject).first()
    if existing:
        return existing
    params = scoring_current()
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                **subject,
                system=indicator_system_current(),
                scoring=params,
                opens_at=starts_at,
                closes_at=starts_at + dt.timedelta(hours=params.value("window_hours")),
                opened_by=by,
                attendance=attendance,
            )
    except IntegrityError:  # opened by a second click at the same moment
        return Evaluation.objects.get(**subject)


def survey_token(evaluation: Evaluation, *, live_step: int | None = None) -> str:
    """The signed survey link's token: the printed poster's (no step) or the rotating on-screen code's (``w``)."""
    data = {"e": evaluation.pk, "s": evaluation.link_secret}
    if live_step is not None:
        data["w"] = live_step
    return signing.dumps(data, salt=SURVEY_SALT, compress=True)


def survey_live_step(now: dt.datetime | None = None) -> int:
    """The number of the on-screen code's current period (a new QR code every SURVEY_LIVE_STEP_SECONDS)."""
    return int((now or timezone.now()).timestamp()) // settings.SURVEY_LIVE_STEP_SECONDS


def survey_resolve(token: str, *, now: dt.datetime | None = None, check_link: bool = True) -> Evaluation:
    """The evaluation a survey link points to; a forged or altered link raises Evaluation.DoesNotExist.

    With ``check_link``, an on-screen code older than its validity, or the printed link once the organizer has
    closed it, is refused (code ``link_expired`` / ``poster_link_closed``). A sheet already being filled in is
    posted with ``check_link=False``: the signed opening time in the form proves the page was served in time.
    """
    try:
        data = signing.loads(token, salt=SURVEY_SALT)
    except signing.BadSignature:
        raise Evaluation.DoesNotExist from None
    evaluation = Evaluation.objects.select_related(
        "lecture__course", "lecture__instructor", "lecture__organization", "session", "system", "scoring"
    ).get(pk=data.get("e"), link_secret=data.get("s"))
    if not check_link:
        return evaluation
    step = data.get("w")
    if step is None and not evaluation.poster_link_open:
        raise ValidationError(
            _("The printed link of this survey is closed: please scan the code shown on the screen in the room."),
            code="poster_link_closed",
        )
    if step is not None:
        shown_until = (int(step) + 1) * settings.SURVEY_LIVE_STEP_SECONDS
        if (now or timezone.now()).timestamp() > shown_until + settings.SURVEY_LIVE_VALID_SECONDS:
            raise ValidationError(
                _("This code has expired: please scan the code now shown on the screen in the room."),
                code="link_expired",
            )
    return evaluation


def _keyed(evaluation: Evaluation, text: str) -> str:
    if not evaluation.device_salt:
        raise ValidationError(_("This survey is closed."), code="survey_closed")
    return hmac.new(bytes.fromhex(evaluation.device_salt), text.encode(), hashlib.sha256).hexdigest()


def device_hash(evaluation: Evaluation, device_id: str) -> str:
    """An HMAC of the device cookie under the survey's own random salt (never SECRET_KEY), destroyed at closing."""
    return _keyed(evaluation, f"{evaluation.pk}:{device_id}")


def device_answered(*, evaluation: Evaluation, device_id: str | None) -> bool:
    """Whether this phone has already answered this survey (False once the survey is closed: nobody can tell)."""
    if not device_id or not evaluation.device_salt:
        return False
    return DeviceVote.objects.filter(evaluation=evaluation, device_hash=device_hash(evaluation, device_id)).exists()


def _bucket(seconds: int) -> int:
    return int(time.time()) // seconds


def survey_device_admit(*, evaluation: Evaluation, address: str) -> None:
    """Count a new phone from ``address``; refuse beyond SURVEY_NEW_DEVICES_PER_MINUTE (far above a classroom)."""
    key = f"survey-new:{_keyed(evaluation, address)[:32]}:{_bucket(60)}"
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except Exception:  # the cache is down: a survey keeps answering
        log.warning("survey: new-device counter unavailable")
        return
    if count > settings.SURVEY_NEW_DEVICES_PER_MINUTE:
        raise ValidationError(
            _("Too many new phones from this network in the last minute; please try again in a minute."),
            code="too_many_devices",
        )


def _burst(evaluation: Evaluation, address: str, values: dict[int, int], satisfaction: int | None) -> bool:
    """Whether this sheet is one of SURVEY_BURST_SIMILAR near-identical sheets (at most one item different) from
    one address within SURVEY_BURST_SECONDS. The cache keys are HMACs under the survey's salt and expire in
    seconds: the address is never stored with the sheet, nor readable from the cache."""
    if not address:
        return False
    items = sorted(values.items())
    bucket = _bucket(settings.SURVEY_BURST_SECONDS)
    keys = [
        f"survey-burst:{_keyed(evaluation, repr((address, satisfaction, i, items[:i] + items[i + 1 :])))[:32]}:{bucket}"
        for i in range(max(len(items), 1))
    ]
    try:
        counts = cache.get_many(keys)
        counts = {key: counts.get(key, 0) + 1 for key in keys}
        cache.set_many(counts, timeout=2 * settings.SURVEY_BURST_SECONDS)
    except Exception:
        log.warning("survey: burst counter unavailable")
        return False
    return max(counts.values()) >= settings.SURVEY_BURST_SIMILAR


def survey_started_token(*, evaluation: Evaluation, device_id: str, now: float | None = None) -> str:
    """The time the form was served, signed into it with the survey and the phone it was served to."""
    device = hashlib.sha256(device_id.encode()).hexdigest()[:16]
    return signing.dumps({"e": evaluation.pk, "d": device, "t": now or time.time()}, salt=STARTED_SALT)


def survey_started_seconds(*, evaluation: Evaluation, device_id: str, token: str, now: float | None = None) -> float:
    """Seconds since the form was served; a missing, forged or foreign opening time is refused."""
    try:
        data = signing.loads(token or "", salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
        device = hashlib.sha256(device_id.encode()).hexdigest()[:16]
        if data["e"] != evaluation.pk or data["d"] != device:
            raise ValueError
        return (now or time.time()) - float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(_OPENED_UNKNOWN, code="survey_opened_unknown") from None


_OPENED_UNKNOWN = gettext_lazy(
    "This answer sheet does not carry the time it was opened (or it was altered); "
    "please open the survey link again and answer on the new page."
)


def survey_submit(
    *,
    evaluation: Evaluation,
    device_id: str,
    values: dict[int, int],
    satisfaction: int | None,
    seconds: float | None,
    comment: str = "",
    address: str = "",
    now: dt.datetime | None = None,
) -> PendingSheet:
    """Accept one anonymous answer sheet into the mixing buffer; a second one from the same device raises
    AlreadyAnswered.

    The device check and the sheet are written in two separate transactions, and the sheet carries no device,
    address or time; ``survey_flush`` later moves it to the answer tables in a random batch. ``seconds`` (since
    the form was served, from ``survey_started_seconds``) is required: without it the speeder rule could be
    skipped.
    """
    now = now or timezone.now()
    if not evaluation.is_open(now):
        raise ValidationError(
            _(
                "This survey is closed: answers are accepted from the start of the lecture "
                "until %(hours)d hours after it."
            )
            % {"hours": evaluation.scoring.value("window_hours")},
            code="survey_closed",
        )
    if seconds is None:
        raise ValidationError(_OPENED_UNKNOWN, code="survey_opened_unknown")
    known = {indicator.pk for indicator in survey_selectors.survey_indicators(system_id=evaluation.system_id)}
    values = {key: int(value) for key, value in values.items() if key in known and value is not None}
    if any(not 1 <= value <= 5 for value in values.values()):
        raise ValidationError(_("Each item is rated from 1 to 5."), code="item_range")
    if satisfaction is not None and satisfaction not in (1, 2, 3, 4):
        raise ValidationError(_("Please choose an overall satisfaction level."), code="satisfaction_required")
    params = evaluation.scoring.merged
    speeder = scoring.is_speeder(seconds=seconds, steps=values.values(), threshold=params["speeder_seconds"])
    burst = _burst(evaluation, address, values, satisfaction)
    vote_hash = device_hash(evaluation, device_id)
    cap = None if evaluation.attendance is None else int(evaluation.attendance * settings.SURVEY_ATTENDANCE_SLACK)
    try:
        with transaction.atomic():
            DeviceVote.objects.create(evaluation=evaluation, device_hash=vote_hash)
    except IntegrityError:
        raise AlreadyAnswered from None
    # Sheets received so far = device checks (this one included); no counter row that every submission would lock.
    received = DeviceVote.objects.filter(evaluation=evaluation).count() if cap is not None else 0
    try:
        with transaction.atomic():
            held = PendingSheet.Held.NO
            if cap is not None and received > cap:
                held = PendingSheet.Held.OVER_ATTENDANCE
            elif burst:
                held = PendingSheet.Held.BURST
            sheet = PendingSheet.objects.create(
                evaluation=evaluation,
                values={str(k): v for k, v in values.items()},
                satisfaction=satisfaction,
                comment=comment.strip()[:1000],
                speeder=speeder,
                held=held,
            )
    except Exception:
        # The sheet was not stored: free the phone to answer again rather than lose its answer.
        DeviceVote.objects.filter(evaluation=evaluation, device_hash=vote_hash).delete()
        raise
    if not held and not _flush_queued(evaluation):
        waiting = PendingSheet.objects.filter(evaluation=evaluation, held=PendingSheet.Held.NO).count()
        if waiting >= 2 * settings.SURVEY_MIX_K and _flush_claim(evaluation):
            enqueue("evaluations.tasks.survey_flush_task", evaluation.pk)
    return sheet


def _flush_key(evaluation: Evaluation) -> str:
    return f"survey-flush-queued:{evaluation.pk}:{evaluation.device_salt[:8]}"


def _flush_queued(evaluation: Evaluation) -> bool:
    try:
        return cache.get(_flush_key(evaluation)) is not None
    except Exception:
        return False


def _flush_claim(evaluation: Evaluation) -> bool:
    """At most one flush task queued per survey (the task releases the claim when it starts): a burst of 300 phones
    queues a handful of flushes, not one per sheet. Without a cache, always queue (a flush is idempotent)."""
    try:
        return cache.add(_flush_key(evaluation), 1, timeout=60)
    except Exception:
        return True


def survey_flush_pending(*, evaluation_id: int) -> bool:
    """Whether another flush of this survey is queued (sheets kept arriving while this one ran)."""
    evaluation = Evaluation.objects.only("pk", "device_salt").filter(pk=evaluation_id).first()
    return evaluation is not None and _flush_queued(evaluation)


def survey_flush_release(*, evaluation_id: int) -> None:
    """Called by the flush task as it starts: sheets arriving from now on may queue the next flush."""
    try:
        evaluation = Evaluation.objects.only("pk", "device_salt").filter(pk=evaluation_id).first()
        if evaluation is not None:
            cache.delete(_flush_key(evaluation))
    except Exception:
        log.warning("survey: flush claim not released; the periodic flush takes over")


def _write_sheets(evaluation: Evaluation, sheets: list[PendingSheet]) -> None:
    """Score the sheets and insert them, comments in a second, independent random order."""
    weights = _weights(evaluation.system)
    params = evaluation.scoring.merged
    step = params["trainee_points_per_step"]
    _random.shuffle(sheets)
    responses, answers = [], []
    for sheet in sheets:
        values = {int(k): int(v) for k, v in sheet.values.items() if int(k) in weights}
        result = scoring.response_score(
            {k: v * step for k, v in values.items()}, weights, min_weight=params["min_answered_weight"]
        )
        valid = result.valid and not sheet.speeder
        response = Response(
            evaluation=evaluation,
            satisfaction=sheet.satisfaction,
            score=scoring.q2(result.score) if valid else None,
            answered_weight=Decimal(str(round(result.answered_weight, 4))),
            valid=valid,
            dropped_reason="" if valid else ("speeder" if sheet.speeder else result.reason),
            uniform=scoring.is_uniform(values.values()),
        )
        responses.append(response)
        answers.extend(Answer(response=response, indicator_id=k, value=v) for k, v in values.items())
    Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(answers, batch_size=2000)
    comments = [sheet.comment for sheet in sheets if sheet.comment]
    _random.shuffle(comments)
    Comment.objects.bulk_create((Comment(evaluation=evaluation, text=text) for text in comments), batch_size=500)


@transaction.atomic
def survey_flush(*, evaluation_id: int, final: bool = False, now: dt.datetime | None = None) -> int:
    """Move a random batch of waiting sheets from the buffer to the answer tables, in one transaction.

    A pool mix: while the window is open, a flush happens only when at least 2k sheets wait, writes a random
    selection and keeps k waiting; when the window has closed (or ``final``), every waiting sheet is written and the
    survey's device salt is destroyed. Held sheets stay until the organizer accepts them. Running twice is harmless:
    the survey row is locked and flushed sheets are deleted in the same transaction. Returns the sheets written.
    """
    # NO KEY UPDATE: submissions insert rows referencing this survey (a KEY SHARE lock) and must not wait for it.
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",), no_key=True)
        .select_related("system", "scoring")
        .filter(pk=evaluation_id)
        .first()
    )
    if evaluation is None:  # deleted since the flush was queued
        return 0
    closing = final or (now or timezone.now()) > evaluation.closes_at
    k = settings.SURVEY_MIX_K
    waiting = list(PendingSheet.objects.filter(evaluation=evaluation, held=PendingSheet.Held.NO))
    if closing:
        chosen = waiting
    elif waiting and len(waiting) >= 2 * k:
        chosen = _random.sample(waiting, len(waiting) - k)
    else:
        chosen = []
    if chosen:
        _write_sheets(evaluation, chosen)
        PendingSheet.objects.filter(pk__in=[sheet.pk for sheet in chosen]).delete()
    if closing and evaluation.device_salt:
        evaluation.device_salt = ""
        evaluation.save(update_fields=["device_salt"])
    return len(chosen)


def survey_buffers_due(*, now: dt.datetime | None = None) -> list[int]:
    """Surveys whose buffer should be flushed: 2k sheets waiting, or the window closed with a salt or sheets left."""
    now = now or timezone.now()
    k = settings.SURVEY_MIX_K
    crowded = (
        PendingSheet.objects.filter(held=PendingSheet.Held.NO)
        .values("evaluation_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=max(2 * k, 1))
        .values_list("evaluation_id", flat=True)
    )
    closed = Evaluation.objects.filter(closes_at__lt=now).filter(
        ~Q(device_salt="") | Q(pk__in=PendingSheet.objects.filter(held="").values("evaluation_id"))
    )
    return sorted(set(crowded) | set(closed.values_list("pk", flat=True)))


@transaction.atomic
def held_sheets_accept(*, evaluation: Evaluation, by: User, reason: str | None = None) -> int:
    """The organizer accepts the held sheets (all, or those held for ``reason``); they join the buffer and count."""
    if not by.can_manage_registry:
        raise ValidationError(_("Only an organizer can accept held sheets."), code="not_organizer")
    held = PendingSheet.objects.filter(evaluation=evaluation).exclude(held=PendingSheet.Held.NO)
    if reason:
        held = held.filter(held=reason)
    accepted = held.update(held=PendingSheet.Held.NO)
    if accepted:
        transaction.on_commit(lambda: enqueue("evaluations.tasks.survey_flush_task", evaluation.pk))
    return accepted


def evaluation_attendance_set(*, evaluation: Evaluation, attendance: int | None, by: User) -> Evaluation:
    """State how many people are in the room (the cap on counted sheets is 110 % of it)."""
    if attendance is not None and not 1 <= attendance <= 100000:
        raise ValidationError(_("Give the attendance as a number of people from 1 to 100000."), code="attendance_range")
    Evaluation.objects.filter(pk=evaluation.pk).update(attendance=attendance)
    evaluation.attendance = attendance
    return evaluation


def evaluation_link_rotate(*, evaluation: Evaluation, by: User) -> Evaluation:
    """A new link secret: every printed QR code, short link and on-screen code shown so far stops working."""
    evaluation.link_secret = new_link_secret()
    evaluation.save(update_fields=["link_secret"])
    return evaluation


def evaluation_poster_link_set(*, evaluation: Evaluation, open: bool, by: User) -> Evaluation:
    """Accept or refuse the printed poster's link (the rotating on-screen code works while the survey is open)."""
    evaluation.poster_link_open = open
    evaluation.save(update_fields=["poster_link_open"])
    return evaluation


def rater_conflict(*, evaluation: Evaluation, role: str, user: User | None) -> ValidationError | None:
    """Why this person may not rate this lecture (an error with its code), or None when they may."""
    lecture = evaluation.lecture
    if user is None:
        return None
    if lecture.instructor.user_id == user.pk:
        return ValidationError(_("Nobody rates their own lecture."), code="own_lecture")
    own = Instructor.objects.filter(user=user).first()
    if role == RaterRole.PEER:
        if own is None:
            return ValidationError(_("A peer rater must be an instructor."), code="peer_not_instructor")
        if set(own.groups.values_list("pk", flat=True)) & set(lecture.instructor.groups.values_list("pk", flat=True)):
            return ValidationError(
                _("A peer from the lecturer's own teaching-research group cannot be assigned as peer."),
                code="peer_same_group",
            )
    if own is not None and own.pk in set(lecture.course.co_instructors.values_list("pk", flat=True)):
        return ValidationError(_("A co-instructor of the course cannot rate it."), code="co_instructor")
    return None


@transaction.atomic
def rater_assign(
    *, evaluation: Evaluation, role: str, by: User | None, user: User | None = None, name: str = ""
) -> RaterAssignment:
    """Ask a named rater to score a lecture; conflicts of interest are refused."""
    if role not in RaterRole.values or role == RaterRole.TRAINEE:
        raise ValidationError(_("Choose the role of a named rater."), code="role_required")
    if evaluation.lecture_id is None:
        raise ValidationError(_("A training session is rated by its trainees only."), code="session_trainees_only")
    conflict = rater_conflict(evaluation=evaluation, role=role, user=user)
    if conflict:
        raise conflict
    if user is not None and not survey_selectors.rater_candidates(evaluation).filter(pk=user.pk).exists():
        raise ValidationError(
            _("Choose a rater among the organizers, instructors and judges of the lecture's city."),
            code="rater_out_of_scope",
        )
    assignment = RaterAssignment(evaluation=evaluation, role=role, user=user, name=name.strip(), assigned_by=by)
    assignment.full_clean(exclude=["token", "assigned_by"])
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(_("This person is already assigned to this lecture."), code="rater_exists") from None
    return assignment


@transaction.atomic
def rater_submit(
    *, assignment: RaterAssignment, values: dict[int, Decimal], now: dt.datetime | None = None
) -> RaterAssignment:
    """Store or replace a named rater's scores while the evaluation window is open."""
    locked = (
        RaterAssignment.objects.select_for_update()
        .select_related("evaluation__system", "evaluation__scoring")
        .get(pk=assignment.pk)
    )
    evaluation = locked.evaluation
    now = now or timezone.now()
    if now > evaluation.closes_at:
        raise ValidationError(_("Scoring of this lecture has closed."), code="scoring_closed")
    if now < evaluation.opens_at:
        raise ValidationError(_("Scoring opens when the lecture starts."), code="scoring_not_open")
    weights = _weights(evaluation.system)
    clean = {k: Decimal(str(v)) for k, v in values.items() if k in weights and v is not None}
    if any(not Decimal(0) <= v <= Decimal(100) for v in clean.values()):
        raise ValidationError(_("Scores run from 0 to 100."), code="score_range")
    result = scoring.response_score(
        {k: float(v) for k, v in clean.items()}, weights, min_weight=evaluation.scoring.value("min_answered_weight")
    )
    if not result.valid:
        raise ValidationError(
            _("Please score at least two thirds of the indicators (by weight)."), code="too_few_answers"
        )
    locked.answers.all().delete()
    RaterAnswer.objects.bulk_create(RaterAnswer(assignment=locked, indicator_id=k, value=v) for k, v in clean.items())
    locked.score = scoring.q2(result.score)
    locked.submitted_at = now
    locked.save(update_fields=["score", "submitted_at"])
    return locked
