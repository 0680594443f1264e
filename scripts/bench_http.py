"""The HTTP part of the benchmark: gunicorn and a Celery worker on Redis, the 300-phone QR burst, throughput of
我的评价 under concurrent load (wrk when installed, else Python threads), and peak memory of a web worker and of the
review task. Each figure beside its anchor measured the same way in the same run."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHONES = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class Stack:
    """gunicorn (production config) and one Celery worker, on the benchmark database and a Redis database."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        import requests

        self.log_dir.mkdir(parents=True, exist_ok=True)
        argv = {
            "web": ["gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}", "config.wsgi"],
            "worker": ["celery", "-A", "config", "worker", "-c", "1", "-l", "warning", "--without-mingle"],
        }
        for name, args in argv.items():
            out = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", *args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.base}/readyz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError((self.log_dir / "web.log").read_text()[-3000:])
            time.sleep(0.3)

    def worker_rss_mb(self) -> float:
        return max((_hwm_mb(pid) for pid in _children(self.procs["web"].pid)), default=0.0)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _login(base: str, username: str, password: str):
    import requests

    session = requests.Session()
    session.get(f"{base}/login/", timeout=30)
    data = {"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    response = session.post(f"{base}/login/", data=data, timeout=30, allow_redirects=False)
    assert response.status_code == 302, response.status_code
    return session


def _phone(
    base: str, path: str, fields: dict[str, str], barrier: threading.Barrier, vary: bool = False
) -> tuple[float, str]:
    """One phone: opens the page, waits for the others, submits, then taps submit again. With ``vary`` each phone
    gives its own answers, as a real class does (identical sheets from one address would be held as a burst)."""
    import random

    import requests

    phone = requests.Session()
    page = phone.get(base + path, timeout=60)
    match = re.search(r'name="started" value="([^"]+)"', page.text)
    if vary:
        fields = {k: (str(random.randint(1, 5)) if k.startswith("i") else v) for k, v in fields.items()}
    data = {**fields, "csrfmiddlewaretoken": phone.cookies["csrftoken"]}
    if match:
        data["started"] = match.group(1)
    barrier.wait()
    started = time.perf_counter()
    first = phone.post(base + path, data=data, timeout=60, allow_redirects=False)
    elapsed = time.perf_counter() - started
    again = phone.post(base + path, data=data, timeout=60, allow_redirects=False)
    return elapsed, f"{first.status_code}/{again.status_code}"


def burst(base: str, path: str, fields: dict[str, str], vary: bool = False) -> dict:
    barrier = threading.Barrier(PHONES)
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        started = time.perf_counter()
        results = list(pool.map(lambda _n: _phone(base, path, fields, barrier, vary), range(PHONES)))
        wall = time.perf_counter() - started
    times = [t * 1000 for t, _codes in results]
    return {
        "median": statistics.median(times),
        "p95": _pct(times, 0.95),
        "wall": wall,
        "codes": sorted({codes for _t, codes in results}),
    }


def throughput(base: str, path: str, cookie: str, seconds: int = 15, connections: int = 16) -> tuple[float, str]:
    """Requests per second of GET path for a logged-in session: wrk when installed, Python threads otherwise."""
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Cookie: {cookie}", base + path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        assert errors is None, out
        return rate, f"wrk, {connections} connections, {seconds} s"
    import requests

    stop = time.monotonic() + seconds
    count = [0] * connections

    def client(n: int) -> None:
        session = requests.Session()
        name, value = cookie.split("=", 1)
        session.cookies.set(name, value)
        while time.monotonic() < stop:
            assert session.get(base + path, timeout=30).status_code == 200
            count[n] += 1

    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(client, range(connections)))
    return sum(count) / seconds, f"Python threads, {connections} clients, {seconds} s"


def review_rss_mb(env: dict[str, str], cycle_id: int) -> tuple[float, float]:
    """Peak RSS of a process that loads Django and runs the full review cycle, and of one that only loads Django."""
    probe = (
        "import resource; from evaluations import review; from evaluations.models import ReviewCycle, ReviewProposal; "
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        f"ReviewProposal.objects.filter(cycle_id={cycle_id}).delete(); "
        f"ReviewCycle.objects.filter(pk={cycle_id}).update(status='pending'); "
        f"review.review_cycle_run(cycle_id={cycle_id}); "
        "print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    base, peak = (int(v) / 1024 for v in done.stdout.split()[-2:])
    return base, peak


def run(env: dict[str, str], *, password: str) -> list[tuple]:
    """Start the stack, measure, stop it; rows for the benchmark's third table."""
    import django  # noqa: F401 - the caller has set Django up
    from django.utils import timezone

    from evaluations.models import DeviceVote, Indicator, PendingSheet, Response, ReviewCycle
    from evaluations.survey import services as survey_services
    from instructors.models import Instructor, Region, User
    from outreach.models import Lecture

    stack_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    stack = Stack(stack_env, ROOT / "var" / "bench")
    rows: list[tuple] = []
    stack.start()
    try:
        # The QR burst: a lecture that started an hour ago, its survey opened, 300 phones at once.
        organizer = User.objects.get(username="organizer")
        lecture = (
            Lecture.objects.filter(status=Lecture.Status.CONFIRMED, evaluation__isnull=True).order_by("pk").first()
            or Lecture.objects.filter(evaluation__isnull=True).order_by("pk").first()
        )
        Lecture.objects.filter(pk=lecture.pk).update(start=timezone.now() - dt.timedelta(hours=1))
        lecture.refresh_from_db()
        evaluation = survey_services.evaluation_open(lecture=lecture, by=organizer, attendance=PHONES)
        path = f"/evaluations/s/{survey_services.survey_token(evaluation)}/"
        indicators = Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
        fields = {"satisfaction": "4", "comment": "", **{f"i{pk}": "4" for pk in indicators}}
        survey = burst(stack.base, path, fields, vary=True)
        # Sheets pass through the mixing buffer: count them after the final flush (what the window's close does).
        survey_services.survey_flush(evaluation_id=evaluation.pk, final=True)
        held = PendingSheet.objects.filter(evaluation=evaluation).count()
        stored = Response.objects.filter(evaluation=evaluation).count() + held
        votes = DeviceVote.objects.filter(evaluation=evaluation).count()
        anchor = burst(stack.base, "/__bench__/post/", {"x": "1"})
        rows.append(
            (
                f"{PHONES} phones submit one survey at once, each then taps again (gunicorn)",
                f"{survey['median']:.0f} / {survey['p95']:.0f} ms per submission; all done in {survey['wall']:.1f} s",
                f"bare POST view: {anchor['median']:.0f} / {anchor['p95']:.0f} ms",
                f"{survey['p95'] / anchor['p95']:.2f}× (p95)",
                f"stored {stored} (held {held}), lost {PHONES - stored}, "
                f"duplicated {votes - stored + max(0, stored - PHONES)}; "
                f"answers {', '.join(survey['codes'])}",
            )
        )
        # Throughput of 我的评价 against a bare view on the same gunicorn, same tool, same session.
        instructor = _login(stack.base, "instructor", password)
        cookie = f"sessionid={instructor.cookies['sessionid']}"
        mine, tool = throughput(stack.base, "/evaluations/mine/", cookie)
        floor, _tool = throughput(stack.base, "/__bench__/bare/", cookie)
        rows.append(("Throughput of 我的评价", f"{mine:.0f} requests/s", f"bare view: {floor:.0f} requests/s",
                     f"{mine / floor:.2f}×", tool))  # fmt: skip
        rows.append(
            (
                "Peak RSS of a web worker (after the load above)",
                f"{stack.worker_rss_mb():.0f} MB",
                "—",
                "—",
                f"gunicorn, {os.cpu_count() * 2 + 1} workers × 2 threads",
            )
        )
        province = Region.objects.get(level=Region.Level.PROVINCE)
        cycle = ReviewCycle.objects.filter(region=province).order_by("-pk").first()
        base, peak = review_rss_mb(env, cycle.pk)
        rows.append(
            (
                f"Peak RSS of the review task ({Instructor.objects.count():,} instructors)",
                f"{peak:.0f} MB",
                f"Django loaded, nothing run: {base:.0f} MB",
                f"+{peak - base:.0f} MB",
                "grouped SQL aggregates; no answer row is loaded into Python",
            )
        )
    finally:
        stack.stop()
    return rows
