#!/usr/bin/env python
"""Benchmark of the portal's pages at province scale (see BENCHMARKS.md). Not a test: it measures and reports.

    make bench                      # province scale on PostgreSQL (database djsz_bench, built once, then reused)
    make bench BENCH_ARGS=--quick   # city scale, fewer repetitions

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
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="print the table, do not update BENCHMARKS.md")
    args = parser.parse_args()
    scale = "city" if args.quick else "province"
    repeat = args.repeat or (5 if args.quick else 20)
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/djsz_bench_{scale}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _ensure_database(url)
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

    settings.ALLOWED_HOSTS = ["*"]
    admin = User.objects.get(username="admin")
    organizer = User.objects.get(username="organizer")
    client = Client()
    rows = []

    def measure(label: str, user, url: str, anchor_url: str | None = None) -> None:
        client.force_login(user)
        client.get(url)  # warm caches and connections
        median, p95, queries = _timed(client, url, repeat)
        anchor = ""
        ratio = ""
        if anchor_url:
            client.force_login(admin)
            client.get(anchor_url)
            a_median, a_p95, _a_queries = _timed(client, anchor_url, repeat)
            anchor = f"{a_median:.1f} / {a_p95:.1f}"
            ratio = f"{median / a_median:.2f}×"
        rows.append((label, f"{median:.1f} / {p95:.1f}", queries, anchor, ratio))

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
    measure("Instructor profile", organizer, f"/instructors/{some.pk}/")
    measure("Home page (organizer)", organizer, "/")

    import django as dj

    header = [
        f"Run: {time.strftime('%Y-%m-%d %H:%M')} · scale `{scale}` ({Instructor.objects.count():,} instructors) · "
        f"{os.cpu_count()} cores, {_memory()} · Python {platform.python_version()}, Django {dj.get_version()}, "
        f"PostgreSQL · {repeat} requests per figure · demo data load {load_seconds:.0f} s",
        "",
        "| Page | server time ms (median / p95) | SQL queries | anchor: Django admin changelist ms (median / p95) | ratio |",
        "|---|---|---|---|---|",
    ]
    table = "\n".join(header + [f"| {r[0]} | {r[1]} | {r[2]} | {r[3] or '—'} | {r[4] or '—'} |" for r in rows])
    print(table)
    if not args.no_write:
        _write(table, scale)


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
