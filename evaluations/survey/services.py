"""Opening evaluations, the anonymous phone survey and named raters; the current settings and indicator system."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    RaterAnswer,
    RaterAssignment,
    RaterRole,
    Response,
    ScoringSettings,
)
from instructors.models import Instructor, User
from outreach.models import Lecture

SURVEY_SALT = "evaluations.survey"


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


def evaluation_open(*, lecture: Lecture, by: User | None) -> Evaluation:
    """Open (or return) the evaluation of a lecture; the survey accepts answers from the start until the window ends."""
    if lecture.status == Lecture.Status.CANCELLED and not Evaluation.objects.filter(lecture=lecture).exists():
        raise ValidationError(_("A cancelled lecture cannot be evaluated."), code="lecture_cancelled")
    return _evaluation_open(subject={"lecture": lecture}, starts_at=lecture.start, by=by)


def evaluation_open_session(*, session: TrainingSession, by: User | None) -> Evaluation:
    """Open (or return) the on-the-spot evaluation of a training session (课中现场评估), same window as a lecture's."""
    return _evaluation_open(subject={"session": session}, starts_at=session.starts_at, by=by)


@transaction.atomic
def _evaluation_open(*, subject: dict, starts_at: dt.datetime, by: User | None) -> Evaluation:
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
            )
    except IntegrityError:  # opened by a second click at the same moment
        return Evaluation.objects.get(**subject)


def survey_token(evaluation: Evaluation) -> str:
    return signing.dumps({"e": evaluation.pk, "s": evaluation.link_secret}, salt=SURVEY_SALT, compress=True)


def survey_resolve(token: str) -> Evaluation:
    """The evaluation a survey link points to; a forged or altered link raises Evaluation.DoesNotExist."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT)
    except signing.BadSignature:
        raise Evaluation.DoesNotExist from None
    return Evaluation.objects.select_related(
        "lecture__course", "lecture__instructor", "lecture__organization", "session", "system", "scoring"
    ).get(pk=data.get("e"), link_secret=data.get("s"))


def device_hash(evaluation: Evaluation, device_id: str) -> str:
    """A keyed hash: the stored value cannot be turned back into the device cookie or matched across lectures."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{evaluation.pk}:{device_id}".encode(), hashlib.sha256).hexdigest()


def survey_submit(
    *,
    evaluation: Evaluation,
    device_id: str,
    values: dict[int, int],
    satisfaction: int | None,
    comment: str = "",
    seconds: float | None = None,
    now: dt.datetime | None = None,
) -> Response:
    """Store one anonymous answer sheet; a second one from the same device raises AlreadyAnswered."""
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
    weights = _weights(evaluation.system)
    values = {key: int(value) for key, value in values.items() if key in weights and value is not None}
    if any(not 1 <= value <= 5 for value in values.values()):
        raise ValidationError(_("Each item is rated from 1 to 5."), code="item_range")
    if satisfaction is not None and satisfaction not in (1, 2, 3, 4):
        raise ValidationError(_("Please choose an overall satisfaction level."), code="satisfaction_required")
    params = evaluation.scoring.merged
    step = params["trainee_points_per_step"]
    result = scoring.response_score(
        {k: v * step for k, v in values.items()}, weights, min_weight=params["min_answered_weight"]
    )
    speeder = scoring.is_speeder(seconds=seconds, steps=values.values(), threshold=params["speeder_seconds"])
    valid = result.valid and not speeder
    try:
        with transaction.atomic():
            DeviceVote.objects.create(evaluation=evaluation, device_hash=device_hash(evaluation, device_id))
            response = Response.objects.create(
                evaluation=evaluation,
                satisfaction=satisfaction,
                score=scoring.q2(result.score) if valid else None,
                answered_weight=Decimal(str(round(result.answered_weight, 4))),
                valid=valid,
                dropped_reason="" if valid else ("speeder" if speeder else result.reason),
                uniform=scoring.is_uniform(values.values()),
            )
            Answer.objects.bulk_create(Answer(response=response, indicator_id=k, value=v) for k, v in values.items())
            if comment.strip():
                Comment.objects.create(evaluation=evaluation, text=comment.strip()[:1000])
    except IntegrityError:
        raise AlreadyAnswered from None
    return response


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
