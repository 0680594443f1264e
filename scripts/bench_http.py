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
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.client import RemoteDisconnected
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHONES = 300
NGINX_PORT = 8163  # the benchmark's nginx on 127.0.0.1 (tests/test_nginx.py uses 8161)


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


RETRIED = Counter()  # requests sent again because a kept-alive connection was closed before any response


def _closed_before_response(exc: BaseException) -> bool:
    """The server closed the connection without a byte of response (RemoteDisconnected, reset, broken pipe)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
            return True
        seen = seen.__cause__ or seen.__context__ or (seen.args[-1] if seen.args else None)
        if not isinstance(seen, BaseException):
            return False
    return False


def send(session, method: str, url: str, **kwargs):
    """As a browser does: a request whose (reused, kept-alive) connection the server closed before answering is
    sent once more on a new connection. gunicorn closes idle connections after its keep-alive time and when it
    recycles a worker (max_requests); a phone that waited at the barrier meets exactly that."""
    import requests

    try:
        return session.request(method, url, **kwargs)
    except requests.ConnectionError as exc:
        if not _closed_before_response(exc):
            raise
        RETRIED[method] += 1
        return session.request(method, url, **kwargs)


def _login(base: str, username: str, password: str):
    import requests

    session = requests.Session()
    send(session, "GET", f"{base}/login/", timeout=30)
    data = {"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    response = send(session, "POST", f"{base}/login/", data=data, timeout=30, allow_redirects=False)
    assert response.status_code == 302, response.status_code
    return session


def _phone(
    base: str, path: str, fields: dict[str, str], barrier: threading.Barrier, vary: bool = False
) -> tuple[float | None, str]:
    """One phone: opens the page, waits for the others, submits, then taps submit again. With ``vary`` each phone
    gives its own answers, as a real class does (identical sheets from one address would be held as a burst). An
    error is counted (its name in place of the status codes), never raised."""
    import random

    import requests

    phone = requests.Session()
    try:
        page = send(phone, "GET", base + path, timeout=60)
        match = re.search(r'name="started" value="([^"]+)"', page.text)
        if vary:
            fields = {k: (str(random.randint(1, 5)) if k.startswith("i") else v) for k, v in fields.items()}
        data = {**fields, "csrfmiddlewaretoken": phone.cookies.get("csrftoken", "")}
        if match:
            data["started"] = match.group(1)
    except requests.RequestException as exc:
        barrier.wait()
        return None, f"page {type(exc).__name__}"
    barrier.wait()
    try:
        started = time.perf_counter()
        first = send(phone, "POST", base + path, data=data, timeout=60, allow_redirects=False)
        elapsed = time.perf_counter() - started
        again = send(phone, "POST", base + path, data=data, timeout=60, allow_redirects=False)
    except requests.RequestException as exc:
        return None, type(exc).__name__
    return elapsed, f"{first.status_code}/{again.status_code}"


def burst(base: str, path: str, fields: dict[str, str], *, ok: str = "302/200", vary: bool = False) -> dict:
    """PHONES phones at once; ``ok`` is the answer pair of a phone that got through (stored, then "already")."""
    barrier = threading.Barrier(PHONES)
    retried_before = sum(RETRIED.values())
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        started = time.perf_counter()
        results = list(pool.map(lambda _n: _phone(base, path, fields, barrier, vary), range(PHONES)))
        wall = time.perf_counter() - started
    times = [t * 1000 for t, _codes in results if t is not None] or [0.0]
    outcomes = Counter(codes for _t, codes in results)
    return {
        "median": statistics.median(times),
        "p95": _pct(times, 0.95),
        "wall": wall,
        "codes": sorted(outcomes),
        "outcomes": ", ".join(f"{codes} × {n}" for codes, n in sorted(outcomes.items())),
        "errors": sum(n for codes, n in outcomes.items() if codes != ok),
        "retried": sum(RETRIED.values()) - retried_before,
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
        failed = int(errors.group(1)) if errors else 0
        return rate, f"wrk, {connections} connections, {seconds} s, {failed} errors"
    import requests

    stop = time.monotonic() + seconds
    count = [0] * connections
    errors = Counter()

    def client(n: int) -> None:
        session = requests.Session()
        name, value = cookie.split("=", 1)
        session.cookies.set(name, value)
        while time.monotonic() < stop:
            try:
                status = send(session, "GET", base + path, timeout=30).status_code
            except requests.RequestException as exc:
                errors[type(exc).__name__] += 1
                continue
            if status == 200:
                count[n] += 1
            else:
                errors[str(status)] += 1

    retried_before = sum(RETRIED.values())
    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(client, range(connections)))
    failed = ", ".join(f"{kind} × {n}" for kind, n in sorted(errors.items())) or "none"
    retried = sum(RETRIED.values()) - retried_before
    note = f"Python threads, {connections} clients, {seconds} s; errors: {failed}; resent (closed keep-alive) {retried}"
    return sum(count) / seconds, note


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


def _survey(stack_base: str, evaluation, path: str, fields: dict[str, str], label: str, anchor: dict | None) -> tuple:
    from evaluations.models import DeviceVote, PendingSheet, Response
    from evaluations.survey import services as survey_services

    survey = burst(stack_base, path, fields, vary=True)
    # Sheets reach the answer tables through the mixing buffer: count after the final flush (held ones count too).
    survey_services.survey_flush(evaluation_id=evaluation.pk, final=True)
    held = PendingSheet.objects.filter(evaluation=evaluation).count()
    stored = Response.objects.filter(evaluation=evaluation).count() + held
    votes = DeviceVote.objects.filter(evaluation=evaluation).count()
    return (
        f"{PHONES} phones submit one survey at once, each then taps again ({label})",
        f"{survey['median']:.0f} / {survey['p95']:.0f} ms per submission; all done in {survey['wall']:.1f} s",
        f"bare POST view: {anchor['median']:.0f} / {anchor['p95']:.0f} ms" if anchor else "—",
        f"{survey['p95'] / anchor['p95']:.2f}× (p95)" if anchor and anchor["p95"] else "—",
        f"stored {stored}, lost {PHONES - stored}, duplicated {votes - stored + max(0, stored - PHONES)}; "
        f"errors {survey['errors']}; resent after a closed keep-alive {survey['retried']}; "
        f"answers {survey['outcomes']}",
    )


def _open_survey(organizer):
    """A lecture that started an hour ago with its survey opened: (evaluation, survey path, answer fields)."""
    from django.utils import timezone

    from evaluations.models import Indicator
    from evaluations.survey import services as survey_services
    from outreach.models import Lecture

    lecture = (
        Lecture.objects.filter(status=Lecture.Status.CONFIRMED, evaluation__isnull=True).order_by("pk").first()
        or Lecture.objects.filter(evaluation__isnull=True).order_by("pk").first()
    )
    Lecture.objects.filter(pk=lecture.pk).update(start=timezone.now() - dt.timedelta(hours=1))
    lecture.refresh_from_db()
    evaluation = survey_services.evaluation_open(lecture=lecture, by=organizer)
    path = f"/evaluations/s/{survey_services.survey_token(evaluation)}/"
    indicators = Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    return evaluation, path, {"satisfaction": "4", "comment": "", **{f"i{pk}": "4" for pk in indicators}}


def run(env: dict[str, str], *, password: str, emit, miss) -> None:
    """Start the stack, measure, stop it; each row of the benchmark's HTTP table goes to ``emit`` as soon as it is
    measured, and a phase that fails goes to ``miss`` (what, why) while the others still run."""
    import django  # noqa: F401 - the caller has set Django up

    from evaluations.models import ReviewCycle
    from instructors.models import Instructor, Region, User

    stack_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    stack = Stack(stack_env, ROOT / "var" / "bench")
    try:
        stack.start()
    except Exception as exc:  # noqa: BLE001
        miss("Every HTTP figure (gunicorn did not start)", exc)
        stack.stop()
        return
    try:
        organizer = User.objects.get(username="organizer")
        anchor = None
        try:
            anchor = burst(stack.base, "/__bench__/post/", {"x": "1"}, ok="302/302")
        except Exception as exc:  # noqa: BLE001
            miss("Bare POST anchor of the QR burst", exc)
        try:
            evaluation, path, fields = _open_survey(organizer)
            emit(_survey(stack.base, evaluation, path, fields, "gunicorn", anchor))
        except Exception as exc:  # noqa: BLE001
            miss(f"{PHONES}-phone QR burst (gunicorn)", exc)
        try:
            emit(_through_nginx(stack, organizer))
        except Exception as exc:  # noqa: BLE001
            miss(f"{PHONES}-phone QR burst through nginx", exc)
        try:
            # Throughput of 我的评价 against a bare view on the same gunicorn, same tool, same session.
            instructor = _login(stack.base, "instructor", password)
            cookie = f"sessionid={instructor.cookies['sessionid']}"
            mine, tool = throughput(stack.base, "/evaluations/mine/", cookie)
            floor, _tool = throughput(stack.base, "/__bench__/bare/", cookie)
            emit(("Throughput of 我的评价", f"{mine:.0f} requests/s", f"bare view: {floor:.0f} requests/s",
                  f"{mine / floor:.2f}×", tool))  # fmt: skip
        except Exception as exc:  # noqa: BLE001
            miss("Throughput of 我的评价", exc)
        emit(
            (
                "Peak RSS of a web worker (after the load above)",
                f"{stack.worker_rss_mb():.0f} MB",
                "—",
                "—",
                f"gunicorn, {os.cpu_count() * 2 + 1} workers × 2 threads",
            )
        )
        try:
            province = Region.objects.get(level=Region.Level.PROVINCE)
            cycle = ReviewCycle.objects.filter(region=province).order_by("-pk").first()
            if cycle is None:
                raise RuntimeError("no review cycle (the computation phase did not run)")
            base, peak = review_rss_mb(env, cycle.pk)
            emit(
                (
                    f"Peak RSS of the review task ({Instructor.objects.count():,} instructors)",
                    f"{peak:.0f} MB",
                    f"Django loaded, nothing run: {base:.0f} MB",
                    f"+{peak - base:.0f} MB",
                    "grouped SQL aggregates; no answer row is loaded into Python",
                )
            )
        except Exception as exc:  # noqa: BLE001
            miss("Peak RSS of the review task", exc)
    finally:
        stack.stop()


def _through_nginx(stack: Stack, organizer) -> tuple:
    """The same burst through Debian's nginx configured from deploy/nginx.conf (keep-alive pool to gunicorn)."""
    import nginx_local

    if nginx_local.nginx_binary() is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    proxy = nginx_local.LocalNginx(
        listen_port=NGINX_PORT, upstream=f"127.0.0.1:{stack.port}", scratch=ROOT / "var" / "bench" / "nginx"
    )
    proxy.start()
    try:
        evaluation, path, fields = _open_survey(organizer)
        return _survey(proxy.base, evaluation, path, fields, "through nginx, deploy/nginx.conf", None)
    finally:
        proxy.stop()
