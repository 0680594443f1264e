"""Two portals on this machine, as two cities run them: each its own PostgreSQL database (made and dropped here),
its own gunicorn, its own Celery worker on its own Redis server (started here), its own key (in its own VAR_DIR).

A shares a course, B's worker pulls A's feed, B adopts the course, A publishes a new courseware version and B is
offered it as a new version; B asks for A's shared instructor, A accepts, B records the delivery and the evaluation
result, which reach A through the two workers (the lecture counts in A's yearly figures); A is stopped in the middle
of a long pull and started again (nothing lost, nothing duplicated); a forged signature, a replayed request and a
suspended partner are refused by A with their codes.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from alliance import signing
from tests.cluster import ROOT, Cluster, free_port
from tests.conftest import need

MANY = 60  # courses A shares for the long pull (one per page: ALLIANCE_FEED_PAGE=1)

pytestmark = pytest.mark.services

SEED_A = """
from tests import factories as f
from tests.courses import factories as cf
from courses.services import courseware_upload
from alliance import services
tree = f.region_tree()
lead = f.instructor(region=tree["city"], name="李老师")
course = cf.course(lead=lead, title="嘉州瑰宝")
courseware_upload(course=course, upload=cf.pdf_upload(), note="第一版", by=None)
services.course_share(course=course, shared=True, by=None)
"""
SEED_B = """
from tests import factories as f
from tests.courses import factories as cf
tree = f.region_tree()
f.instructor(region=tree["city"], name="王老师")
cf.topic("乡村振兴")
"""
PULL = "from core.queue import enqueue; enqueue('alliance.tasks.partners_pull_task')"
ADOPT = """
from alliance import services
from alliance.models import RemoteCourse
from courses.models import Topic
from instructors.models import Instructor
remote = RemoteCourse.objects.get(title="嘉州瑰宝")
copy = services.remote_course_adopt(
    remote=remote, lead_instructor=Instructor.objects.get(name="王老师"), topic=Topic.objects.get(), by=None
)
print("ADOPTED", copy.pk, copy.status, copy.courseware_versions.count())
"""
NEW_VERSION_A = """
from tests.courses import factories as cf
from courses.models import Course
from courses.services import courseware_upload
courseware_upload(course=Course.objects.get(title="嘉州瑰宝"), upload=cf.pdf_upload(), note="修订", by=None)
"""
UPDATE_B = """
from alliance import services
from alliance.models import AdoptedCourse
adoption = AdoptedCourse.objects.get()
print("OFFERED", adoption.update_available)
version = services.adoption_update(adoption=adoption, by=None)
print("VERSION", version.number)
"""
SHARE_MANY_A = f"""
from tests.courses import factories as cf
from courses.models import Course
from alliance import services
first = Course.objects.get(title="嘉州瑰宝")
for n in range({MANY}):
    course = cf.course(lead=first.lead_instructor, title=f"联盟课{{n}}", topic_obj=first.topic)
    services.course_share(course=course, shared=True, by=None)
"""
SHARE_INSTRUCTOR_A = """
from alliance import services
from instructors.models import Instructor
services.instructor_share(instructor=Instructor.objects.get(name="李老师"), shared=True, by=None)
"""
ASK_B = """
import datetime as dt
from django.utils import timezone
from alliance import services
from alliance.models import RemoteInstructor
remote = RemoteInstructor.objects.get(name="李老师")
start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
services.exchange_request(
    remote=remote, course_remote_id=remote.courses[0]["id"], start=start, end=start + dt.timedelta(hours=2),
    place="眉山市委党校报告厅", audience_expected=80, note="", by=None,
)
"""
ACCEPT_A = """
from alliance import services
from alliance.models import ExchangeRequest
services.exchange_answer(exchange=ExchangeRequest.objects.get(), accept=True, reason="同意", by=None)
"""
DELIVER_B = """
from decimal import Decimal
from alliance import services
from alliance.models import ExchangeRequest
exchange = services.exchange_deliver(exchange=ExchangeRequest.objects.get(), attendance=76, hours=Decimal(2), by=None)
services.exchange_record_result(exchange=exchange, score=Decimal("91.5"), explanation="讲解生动", trainees=60, by=None)
"""


class Portal:
    """One city's portal: its database, environment and processes."""

    def __init__(self, name: str, tmp: Path, db_name: str) -> None:
        db = connection.settings_dict
        self.name, self.db_name = name, db_name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        var = tmp / name / "var"
        var.mkdir(parents=True)
        (tmp / name / "media").mkdir()
        self.key_file = var / "alliance_ed25519.key"
        # Each city has a Redis server of its own (cache, broker): one started here, on a free port, kept in memory.
        redis_port = free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db_name}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "VAR_DIR": str(var),
            "MEDIA_ROOT": str(tmp / name / "media"),
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ALLIANCE_BASE_URL": self.base,
            "ALLIANCE_FEED_PAGE": "1",
            "ALLIANCE_BACKOFF_SECONDS": "1",
            "ALLIANCE_BACKOFF_MAX_SECONDS": "2",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "PYTHONUNBUFFERED": "1",
        }
        self.cluster = Cluster(tmp / name, self.env)

    def manage(self, *argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *argv], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{self.name} {argv[:2]}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def sql(self, query: str, *params):
        conn = _pg(self.db_name)
        try:
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def start_web(self) -> None:
        self.cluster.start("web", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.base}/readyz", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert time.monotonic() < deadline, self.cluster.log("web")[-3000:]
            time.sleep(0.3)

    def start_worker(self) -> None:
        argv = ["celery", "-A", "config", "worker", "-n", f"{self.name}@%h", "--pool=solo", "-l", "info"]
        self.cluster.start("worker", *argv, "--without-mingle", "--without-gossip")
        self.cluster.wait_log("worker", "ready.", timeout=60)

    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(self.key_file.read_text().strip()))


def _pg(db_name: str):
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=db_name,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "localhost",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = True
    return conn


def _wait(what: str, check, timeout: float = 60, logs: str = "", interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{logs}"
        time.sleep(interval)


def _partner_row(portal: Portal) -> tuple:
    return portal.sql("SELECT feed_stamp, failures, last_error FROM alliance_partner")[0]


def _signed(url: str, key: Ed25519PrivateKey) -> requests.PreparedRequest:
    return signing.sign(requests.Request("GET", url).prepare(), key=key)


def _send(prepared: requests.PreparedRequest) -> tuple[int, str]:
    with requests.Session() as session:
        response = session.send(prepared, timeout=20)
    return response.status_code, response.json().get("code", "") if response.status_code != 200 else ""


def test_two_portals_share_pull_adopt_update_exchange_survive_a_stop_and_refuse_forgery(tmp_path):
    need(connection.vendor == "postgresql", "two portals need PostgreSQL (DATABASE_URL)")
    need(shutil.which("redis-server") is not None, "redis-server is not installed")
    suffix = uuid.uuid4().hex[:8]
    a = Portal("a", tmp_path, f"alliance_a_{suffix}")
    b = Portal("b", tmp_path, f"alliance_b_{suffix}")
    admin = _pg("postgres")
    try:
        for portal in (a, b):
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{portal.db_name}"')
        migrations = [
            subprocess.Popen([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=p.env)
            for p in (a, b)
        ]
        assert [m.wait(timeout=600) for m in migrations] == [0, 0]
        a.shell(SEED_A)
        b.shell(SEED_B)
        # Exchange keys and addresses, as the two administrators do (DEPLOY.md).
        key_a = a.manage("alliance_key").splitlines()[0]
        key_b = b.manage("alliance_key").splitlines()[0]
        a.manage("alliance_partner", "眉山市", b.base, key_b)
        b.manage("alliance_partner", "乐山市", a.base, key_a)
        for portal in (a, b):
            portal.start_web()
            portal.start_worker()

        # Share on A (seeded), pull on B through B's worker.
        b.shell(PULL)
        _wait(
            "B pulls A's course", lambda: b.sql("SELECT title FROM alliance_remotecourse"), logs=b.cluster.log("worker")
        )
        # Adopt on B: a draft copy, its courseware fetched from A (signed) and checked.
        assert "ADOPTED" in b.shell(ADOPT) and b.sql("SELECT status FROM courses_course") == [("draft",)]
        assert b.sql("SELECT count(*) FROM courses_coursewareversion") == [(1,)]
        # A publishes version 2; B pulls and is offered it as a new version.
        a.shell(NEW_VERSION_A)
        b.shell(PULL)
        _wait("B sees version 2", lambda: b.sql("SELECT 1 FROM alliance_remotecourse WHERE courseware_version = 2"))
        out = b.shell(UPDATE_B)
        assert ("OFFERED True" in out, "VERSION 2" in out) == (True, True)

        # A long pull (one course per page) during which A is stopped, then started again.
        a.shell(SHARE_MANY_A)
        stamp_before = _partner_row(b)[0]
        b.shell(PULL)
        _wait("B's pull under way", lambda: _partner_row(b)[0] > stamp_before, interval=0.02)
        a.cluster.stop("web")
        _wait("B notices A is down", lambda: _partner_row(b)[1] > 0, logs=b.cluster.log("worker"))
        stored_mid_pull = b.sql("SELECT count(*) FROM alliance_remotecourse")[0][0]
        assert stored_mid_pull < 1 + MANY  # stopped in the middle: A's feed not yet all here
        a.start_web()
        time.sleep(2.5)  # the back-off (ALLIANCE_BACKOFF_SECONDS=1, at most 2) runs out
        b.shell(PULL)
        final_stamp = a.sql("SELECT max(stamp) FROM alliance_sharedcourse")[0][0]
        _wait("B completes the pull", lambda: _partner_row(b)[:2] == (final_stamp, 0), logs=b.cluster.log("worker"))
        rows = b.sql("SELECT remote_id, count(*) FROM alliance_remotecourse GROUP BY remote_id")
        shared_on_a = a.sql("SELECT course_id FROM alliance_sharedcourse WHERE shared")
        assert (len(rows), max(n for _id, n in rows)) == (len(shared_on_a), 1)
        assert sorted(r for r, _n in rows) == sorted(c for (c,) in shared_on_a)

        # 师资交流互访: B asks for A's shared instructor, A accepts, B records delivery and the result, which A keeps.
        a.shell(SHARE_INSTRUCTOR_A)
        b.sql("UPDATE alliance_partner SET next_pull_at = NULL")
        b.shell(PULL)
        _wait("B lists A's instructor", lambda: b.sql("SELECT 1 FROM alliance_remoteinstructor"))
        b.shell(ASK_B)
        _wait("A receives the request", lambda: a.sql("SELECT 1 FROM alliance_exchangerequest"))
        a.shell(ACCEPT_A)
        accepted = "SELECT 1 FROM alliance_exchangerequest WHERE status = 'accepted'"
        _wait("B learns of the accept", lambda: b.sql(accepted), logs=a.cluster.log("worker"))
        b.shell(DELIVER_B)
        evaluated = "SELECT result_score FROM alliance_exchangerequest WHERE status = 'evaluated'"
        assert _wait("A receives the result", lambda: a.sql(evaluated), logs=b.cluster.log("worker")) == [(91.5,)]
        assert a.sql("SELECT lectures FROM instructors_instructoryearfigures WHERE lectures > 0") == [(1,)]

        # Refusals by the real portal A, with B's key.
        key = b.private_key()
        url = f"{a.base}/alliance/api/courses/?since=0"
        first = _signed(url, key)
        assert _send(first) == (200, "")
        assert _send(first) == (401, "replayed")
        forged = _signed(url, key)
        forged.prepare_url(f"{a.base}/alliance/api/courses/?since=1", None)
        assert _send(forged) == (401, "signature_invalid")
        assert _send(requests.Request("GET", url).prepare()) == (401, "signature_missing")
        a.manage("alliance_partner", "眉山市", b.base, key_b, "--suspend")
        assert _send(_signed(url, key)) == (403, "partner_suspended")
        b.sql("UPDATE alliance_partner SET next_pull_at = NULL")
        b.shell(PULL)
        _wait("B records the refusal", lambda: "partner_suspended" in (_partner_row(b)[2] or ""))
    finally:
        for portal in (a, b):
            portal.cluster.close()
            portal.redis.terminate()
            portal.redis.wait(timeout=20)
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{portal.db_name}" WITH (FORCE)')
        admin.close()
