"""Demo data for evaluations: anonymous trainee answers for the delivered lectures, named raters, comments, results.

Deterministic and idempotent (lectures that already have an evaluation are skipped). Rows are written with
bulk inserts; results are computed by the same service the portal uses, so the demo shows real computations.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from courses.models import TrainingSession
from evaluations import scoring
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from instructors.demo import DEMO_PASSWORD
from instructors.models import User
from outreach.models import Lecture

from .models import Answer, Comment, DeviceVote, Evaluation, Indicator, RaterAnswer, RaterAssignment, Response

COMMENTS = [
    ("案例贴近基层实际，听得懂、用得上。", "public"),
    ("希望多讲一些本村产业发展的具体做法。", "public"),
    ("课件字太小，后排看不清。", "public"),
    ("互动环节可以再多一些。", "public"),
    ("讲得很好，建议下次安排在农闲时间。", "private"),
    ("时间有点长，中间可以休息一下。", "pending"),
    ("希望能提供课件下载。", "pending"),
]
BATCH = 5000


def _experts() -> list[User]:
    experts = list(User.objects.filter(role=User.Role.JUDGE).order_by("pk"))
    for n in range(len(experts), 6):
        user = User(username=f"expert{n}", role=User.Role.JUDGE, display_name=f"评审专家{n}")
        user.set_password(DEMO_PASSWORD)
        user.save()
        experts.append(user)
    return experts


def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    """Answers for every delivered lecture that has none yet (about 300,000 a year at city scale)."""
    rng = random.Random(seed * 31)
    params = survey_services.scoring_current()
    system = survey_services.indicator_system_current()
    indicators = list(Indicator.objects.filter(dimension__system=system).values_list("pk", "weight"))
    weights = {pk: float(w) for pk, w in indicators}
    city_lectures = Lecture.objects.filter(
        status__in=Lecture.DONE, evaluation__isnull=True, county__path__startswith="51/5111/"
    )
    lectures = list(city_lectures.select_related("course", "instructor", "county").order_by("pk"))
    if scale == "province":
        if connection.vendor == "postgresql":
            # The other twelve cities: ~3,000,000 answer sheets, generated inside PostgreSQL (demo_sql.py).
            from .demo_sql import seed_sql

            counts = seed_sql(lecture_filter="c.path NOT LIKE '51/5111/%%'", seed=seed, stdout=stdout)
            if stdout:
                stdout.write(f"evaluations (SQL): {counts}")
        else:
            lectures = list(
                Lecture.objects.filter(status__in=Lecture.DONE, evaluation__isnull=True)
                .select_related("course", "instructor", "county")
                .order_by("pk")
            )
    training = seed_training(seed=seed)
    if stdout and training:
        stdout.write(f"evaluations: {training:,} answers to training sessions")
    if not lectures:
        for year in Lecture.objects.filter(status__in=Lecture.DONE).dates("start", "year"):
            result_services.instructors_quality_refresh(year=year.year)
        return {"answers": 0}
    experts = _experts()
    organizers = list(User.objects.filter(role=User.Role.ORGANIZER).order_by("pk"))
    # Course quality: most courses are good, a few weak ones give red and yellow flags to work with.
    course_quality: dict[int, float] = {}
    total = 0
    for start in range(0, len(lectures), 500):
        chunk = lectures[start : start + 500]
        total += _chunk(chunk, rng, params, system, weights, course_quality, experts, organizers)
        if stdout and start and start % 5000 == 0:
            stdout.write(f"  evaluations: {start:,} lectures, {total:,} answers")
    evaluation_ids = list(Evaluation.objects.filter(lecture__in=lectures).values_list("pk", flat=True))
    for start in range(0, len(evaluation_ids), 2000):
        result_services.results_compute(evaluation_ids=evaluation_ids[start : start + 2000])
    years = {timezone.localtime(lecture.start).year for lecture in lectures}
    if scale == "province":
        years |= {d.year for d in Lecture.objects.filter(status__in=Lecture.DONE).dates("start", "year")}
    for year in years:
        result_services.instructors_quality_refresh(year=year)
    if stdout:
        stdout.write(f"evaluations: {len(evaluation_ids):,} lectures rated, {total:,} trainee answers")
    return {"answers": total}


def _evaluation(system, params, starts_at, **subject) -> Evaluation:
    """An unsaved evaluation of a lecture or a session, open from its start for the settings' window."""
    window = dt.timedelta(hours=params.value("window_hours"))
    return Evaluation(**subject, system=system, scoring=params, opens_at=starts_at, closes_at=starts_at + window)


@transaction.atomic
def _chunk(chunk, rng, params, system, weights, course_quality, experts, organizers) -> int:
    Evaluation.objects.bulk_create(_evaluation(system, params, lecture.start, lecture=lecture) for lecture in chunk)
    evaluations = list(Evaluation.objects.filter(lecture__in=chunk).order_by("pk"))
    by_pk = {lecture.pk: lecture for lecture in chunk}
    uuid_value = str if connection.vendor == "postgresql" else (lambda u: u.hex)
    responses, answers, votes, comments, assignments = [], [], [], [], []
    indicator_ids = list(weights)
    for evaluation in evaluations:
        lecture = by_pk[evaluation.lecture_id]
        quality = course_quality.setdefault(
            lecture.course_id, rng.choice([4.4, 4.2, 4.1, 4.0, 3.9, 3.8, 3.6, 3.3, 2.8, 2.4])
        )
        audience = lecture.audience_actual or 40
        count = max(3, int(audience * rng.uniform(0.6, 1.0)))
        for _ in range(count):
            response, sheet = _answer_sheet(rng, quality, evaluation.pk, weights, params, uuid_value)
            responses.append(response)
            answers.extend(sheet)
            votes.append((evaluation.pk, uuid.UUID(int=rng.getrandbits(128)).hex * 2))
        if rng.random() < 0.25:
            text, state = rng.choice(COMMENTS)
            comments.append(Comment(evaluation_id=evaluation.pk, text=text, state=state))
        # Who else rated: the host organization usually does, a grassroots representative often, experts and a
        # media observer sometimes. Trainees alone carry 0.40 of the weight, so lectures rated only by trainees
        # stay "insufficient data" (the rule needs 0.60).
        if organizers and rng.random() < 0.7:
            assignments.append((evaluation, "organizer", organizers[0], ""))
        if rng.random() < 0.6:
            name = rng.choice(["村民代表 王大爷", "党员代表 刘阿姨", "社区群众代表 陈先生"])
            assignments.append((evaluation, "grassroots", None, name))
        if rng.random() < 0.3:
            for expert in rng.sample(experts, rng.choice([1, 2, 3])):
                assignments.append((evaluation, "expert", expert, ""))
        if rng.random() < 0.1:
            assignments.append((evaluation, "media", None, "嘉州日报 观察员"))
    _insert(Response, RESPONSE_COLUMNS, responses)
    _insert(Answer, ["response_id", "indicator_id", "value"], answers)
    _insert(DeviceVote, ["evaluation_id", "device_hash"], votes)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    rater_rows = [
        RaterAssignment(
            evaluation=evaluation,
            role=role,
            user=user,
            name=name,
            token=uuid.UUID(int=rng.getrandbits(128)).hex,
            submitted_at=evaluation.opens_at + dt.timedelta(hours=2),
            score=None,
        )
        for evaluation, role, user, name in assignments
    ]
    RaterAssignment.objects.bulk_create(rater_rows, batch_size=BATCH)
    saved = (
        RaterAssignment.objects.filter(evaluation__in=evaluations).select_related("evaluation__lecture").order_by("pk")
    )
    rater_answers = []
    for assignment in saved:
        base = course_quality[assignment.evaluation.lecture.course_id] * 20 + rng.gauss(0, 6)
        values = {pk: Decimal(str(max(0, min(100, round(base + rng.gauss(0, 5)))))) for pk in indicator_ids}
        assignment.score = scoring.q2(
            scoring.response_score({k: float(v) for k, v in values.items()}, weights, min_weight=0).score
        )
        rater_answers.extend(RaterAnswer(assignment=assignment, indicator_id=k, value=v) for k, v in values.items())
    RaterAssignment.objects.bulk_update(list(saved), ["score"], batch_size=BATCH)
    RaterAnswer.objects.bulk_create(rater_answers, batch_size=BATCH)
    return len(responses)


def _answer_sheet(rng, quality, evaluation_id, weights, params, uuid_value) -> tuple[tuple, list[tuple]]:
    """One simulated trainee: a response row and its answer rows (a few skip items, a few rush through)."""
    indicator_ids = list(weights)
    person = quality + rng.gauss(0, 0.5)
    steps = {pk: max(1, min(5, round(person + rng.gauss(0, 0.55)))) for pk in indicator_ids}
    if rng.random() < 0.05:  # skipped a few items
        for pk in rng.sample(indicator_ids, rng.choice([2, 4, 6])):
            del steps[pk]
    seconds = rng.uniform(8, 30) if rng.random() < 0.03 else rng.uniform(40, 240)
    if seconds < 20:
        steps = {pk: 5 for pk in steps}
    result = scoring.response_score(
        {k: v * 20 for k, v in steps.items()}, weights, min_weight=params.value("min_answered_weight")
    )
    speeder = scoring.is_speeder(seconds=seconds, steps=steps.values(), threshold=params.value("speeder_seconds"))
    valid = result.valid and not speeder
    mean_step = sum(steps.values()) / len(steps)
    satisfaction = 4 if mean_step >= 4.3 else 3 if mean_step >= 3.4 else 2 if mean_step >= 2.6 else 1
    response_id = uuid_value(uuid.UUID(int=rng.getrandbits(128), version=4))
    score = scoring.q2(result.score) if valid else None
    dropped = "" if valid else ("speeder" if speeder else result.reason)
    weight = Decimal(str(round(result.answered_weight, 4)))
    uniform = scoring.is_uniform(steps.values())
    response = (response_id, evaluation_id, satisfaction, score, weight, valid, dropped, uniform)
    return response, [(response_id, k, v) for k, v in steps.items()]


RESPONSE_COLUMNS = [
    "id",
    "evaluation_id",
    "satisfaction",
    "score",
    "answered_weight",
    "valid",
    "dropped_reason",
    "uniform",
]


@transaction.atomic
def seed_training(*, seed: int = 2024) -> int:
    """On-the-spot answers of the instructors who attended the training sessions held so far, and their results.

    Each topic has its own quality, one of them weak, so the per-topic feedback has something to say."""
    rng = random.Random(seed * 37)
    params = survey_services.scoring_current()
    system = survey_services.indicator_system_current()
    weights = {pk: float(w) for pk, w in Indicator.objects.filter(dimension__system=system).values_list("pk", "weight")}
    sessions = list(
        TrainingSession.objects.filter(starts_at__lt=timezone.now(), evaluation__isnull=True)
        .annotate(attended=Count("signups", filter=Q(signups__attended=True)))
        .order_by("pk")
    )
    if not sessions:
        return 0
    Evaluation.objects.bulk_create(_evaluation(system, params, s.starts_at, session=s) for s in sessions)
    by_session = dict(Evaluation.objects.filter(session__in=sessions).values_list("session_id", "pk"))
    uuid_value = str if connection.vendor == "postgresql" else (lambda u: u.hex)
    responses, answers, votes, comments = [], [], [], []
    qualities = [4.4, 3.2, 4.1, 4.3, 3.9, 4.5, 4.0]
    for index, session in enumerate(sessions):
        quality = qualities[index % len(qualities)]
        for _ in range(max(3, round(session.attended * rng.uniform(0.75, 0.95)))):
            response, sheet = _answer_sheet(rng, quality, by_session[session.pk], weights, params, uuid_value)
            responses.append(response)
            answers.extend(sheet)
            votes.append((by_session[session.pk], uuid.UUID(int=rng.getrandbits(128)).hex * 2))
        text = "案例再多一些，最好结合本县的实际课例。" if quality < 3.5 else "授课技巧讲得实用，回去就能用。"
        comments.append(Comment(evaluation_id=by_session[session.pk], text=text, state=Comment.State.PRIVATE))
    _insert(Response, RESPONSE_COLUMNS, responses)
    _insert(Answer, ["response_id", "indicator_id", "value"], answers)
    _insert(DeviceVote, ["evaluation_id", "device_hash"], votes)
    Comment.objects.bulk_create(comments)
    result_services.session_results_compute(evaluation_ids=list(by_session.values()))
    return len(responses)


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs: a year of answers is millions of rows, where bulk_create's per-object work shows."""
    if not rows:
        return
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, f"INSERT INTO {table} ({names}) VALUES %s", rows, page_size=BATCH)
        else:
            marks = ", ".join(["?"] * len(columns))
            rows = [tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in rows]
            cursor.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
