#!/usr/bin/env python
"""Benchmark of the portal's pages at province scale (see BENCHMARKS.md). Not a test: it measures and reports.

    make bench                      # province scale on PostgreSQL (database djsz_bench, built once, then reused)
    make bench BENCH_ARGS=--quick   # city scale, fewer repetitions
    make bench BENCH_ARGS="--quick --sqlite"   # city scale on the embedded default (SQLite, no Redis)
    make bench BENCH_ARGS=--fresh-clone        # a fresh clone of this repository: `make run` until the first 200
    make bench BENCH_ARGS=--analysis           # lecture analysis of a 45-minute recording (scripts/bench_analysis.py)

Each table is written to BENCHMARKS.md as soon as it is measured; a phase that fails is listed under "Missing" with
its reason, and the run goes on.

Each page is requested in-process through Django's test client as a logged-in user; the server time is the
time Django spends on the request (no network). Every figure is the median and p95 of repeated runs, beside its
anchor measured in the same run (Django admin's changelist for the same model and filter).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def _ensure_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


class Report:
    """This run's block of BENCHMARKS.md, rewritten after every table: a crash later loses nothing measured."""

    def __init__(self, key: str, header: str, *, write: bool) -> None:
        self.key, self.header, self.write = key, header, write
        self.tables: list[str] = []
        self.missing: list[str] = []

    def add(self, table: str) -> None:
        self.tables.append(table)
        print(table, flush=True)
        self.flush()

    def miss(self, what: str, why: BaseException | str) -> None:
        if isinstance(why, str):
            reason = why
        else:
            lines = str(why).strip().splitlines()
            reason = f"{type(why).__name__}: {lines[-1] if lines else ''}"
        self.missing.append(f"- {what}: {reason}")
        print(f"MISSING {what}: {reason}", file=sys.stderr, flush=True)
        self.flush()

    def text(self) -> str:
        parts = [self.header, *self.tables]
        if self.missing:
            parts.append(
                "Missing from this run (the phase failed; the figures above it stand):\n\n" + "\n".join(self.missing)
            )
        return "\n\n".join(parts)

    def flush(self) -> None:
        if self.write:
            _write(self.text(), self.key)


def _timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="city scale, fewer repetitions")
    parser.add_argument("--sqlite", action="store_true", help="the embedded default: SQLite and no Redis")
    parser.add_argument("--fresh-clone", action="store_true", help="only: fresh clone → `make run` → first 200")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="print the tables, do not update BENCHMARKS.md")
    parser.add_argument("--analysis", action="store_true", help="lecture analysis speed and memory only")
    args = parser.parse_args()
    if args.analysis:
        import bench_analysis

        print(bench_analysis.run(write=not args.no_write))
        return
    if args.fresh_clone:
        import bench_clone

        bench_clone.run(write=not args.no_write, writer=_write)
        return
    scale = "city" if args.quick else "province"
    repeat = args.repeat or (5 if args.quick else 20)
    key = f"{scale}-sqlite" if args.sqlite else scale
    if args.sqlite:
        for name in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(name, None)
        os.environ["VAR_DIR"] = os.environ.get("BENCH_VAR_DIR", str(ROOT / "var" / f"bench-sqlite-{scale}"))
        database = "SQLite"
    else:
        url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/djsz_bench_{scale}")
        os.environ["DATABASE_URL"] = url
        _ensure_database(url)
        # gunicorn's Celery worker and the sessions' cache: Redis (a database of the benchmark's own).
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
        database = "PostgreSQL"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production-like: DEBUG off (cached templates, hashed static files), no HTTPS redirect for the test client.
    os.environ.update(
        {"DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 60, "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "testserver"}
    )
    env = {**os.environ}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--scale", scale], cwd=ROOT, env=env, check=True)
    load_seconds = time.monotonic() - started

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from instructors.models import Instructor, User
    from outreach import tasks as outreach_tasks

    # What the worker does at start (and every 5 minutes): the yearly outreach figures the dashboards read.
    started = time.monotonic()
    outreach_tasks.coverage_figures_repair_task()
    figures_seconds = time.monotonic() - started

    settings.ALLOWED_HOSTS = ["*"]
    admin = User.objects.get(username="admin")
    organizer = User.objects.get(username="organizer")
    client = Client()
    rows = []
    header = (
        f"Run: {time.strftime('%Y-%m-%d %H:%M')} · scale `{scale}` ({Instructor.objects.count():,} instructors) · "
        f"{os.cpu_count()} cores, {_memory()} · Python {platform.python_version()}, Django {django.get_version()}, "
        f"{database} · {repeat} requests per figure · demo data load {load_seconds:.0f} s · "
        f"yearly outreach figures kept by the worker: first computation {figures_seconds:.1f} s · "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )
    report = Report(key, header, write=not args.no_write)

    def measure(label: str, user, url: str, anchor_url: str | None = None, anchor_user=None) -> None:
        try:
            client.force_login(user)
            client.get(url)  # warm caches and connections
            median, p95, queries = _timed(client, url, repeat)
            anchor = ""
            ratio = ""
            if anchor_url:
                client.force_login(anchor_user or admin)
                client.get(anchor_url)
                a_median, a_p95, _a_queries = _timed(client, anchor_url, repeat)
                anchor = f"{a_median:.1f} / {a_p95:.1f}"
                ratio = f"{median / a_median:.2f}×"
        except Exception as exc:  # noqa: BLE001 - the run goes on; the page is listed as missing
            report.miss(label, exc)
            return
        rows.append((label, f"{median:.1f} / {p95:.1f}", queries, anchor, ratio))

    instructor_user = User.objects.get(username="instructor")
    settings.ROOT_URLCONF = "bench_urls"
    from django.urls import clear_url_caches

    clear_url_caches()
    bare = "/__bench__/bare/"
    measure(
        "Instructor list, filter tier=county&status=active (organizer, city scope)",
        organizer,
        "/instructors/?tier=county&status=active",
        "/admin/instructors/instructor/?tier__exact=county&status__exact=active",
    )
    measure(
        "Instructor list, search `zs` (organizer)",
        organizer,
        "/instructors/?q=zs",
        "/admin/instructors/instructor/?q=zs",
    )
    some = Instructor.objects.filter(region__path__startswith=organizer.region.path).order_by("pk").first()
    measure("Instructor profile", organizer, f"/instructors/{some.pk}/", bare, anchor_user=organizer)
    measure("Course list (organizer)", organizer, "/courses/", "/admin/courses/course/")
    measure("我的评价 (instructor)", instructor_user, "/evaluations/mine/", bare, anchor_user=instructor_user)
    measure(
        "Organizer results, red flags",
        organizer,
        "/evaluations/?flag=red",
        "/admin/evaluations/lectureresult/?flag__exact=red",
    )
    measure("Outreach dashboard (organizer)", organizer, "/outreach/", bare, anchor_user=organizer)
    measure("Annual report (organizer)", organizer, "/outreach/report/", bare, anchor_user=organizer)
    measure("Outreach dashboard (administrator, everything)", admin, "/outreach/", bare, anchor_user=admin)
    measure("Home page (organizer)", organizer, "/", bare, anchor_user=organizer)
    report.add(
        "| Page | server time ms (median / p95) | SQL queries | anchor ms (median / p95): admin changelist for lists, "
        "bare view with the base template otherwise | ratio |\n|---|---|---|---|---|\n"
        + "\n".join(f"| {r[0]} | {r[1]} | {r[2]} | {r[3] or '—'} | {r[4] or '—'} |" for r in rows)
    )
    try:
        review_rows = _bench_review(repeat=3 if args.quick else 5)
        import bench_import

        review_rows += bench_import.run(organizer, repeat=1 if args.quick else 3)
    except Exception as exc:  # noqa: BLE001
        report.miss("Computation table (review cycle, competition ranking, import check)", exc)
    else:
        report.add(
            "| Computation | median / p95 | anchor (same run) | ratio | note |\n|---|---|---|---|---|\n"
            + "\n".join(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |" for r in review_rows)
        )
    import bench_http

    http_rows: list[tuple] = []

    def http_table() -> str:
        head = "| Under load (HTTP, gunicorn) | figure | anchor (same run) | ratio | note |\n|---|---|---|---|---|\n"
        return head + "\n".join(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |" for r in http_rows)

    def http_row(row: tuple) -> None:
        """Each HTTP figure is written as soon as it is measured."""
        http_rows.append(row)
        if len(http_rows) == 1:
            report.add(http_table())
        else:
            report.tables[-1] = http_table()
            print(f"| {' | '.join(str(v) for v in row)} |", flush=True)
            report.flush()

    bench_http.run(env, password="demo12345", emit=http_row, miss=report.miss)


def _bench_review(repeat: int) -> list[tuple]:
    """Time a full review cycle of the whole province beside one hand-written SQL aggregate of the same figures."""
    import datetime as dt
    import resource

    from django.db import connection
    from django.utils import timezone

    from evaluations.competition import services as competition_services
    from evaluations.models import ReviewCycle, ReviewProposal
    from evaluations.review import run as review_run
    from instructors.models import Region

    province = Region.objects.get(level=Region.Level.PROVINCE)
    year = timezone.localdate().year
    cycle, _ = ReviewCycle.objects.get_or_create(
        region=province,
        kind="annual",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        defaults={"due_at": timezone.now()},
    )
    times, anchor = [], []
    for _ in range(repeat):
        ReviewProposal.objects.filter(cycle=cycle).delete()
        ReviewCycle.objects.filter(pk=cycle.pk).update(status="pending")
        started = time.perf_counter()
        written = review_run.review_cycle_run(cycle_id=cycle.pk)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.id, count(l.id), coalesce(sum(l.hours), 0), avg(r.score), avg(r.sr),
                       count(r.id) FILTER (WHERE r.flag = 'red')
                FROM instructors_instructor i
                LEFT JOIN outreach_lecture l ON l.instructor_id = i.id AND l.status IN ('delivered', 'closed')
                     AND l.start >= %s AND l.start < %s
                LEFT JOIN evaluations_lectureresult r ON r.lecture_id = l.id AND NOT r.insufficient
                GROUP BY i.id
                """,
                [dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)],
            )
            cursor.fetchall()
        anchor.append(time.perf_counter() - started)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        (
            f"Full annual review of the whole pool ({written:,} proposals)",
            f"{statistics.median(times):.2f} s / {max(times):.2f} s",
            f"{statistics.median(anchor):.2f} s (one SQL aggregate)",
            f"{statistics.median(times) / statistics.median(anchor):.1f}×",
            f"peak RSS of the benchmark process {rss_mb:.0f} MB",
        )
    ]
    big = _big_competition()
    ranked_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        entries = competition_services.competition_rank(competition_id=big.pk)
        ranked_times.append(time.perf_counter() - started)
    rows.append(
        (
            f"Competition ranking ({entries} entries × 9 judges × 3 criteria, judges on different subsets)",
            f"{statistics.median(ranked_times) * 1000:.0f} ms / {max(ranked_times) * 1000:.0f} ms",
            "—",
            "—",
            "trimmed means, judge normalisation, parts, tie-breaks and flags, written in one transaction",
        )
    )
    return rows


def _big_competition():
    """A final with 200 entries and 9 judges (each judge scores about 90 % of the entries), made once."""
    import datetime as dt
    import random

    from django.utils import timezone

    from courses.models import Course
    from evaluations.models import Competition, Entry, JudgeAssignment, JudgeScore
    from instructors.models import Region, TeachingGroup, User

    name = "基准测试：200 个参赛课程、9 名评委"
    found = Competition.objects.filter(name=name).first()
    if found:
        return found
    rng = random.Random(7)
    today = timezone.localdate()
    competition = Competition.objects.create(
        name=name,
        year=today.year,
        region=Region.objects.get(level=Region.Level.PROVINCE),
        phase=Competition.Phase.FINAL,
        registration_ends=today - dt.timedelta(days=30),
        preliminary_ends=today - dt.timedelta(days=15),
        final_ends=today + dt.timedelta(days=15),
        publicity_ends=today + dt.timedelta(days=30),
    )
    groups = list(TeachingGroup.objects.order_by("pk"))
    courses = list(Course.objects.filter(lead_instructor__isnull=False).order_by("pk")[:200])
    entries = Entry.objects.bulk_create(
        Entry(competition=competition, course=c, group=groups[n % len(groups)], number=n + 1)
        for n, c in enumerate(courses)
    )
    Entry.instructors.through.objects.bulk_create(
        Entry.instructors.through(entry_id=e.pk, instructor_id=c.lead_instructor_id)
        for e, c in zip(entries, courses, strict=True)
    )
    judges = []
    for n in range(9):
        judge, _ = User.objects.get_or_create(username=f"bench-judge{n}", defaults={"role": User.Role.JUDGE})
        judges.append(judge)
    quality = {e.pk: rng.uniform(70, 92) for e in entries}
    assignments = JudgeAssignment.objects.bulk_create(
        JudgeAssignment(competition=competition, entry=e, judge=j, submitted_at=timezone.now())
        for e in entries
        for j in judges
        if rng.random() < 0.9
    )
    leniency = {j.pk: rng.gauss(0, 4) for j in judges}
    JudgeScore.objects.bulk_create(
        JudgeScore(
            assignment=a,
            criterion=criterion,
            value=round(min(100, max(0, quality[a.entry_id] + leniency[a.judge_id] + rng.gauss(0, 3))), 2),
        )
        for a in assignments
        for criterion in JudgeScore.Criterion.values
    )
    return competition


def _memory() -> str:
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        return f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        return "unknown memory"


def _write(table: str, scale: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start, end = f"<!-- bench:{scale}:start -->", f"<!-- bench:{scale}:end -->"
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + f"\n\n## Latest run ({scale})\n\n{block}\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
