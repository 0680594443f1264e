"""deploy/nginx.conf in front of gunicorn (gunicorn.conf.py) with worker recycling on: a burst of survey answers
through the proxy gets every answer stored and no 5xx.

The race this guards against: nginx keeps idle upstream connections open and gunicorn closes them (after its
keep-alive time, or when a worker is recycled after max_requests); a POST nginx sends on such a connection is not
retried and the phone gets a 502. The stack runs on its own SQLite database in a scratch folder, on 127.0.0.1 ports
of this test's own (81xx), so it needs no service but Debian's nginx.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import nginx_local  # noqa: E402

NGINX_PORT, GUNICORN_PORT = 8161, 8162
PHONES = 300
# Phones in flight at once: enough to keep every gunicorn thread busy and the keep-alive pool full while workers
# recycle, few enough that a busy 2-core CI machine answers each within nginx's 35 s read timeout (the capacity
# figure of the full 300-at-once burst is the benchmark's, BENCHMARKS.md).
IN_FLIGHT = 30

SETUP = """
import datetime as dt
from django.utils import timezone
from evaluations.survey import services as survey_services
from evaluations.models import Indicator
from tests import factories
from tests.outreach import factories as outreach
tree = factories.region_tree()
organizer = factories.organizer(tree["county_a"])
lecturer = factories.instructor(region=tree["county_a"], name="王五")
lecture = outreach.lecture(
    course=outreach.course(lead=lecturer), instructor=lecturer,
    organization=outreach.organization(region=tree["village_a"]), start=timezone.now() - dt.timedelta(hours=1),
)
evaluation = survey_services.evaluation_open(lecture=lecture, by=organizer)
ids = Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
print("SURVEY", evaluation.pk, f"/evaluations/s/{survey_services.survey_token(evaluation)}/", *ids)
"""


def _phone(base: str, path: str, indicator_ids: list[str]) -> str:
    """One phone: opens the survey, answers, submits."""
    phone = requests.Session()
    page = phone.get(base + path, timeout=60)
    if page.status_code != 200:
        return f"page {page.status_code}"
    started = re.search(r'name="started" value="([^"]+)"', page.text).group(1)
    data = {"started": started, "satisfaction": "4", "csrfmiddlewaretoken": phone.cookies["csrftoken"]}
    data.update({f"i{pk}": "4" for pk in indicator_ids})
    answer = phone.post(base + path, data=data, timeout=60, allow_redirects=False)
    return (
        "stored"
        if answer.status_code == 302 and "/thanks/" in answer.headers.get("Location", "")
        else str(answer.status_code)
    )


@pytest.mark.services
def test_survey_burst_through_nginx_to_recycling_gunicorn_loses_nothing(tmp_path):
    need(nginx_local.nginx_binary() is not None, "Debian's nginx is not installed (apt-get install nginx)")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}},
        "VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "0",
        "LOCAL_RUN": "1",  # plain HTTP on 127.0.0.1 (nginx terminates TLS in production)
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        # Recycling on, and often: each worker is replaced every 100-120 requests, several times in the burst.
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_MAX_REQUESTS": "100",
        "GUNICORN_MAX_REQUESTS_JITTER": "20",
    }
    (tmp_path / "var").mkdir()  # made by `make setup` / scripts/run.sh, never by the settings
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    _label, evaluation_id, path, *indicator_ids = next(
        line for line in setup.stdout.splitlines() if line.startswith("SURVEY")
    ).split()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{GUNICORN_PORT}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proxy = nginx_local.LocalNginx(
        listen_port=NGINX_PORT, upstream=f"127.0.0.1:{GUNICORN_PORT}", scratch=tmp_path / "nginx"
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{GUNICORN_PORT}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.3)
        proxy.start()
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            outcomes = Counter(pool.map(lambda _n: _phone(proxy.base, path, indicator_ids), range(PHONES)))
    finally:
        proxy.stop()
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=60)
        log.close()
    with sqlite3.connect(tmp_path / "var" / "db.sqlite3") as db:
        # No worker runs here, so the sheets wait in the survey's mixing buffer: a sheet is stored in one table or
        # the other, never both (the flush moves it in one transaction).
        query = (
            "SELECT (SELECT COUNT(*) FROM evaluations_response WHERE evaluation_id = ?)"
            " + (SELECT COUNT(*) FROM evaluations_pendingsheet WHERE evaluation_id = ?)"
        )
        stored = db.execute(query, [evaluation_id, evaluation_id]).fetchone()[0]
    recycled = (tmp_path / "gunicorn.log").read_text().count("Autorestarting worker")
    assert recycled >= 3, f"gunicorn recycled its workers only {recycled} times"  # the race was really exercised
    assert (dict(outcomes), stored) == ({"stored": PHONES}, PHONES), proxy.error_log()[-3000:]
