"""Province-scale demo answers generated inside PostgreSQL (``seed_demo --scale province``).

Millions of answer rows do not go through Python: one INSERT … SELECT per table builds them from
``generate_series`` with PostgreSQL's own random numbers (seeded with ``setseed``, so a load is repeatable on the
same data), following the city loader's model (``demo._answer_sheet``): a quality per course, each trainee near
it, a few who skip items or rush through with every item equal, satisfaction from the trainee's mean, about one
answer sheet for every two or three people present. Named raters come with their score only (no per-indicator
rows). The figures then go through the portal's own services, exactly as at city scale.
"""

from __future__ import annotations

import time

from django.db import DatabaseError, connection, transaction

from config.demo.evaluations import COURSE_QUALITIES, WEAK_QUALITIES
from evaluations.models import Indicator
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from instructors.models import User

# A gaussian-looking N(0, sd) from three uniforms (variance 3/12): cheap inside a 30-million-row SELECT.
NOISE = "((random() + random() + random() - 1.5) * 2 * {sd})"
# The city loader's distribution (demo.COURSE_QUALITIES, 4 % weak courses): 48 good or borderline, 2 weak.
_QUALITY_LIST = [*(COURSE_QUALITIES * 3)[:48], *WEAK_QUALITIES[1:]]
QUALITIES = "ARRAY[" + ", ".join(f"{q:g}" for q in _QUALITY_LIST) + "]"


def seed_sql(*, lecture_filter: str, seed: int, stdout=None) -> dict:
    """Evaluations, answer sheets, answers, device votes and named raters for the delivered lectures that match
    ``lecture_filter`` (SQL on alias ``l``) and have no evaluation yet. Returns counts."""
    params = survey_services.scoring_current()
    system = survey_services.indicator_system_current()
    weights = list(Indicator.objects.filter(dimension__system=system).values_list("pk", "weight"))
    organizer = User.objects.filter(role=User.Role.ORGANIZER).order_by("pk").values_list("pk", flat=True).first()
    experts = list(User.objects.filter(role=User.Role.JUDGE).order_by("pk").values_list("pk", flat=True)) or [None]
    min_weight = params.value("min_answered_weight")
    step = params.value("trainee_points_per_step")
    window = params.value("window_hours")
    counts: dict[str, int] = {}

    def run(label: str, sql: str, args: list | None = None) -> int:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(sql, args if args else None)  # no parameters: a literal % stays a modulo
            n = cursor.rowcount
        if stdout:
            stdout.write(
                f"      其他城市（SQL 生成）：{label} {max(n, 0):,} 行，用时 {time.monotonic() - started:.1f} 秒"
            )
        return n

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 1000) / 1000])
        # The rows are consistent by construction: where the database lets us (a superuser), skip the 20 million
        # deferred foreign-key checks that would otherwise all run at COMMIT (minutes). Elsewhere they run.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            pass
        with connection.cursor() as cursor:  # left over when an outer transaction is still open
            cursor.execute("DROP TABLE IF EXISTS demo_eval, demo_sheet, demo_answer")
        run(
            "测评",
            f"""
            INSERT INTO evaluations_evaluation
                (lecture_id, session_id, system_id, scoring_id, link_secret, opens_at, closes_at, opened_by_id,
                 created_at, device_salt, poster_link_open)
            SELECT l.id, NULL, %s, %s, md5(l.id::text || random()::text), l.start,
                   l.start + make_interval(hours => %s), NULL, now(),
                   CASE WHEN l.start + make_interval(hours => %s) > now()
                        THEN md5(random()::text) || md5(random()::text) ELSE '' END, true
            FROM outreach_lecture l JOIN instructors_region c ON c.id = l.county_id
            WHERE l.status IN ('delivered', 'closed') AND ({lecture_filter})
              AND NOT EXISTS (SELECT 1 FROM evaluations_evaluation e WHERE e.lecture_id = l.id)
            """,
            [system.pk, params.pk, window, window],
        )
        run(
            "待生成答卷的测评",
            """
            CREATE TEMP TABLE demo_eval ON COMMIT DROP AS
            SELECT e.id AS evaluation_id, l.course_id, coalesce(l.audience_actual, 40) AS audience,
                   ("""
            + QUALITIES
            + f""")[1 + (l.course_id * 7919) % {len(_QUALITY_LIST)}] AS quality
            FROM evaluations_evaluation e JOIN outreach_lecture l ON l.id = e.lecture_id
            WHERE NOT EXISTS (SELECT 1 FROM evaluations_response r WHERE r.evaluation_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM evaluations_raterassignment a WHERE a.evaluation_id = e.id)
              AND e.lecture_id IS NOT NULL
            """,
        )
        # One row per answer sheet: who answered (a "person" level near the course's quality), and how.
        run(
            "答卷（临时表）",
            f"""
            CREATE TEMP TABLE demo_sheet ON COMMIT DROP AS
            SELECT gen_random_uuid() AS id, d.evaluation_id, d.quality + {NOISE.format(sd=0.5)} AS person,
                   random() < 0.05 AS skipper, random() < 0.03 AS rusher
            FROM demo_eval d
            CROSS JOIN LATERAL generate_series(1, greatest(3, floor(d.audience * (0.38 + 0.26 * random()))::int)) g
            """,
        )
        indicator_values = ", ".join(f"({pk}, {float(w)})" for pk, w in weights)
        run(
            "逐项答案（临时表）",
            f"""
            CREATE TEMP TABLE demo_answer ON COMMIT DROP AS
            SELECT s.id AS response_id, i.id AS indicator_id, i.weight,
                   CASE WHEN s.rusher THEN 5
                        ELSE least(5, greatest(1, round(s.person + {NOISE.format(sd=0.55)})))::int END AS value
            FROM demo_sheet s CROSS JOIN (VALUES {indicator_values}) AS i(id, weight)
            -- i.id in the condition keeps the planner from pushing it below the join (one draw per item, not per
            -- sheet: pushed down, a skipper would lose every item at once).
            WHERE NOT (s.skipper AND random() < 0.45 + 0 * i.id)
            """,
        )
        counts["responses"] = run(
            "学员答卷",
            """
            INSERT INTO evaluations_response
                (id, evaluation_id, satisfaction, score, answered_weight, valid, dropped_reason, uniform)
            SELECT s.id, s.evaluation_id,
                   CASE WHEN a.mean_step >= 4.3 THEN 4 WHEN a.mean_step >= 3.4 THEN 3
                        WHEN a.mean_step >= 2.6 THEN 2 ELSE 1 END,
                   CASE WHEN a.weight >= %(min)s AND NOT s.rusher
                        THEN round(a.weighted / a.weight * %(step)s, 2) END,
                   round(a.weight, 4),
                   a.weight >= %(min)s AND NOT s.rusher,
                   CASE WHEN s.rusher THEN 'speeder' WHEN a.weight < %(min)s THEN 'too_little' ELSE '' END,
                   a.lowest = a.highest
            FROM demo_sheet s JOIN (
                SELECT response_id, sum(weight) AS weight, sum(weight * value) AS weighted,
                       avg(value) AS mean_step, min(value) AS lowest, max(value) AS highest
                FROM demo_answer GROUP BY response_id
            ) a ON a.response_id = s.id
            """,
            {"min": min_weight - 1e-9, "step": step},
        )
        counts["answers"] = run(
            "逐项答案",
            "INSERT INTO evaluations_answer (response_id, indicator_id, value) "
            "SELECT a.response_id, a.indicator_id, a.value FROM demo_answer a "
            "WHERE EXISTS (SELECT 1 FROM evaluations_response r WHERE r.id = a.response_id)",
        )
        run(
            "设备记录",
            "INSERT INTO evaluations_devicevote (evaluation_id, device_hash) "
            "SELECT s.evaluation_id, md5(s.id::text) || md5(random()::text) FROM demo_sheet s "
            "JOIN evaluations_response r ON r.id = s.id",
        )
        # Named raters, as at city scale: the host organizer usually, a representative often, an expert or a
        # media observer sometimes; each scores near the course's quality.
        rater = f"round(least(100, greatest(0, d.quality * 20 + {NOISE.format(sd=7)}))::numeric, 3)"
        counts["raters"] = run(
            "实名评价人",
            f"""
            INSERT INTO evaluations_raterassignment
                (evaluation_id, role, user_id, name, token, assigned_by_id, submitted_at, score)
            SELECT d.evaluation_id, r.role, r.user_id, r.name,
                   substr(md5(random()::text) || md5(random()::text), 1, 43), NULL, e.opens_at + interval '2 hours',
                   {rater}
            FROM demo_eval d JOIN evaluations_evaluation e ON e.id = d.evaluation_id
            CROSS JOIN LATERAL (
                SELECT 'organizer' AS role, %(organizer)s::bigint AS user_id, '' AS name, 0.95 AS share
                UNION ALL SELECT 'grassroots', NULL, '党员代表 刘阿姨', 0.9
                UNION ALL SELECT 'expert', (%(experts)s::bigint[])[1 + (d.evaluation_id %% %(n_experts)s)], '', 0.4
                UNION ALL SELECT 'media', NULL, '嘉陵日报 观察员', 0.1
            ) r
            WHERE random() < r.share AND (r.role IN ('grassroots', 'media') OR r.user_id IS NOT NULL)
            """,
            {"organizer": organizer, "experts": experts, "n_experts": len(experts)},
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT evaluation_id FROM demo_eval ORDER BY evaluation_id")
            counts["evaluations"] = len(ids := [row[0] for row in cursor.fetchall()])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE evaluations_response; ANALYZE evaluations_answer; ANALYZE evaluations_raterassignment")
    started = time.monotonic()
    for start in range(0, len(ids), 5000):
        result_services.results_compute(evaluation_ids=ids[start : start + 5000])
    if stdout:
        stdout.write(f"      其他城市（SQL 生成）：测评结果 {len(ids):,} 场，用时 {time.monotonic() - started:.1f} 秒")
    return counts
