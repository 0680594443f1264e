"""Demo data for evaluations: anonymous trainee answers for the delivered lectures, named raters, comments, results.

Deterministic and idempotent (lectures that already have an evaluation are skipped). Rows are written with
bulk inserts; results are computed by the same service the portal uses, so the demo shows real computations.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from config.demo.instructors import demo_password_hash
from courses.models import TrainingSession
from evaluations import scoring
from evaluations.models import (
    Answer,
    Comment,
    DeviceVote,
    Evaluation,
    Indicator,
    RaterAnswer,
    RaterAssignment,
    Response,
    ResultAction,
)
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from instructors.models import User
from outreach.models import Lecture

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
        user.password = demo_password_hash()
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
    lectures = list(city_lectures.select_related("course", "instructor__user", "county").order_by("pk"))
    if scale == "province":
        if connection.vendor == "postgresql":
            # The other twelve cities: ~3,000,000 answer sheets, generated inside PostgreSQL (demo_sql.py).
            from config.demo.evaluations_sql import seed_sql

            counts = seed_sql(lecture_filter="c.path NOT LIKE '51/5111/%%'", seed=seed, stdout=stdout)
            if stdout:
                stdout.write(
                    f"      其他城市（SQL 生成）共：测评 {counts['evaluations']:,} 场，"
                    f"学员答卷 {counts['responses']:,} 份，逐项答案 {counts['answers']:,} 条，"
                    f"实名评价 {counts['raters']:,} 条"
                )
        else:
            lectures = list(
                Lecture.objects.filter(status__in=Lecture.DONE, evaluation__isnull=True)
                .select_related("course", "instructor__user", "county")
                .order_by("pk")
            )
    training = seed_training(seed=seed)
    if stdout and training:
        stdout.write(f"      培训班测评答卷 {training:,} 份")
    if not lectures:
        _settle_old_consequences()
        for year in Lecture.objects.filter(status__in=Lecture.DONE).dates("start", "year"):
            result_services.instructors_quality_refresh(year=year.year)
        return {"answers": 0}
    experts = _experts()
    organizers = list(User.objects.filter(role=User.Role.ORGANIZER).order_by("pk"))
    # Course quality: most courses are good, a few weak ones give red and yellow flags to work with.
    course_quality: dict[int, float] = {}
    thin = _edge_cases(lectures, course_quality)
    total = 0
    # One transaction: an interrupted load leaves no lecture with an evaluation but no answers (a second run skips
    # lectures that have one).
    with transaction.atomic(), _staging() as staging:
        for start in range(0, len(lectures), 500):
            chunk = lectures[start : start + 500]
            total += _chunk(chunk, rng, params, system, weights, course_quality, experts, organizers, thin, staging)
            done = start + len(chunk)
            if stdout and (done % 2000 == 0 or done == len(lectures)):
                stdout.write(f"      答卷：{done:,} / {len(lectures):,} 场宣讲，{total:,} 份……")
        if staging and stdout:
            stdout.write(f"      答卷写入数据库（{total:,} 份，按编号排序）……")
    evaluation_ids = list(Evaluation.objects.filter(lecture__in=lectures).values_list("pk", flat=True))
    for start in range(0, len(evaluation_ids), 2000):
        result_services.results_compute(evaluation_ids=evaluation_ids[start : start + 2000])
        if stdout:
            done = min(start + 2000, len(evaluation_ids))
            stdout.write(f"      测评结果：{done:,} / {len(evaluation_ids):,} 场宣讲……")
    _settle_old_consequences()
    years = {timezone.localtime(lecture.start).year for lecture in lectures}
    if scale == "province":
        years |= {d.year for d in Lecture.objects.filter(status__in=Lecture.DONE).dates("start", "year")}
    for year in years:
        result_services.instructors_quality_refresh(year=year)
    if stdout:
        stdout.write(f"      已测评宣讲 {len(evaluation_ids):,} 场，学员答卷 {total:,} 份")
    return {"answers": total}


# A city proud of its pool: most courses are good (satisfaction well above 85 %), a few are borderline (some
# yellow flags) and two or three in a hundred are weak (red flags). Drawn once per course.
COURSE_QUALITIES = [4.6, 4.5, 4.5, 4.4, 4.4, 4.4, 4.3, 4.3, 4.3, 4.3, 4.3, 4.2, 4.2, 4.2, 4.2, 4.1, 4.1, 4.1, 4.05, 4.0]
WEAK_QUALITIES = [3.9, 3.7, 3.4]
DEMO_INSTRUCTOR_QUALITY = 4.45


def _course_quality(rng: random.Random) -> float:
    return rng.choice(WEAK_QUALITIES) if rng.random() < 0.04 else rng.choice(COURSE_QUALITIES)


def _edge_cases(lectures: list[Lecture], course_quality: dict[int, float]) -> set[int]:
    """The demo instructor (login ``instructor``) teaches good courses; their latest lecture got only five answer
    sheets, so 我的评价 shows an insufficient lecture (还需 3 份有效问卷). Returns the lectures kept thin."""
    mine = [
        lecture
        for lecture in lectures
        if lecture.instructor.user_id and lecture.instructor.user.username == "instructor"
    ]
    for lecture in mine:
        course_quality.setdefault(lecture.course_id, DEMO_INSTRUCTOR_QUALITY)
    return {max(mine, key=lambda lecture: lecture.start).pk} if mine else set()


def _settle_old_consequences() -> None:
    """Consequences of results older than 45 days were dealt with at the time (retraining confirmed, the rest
    dismissed after follow-up), so the organizer's list holds what is pending now, not years of history."""
    organizer = (
        User.objects.filter(username="organizer").first() or User.objects.filter(role=User.Role.ORGANIZER).first()
    )
    if organizer is None:
        return
    old = ResultAction.objects.filter(
        status=ResultAction.Status.PROPOSED, result__lecture__start__lt=timezone.now() - dt.timedelta(days=45)
    )
    now = timezone.now()
    old.filter(kind=ResultAction.Kind.RETRAIN).update(
        status=ResultAction.Status.CONFIRMED, decided_by=organizer, decided_at=now, decision_reason="已安排回炉培训"
    )
    old.update(
        status=ResultAction.Status.DISMISSED,
        decided_by=organizer,
        decided_at=now,
        decision_reason="已跟踪反馈，当期处理完毕",
    )


def _evaluation(system, params, starts_at, **subject) -> Evaluation:
    """An unsaved evaluation of a lecture or a session, open from its start for the settings' window."""
    window = dt.timedelta(hours=params.value("window_hours"))
    return Evaluation(**subject, system=system, scoring=params, opens_at=starts_at, closes_at=starts_at + window)


@contextmanager
def _staging() -> Iterator[dict | None]:
    """SQLite: the answer sheets and their answers go first into two unindexed temporary tables, then into the real
    ones in key order in one statement each at the end. Their keys are random (UUIDs), so inserting them as they
    are drawn splits index pages all over two 100 MB indexes; in key order SQLite appends: half the CPU of the step.
    PostgreSQL (province scale) inserts directly (None)."""
    if connection.vendor != "sqlite":
        yield None
        return
    response_columns = ", ".join(RESPONSE_COLUMNS)
    tables = {Response: "temp.demo_response", Answer: "temp.demo_answer"}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS temp.demo_response")
        cursor.execute("DROP TABLE IF EXISTS temp.demo_answer")
        cursor.execute(f"CREATE TEMP TABLE demo_response ({response_columns})")
        cursor.execute(f"CREATE TEMP TABLE demo_answer ({', '.join(ANSWER_COLUMNS)})")
    try:
        yield tables
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Response._meta.db_table} ({response_columns}) "
                f"SELECT {response_columns} FROM temp.demo_response ORDER BY id"
            )
            answer_columns = ", ".join(ANSWER_COLUMNS)
            cursor.execute(
                f"INSERT INTO {Answer._meta.db_table} ({answer_columns}) "
                f"SELECT {answer_columns} FROM temp.demo_answer ORDER BY response_id, indicator_id"
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS temp.demo_response")
            cursor.execute("DROP TABLE IF EXISTS temp.demo_answer")


@transaction.atomic
def _chunk(
    chunk, rng, params, system, weights, course_quality, experts, organizers, thin=frozenset(), staging=None
) -> int:
    Evaluation.objects.bulk_create(_evaluation(system, params, lecture.start, lecture=lecture) for lecture in chunk)
    evaluations = list(Evaluation.objects.filter(lecture__in=chunk).order_by("pk"))
    by_pk = {lecture.pk: lecture for lecture in chunk}
    uuid_value = str if connection.vendor == "postgresql" else (lambda u: u.hex)
    responses, answers, votes, comments, assignments = [], [], [], [], []
    indicator_ids = list(weights)
    for evaluation in evaluations:
        lecture = by_pk[evaluation.lecture_id]
        if lecture.course_id not in course_quality:
            course_quality[lecture.course_id] = _course_quality(rng)
        quality = course_quality[lecture.course_id]
        audience = lecture.audience_actual or 40
        count = 5 if lecture.pk in thin else max(3, int(audience * rng.uniform(0.6, 1.0)))
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
        if organizers and rng.random() < 0.95:
            assignments.append((evaluation, "organizer", organizers[0], ""))
        if rng.random() < 0.9:
            name = rng.choice(["村民代表 王大爷", "党员代表 刘阿姨", "社区群众代表 陈先生"])
            assignments.append((evaluation, "grassroots", None, name))
        if rng.random() < 0.4:
            for expert in rng.sample(experts, rng.choice([1, 2, 3])):
                assignments.append((evaluation, "expert", expert, ""))
        if rng.random() < 0.1:
            assignments.append((evaluation, "media", None, "嘉州日报 观察员"))
    staging = staging or {}
    _insert(Response, RESPONSE_COLUMNS, responses, table=staging.get(Response))
    _insert(Answer, ANSWER_COLUMNS, answers, table=staging.get(Answer))
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
    # Scores are computed before the insert (in creation order, so the random draws are those of the earlier
    # insert-then-update) and the answers go in as plain rows: one INSERT pass instead of a re-read and an UPDATE.
    rater_values = []
    gauss = rng.gauss
    for assignment in rater_rows:
        base = course_quality[by_pk[assignment.evaluation.lecture_id].course_id] * 20 + gauss(0, 6)
        values = {pk: max(0, min(100, round(base + gauss(0, 5)))) for pk in indicator_ids}  # whole points
        assignment.score = scoring.q2(scoring.response_score(values, weights, min_weight=0).score)
        rater_values.append(values)
    RaterAssignment.objects.bulk_create(rater_rows, batch_size=BATCH)
    rater_answers = [
        (assignment.pk, k, v)
        for assignment, values in zip(rater_rows, rater_values, strict=True)
        for k, v in values.items()
    ]
    _insert(RaterAnswer, ["assignment_id", "indicator_id", "value"], rater_answers)
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
    # Decimals as text: what SQLite stores for a DecimalField (sqlite3 cannot bind a Decimal); PostgreSQL casts it.
    score = str(scoring.q2(result.score)) if valid else None
    dropped = "" if valid else ("speeder" if speeder else result.reason)
    weight = str(round(result.answered_weight, 4))
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
ANSWER_COLUMNS = ["response_id", "indicator_id", "value"]


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
    _insert(Answer, ANSWER_COLUMNS, answers)
    _insert(DeviceVote, ["evaluation_id", "device_hash"], votes)
    Comment.objects.bulk_create(comments)
    result_services.session_results_compute(evaluation_ids=list(by_session.values()))
    return len(responses)


def _insert(model, columns: list[str], rows: list[tuple], *, table: str | None = None) -> None:
    """Plain multi-row INSERTs: a year of answers is millions of rows, where bulk_create's per-object work shows.
    Values go to the driver as they are (decimals as text). ``table``: a staging table with the same columns
    instead of the model's (see ``_staging``)."""
    if not rows:
        return
    table = table or model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, f"INSERT INTO {table} ({names}) VALUES %s", rows, page_size=BATCH)
        else:
            marks = ", ".join(["?"] * len(columns))
            cursor.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
