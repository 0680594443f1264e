"""Faults: Redis going away and coming back, every database connection dropped under a running node, and a backup
restored into an empty database. Real processes (gunicorn, Celery, redis-server, pg_dump), nothing mocked."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from celery import Celery
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from evaluations.models import (
    Competition,
    CompetitionResult,
    Entry,
    Indicator,
    JudgeAssignment,
    JudgeScore,
    PendingSheet,
    Response,
    ReviewCycle,
    ReviewProposal,
)
from evaluations.survey import services as survey_services
from instructors.models import Instructor, User
from tests import factories
from tests.cluster import ALREADY, PASSWORD, Cluster, free_port, jpeg
from tests.conftest import need
from tests.outreach import factories as outreach_factories
from tests.trust import world as world_builder

ROOT = Path(__file__).resolve().parents[2]
NODE_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what the nodes verify with
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _node_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}",
        "MEDIA_ROOT": str(media),
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _wait_ready(base: str, cluster: Cluster, name: str, *, status: int = 200) -> None:
    deadline = time.monotonic() + 45
    while True:
        try:
            if requests.get(f"{base}/readyz", timeout=5).status_code == status:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        assert time.monotonic() < deadline, cluster.log(name)[-3000:]
        time.sleep(0.3)


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=20)
    data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    response = session.post(f"{base}/login/", data=data, timeout=20, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return session


def _post(session: requests.Session, url: str, data: dict | None = None, **kwargs) -> requests.Response:
    data = {**(data or {}), "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    return session.post(url, data=data, timeout=20, allow_redirects=False, **kwargs)


class RedisServer:
    """A redis-server of the test's own on a free port, so that stopping it disturbs nothing else."""

    def __init__(self, log_dir: Path) -> None:
        self.port, self.log_dir, self.proc = free_port(), log_dir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        out = open(self.log_dir / "redis.log", "a")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # gone at once, as when the machine or the container dies
            self.proc.wait()


def _survey(base: str, path: str, indicator_ids: list[int]) -> tuple[int, str]:
    phone = requests.Session()
    page = phone.get(base + path, timeout=20)
    started = re.search(r'name="started" value="([^"]+)"', page.text).group(1)
    data = {"started": started, "satisfaction": "4", "comment": "", **{f"i{pk}": "4" for pk in indicator_ids}}
    first = _post(phone, base + path, data)
    again = _post(phone, base + path, data)
    return first.status_code, again.text


def _competition_in_final(region, entrants: list[Instructor]) -> Competition:
    today = timezone.localdate()
    competition = Competition.objects.create(
        name="故障测试擂台赛",
        year=today.year,
        region=region,
        phase=Competition.Phase.FINAL,
        registration_ends=today - dt.timedelta(days=20),
        preliminary_ends=today - dt.timedelta(days=10),
        final_ends=today + dt.timedelta(days=10),
        publicity_ends=today + dt.timedelta(days=20),
    )
    # Five judges: an entry with fewer complete judge scores is not ranked (docs/scoring.md, judge minimum).
    judges = [factories.user(role=User.Role.JUDGE) for _ in range(5)]
    for number, person in enumerate(entrants, start=1):
        group = factories.group(region=region, name=f"故障测试第{number}组")
        entry = Entry.objects.create(
            competition=competition, course=outreach_factories.course(lead=person), group=group, number=number
        )
        entry.instructors.add(person)
        for k, judge in enumerate(judges):
            assignment = JudgeAssignment.objects.create(competition=competition, entry=entry, judge=judge)
            for criterion in JudgeScore.Criterion.values:
                JudgeScore.objects.create(assignment=assignment, criterion=criterion, value=80 + number + k)
    return competition


def test_redis_down_pages_answers_and_uploads_go_on_and_the_work_is_done_when_it_returns(tmp_path, settings):
    need(connection.vendor == "postgresql", "the node needs the PostgreSQL test database (DATABASE_URL)")
    need(shutil.which("redis-server") is not None, "redis-server is not installed")
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    cluster = Cluster(tmp_path, _node_env(tmp_path, REDIS_URL=redis_server.url))
    base = f"http://127.0.0.1:{free_port()}"
    try:
        cluster.start("web", "gunicorn", "-c", "gunicorn.conf.py", "--bind", base.removeprefix("http://"))
        settings.PASSWORD_HASHERS = NODE_HASHERS
        tree = factories.region_tree()
        organizer = factories.organizer(tree["county_a"])
        lecturer_user = factories.user()
        lecturer = factories.instructor(region=tree["county_a"], name="王五", user=lecturer_user)
        pool = [factories.instructor(region=tree["county_a"]) for _ in range(5)]
        lecture = outreach_factories.lecture(
            course=outreach_factories.course(lead=lecturer),
            instructor=lecturer,
            organization=outreach_factories.organization(region=tree["village_a"]),
            start=timezone.now() - dt.timedelta(hours=1),
        )
        evaluation = survey_services.evaluation_open(lecture=lecture, by=organizer)
        survey = f"/evaluations/s/{survey_services.survey_token(evaluation)}/"
        indicator_ids = list(Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True))
        cycle = ReviewCycle.objects.create(
            region=tree["county_a"],
            period_start=dt.date(timezone.now().year, 1, 1),
            period_end=dt.date(timezone.now().year, 12, 31),
            due_at=timezone.now() + dt.timedelta(days=30),  # planned for later; started by hand below
        )
        competition = _competition_in_final(tree["county_a"], pool[:3])
        _wait_ready(base, cluster, "web")
        boss = _login(base, organizer.username)
        owner = _login(base, lecturer_user.username)

        redis_server.stop()

        # The cache is gone: readiness says so, and everything a user does still works.
        ready = requests.get(f"{base}/readyz", timeout=20)
        assert (ready.status_code, ready.json()["checks"]) == (503, {"database": "ok", "cache": "fail"})
        assert boss.get(f"{base}/instructors/", timeout=20).status_code == 200  # session read from the database
        late = _login(base, organizer.username)  # a new login: session written to the database
        assert late.get(f"{base}/evaluations/", timeout=20).status_code == 200
        first, again = _survey(base, survey, indicator_ids)
        assert first == 302 and ALREADY in again
        # The sheet waits in the survey's mixing buffer (or is already flushed): stored once either way.
        stored = Response.objects.filter(evaluation=evaluation).count()
        assert stored + PendingSheet.objects.filter(evaluation=evaluation).count() == 1
        photo = _post(
            owner,
            f"{base}/instructors/{lecturer.pk}/edit/",
            {"post": "讲师", "biography": ""},
            files={"photo": ("me.jpg", jpeg(), "image/jpeg")},
        )
        assert photo.status_code == 302, photo.text[:500]
        lecturer.refresh_from_db()
        assert lecturer.photo and not lecturer.photo_thumbnail  # saved; its thumbnail waits for a worker
        start = _post(boss, f"{base}/evaluations/reviews/{cycle.pk}/start/")
        assert start.status_code == 302
        cycle.refresh_from_db()
        assert cycle.status == ReviewCycle.Status.PENDING and cycle.due_at <= timezone.now()
        rank = _post(boss, f"{base}/evaluations/competitions/{competition.pk}/rank/")
        assert rank.status_code == 302  # no broker: ranked in the request instead
        assert CompetitionResult.objects.filter(competition=competition, rank=1).count() == 1
        assert "Internal Server Error" not in cluster.log("web")  # tracebacks of logged cache warnings are fine

        # Redis comes back (empty, as after a crash); a worker starts; the periodic jobs do what was left.
        redis_server.start()
        _wait_ready(base, cluster, "web")
        cluster.start(
            "worker", "celery", "-A", "config", "worker", "--pool=threads", "-c", "2", "-l", "info",
            "--without-mingle", "--without-gossip",
        )  # fmt: skip
        cluster.wait_log("worker", "ready.")
        producer = Celery("producer", broker=redis_server.url, set_as_current=False)  # see tests/test_multinode.py
        producer.send_task("evaluations.tasks.review_due_cycles_task")  # what beat sends every 15 minutes
        producer.send_task("instructors.tasks.missing_thumbnails_task")  # and every hour
        producer.close()
        deadline = time.monotonic() + 60
        while ReviewCycle.objects.get(pk=cycle.pk).status != ReviewCycle.Status.DONE or not (
            Instructor.objects.filter(pk=lecturer.pk).exclude(photo_thumbnail="").exists()
        ):
            assert time.monotonic() < deadline, cluster.log("worker")[-3000:]
            time.sleep(0.3)
        assert ReviewProposal.objects.filter(cycle=cycle).count() == Instructor.objects.within(tree["county_a"]).count()
        assert boss.get(f"{base}/instructors/", timeout=20).status_code == 200
    finally:
        cluster.close()
        redis_server.stop()


def test_every_database_connection_dropped_the_next_request_succeeds(tmp_path, settings):
    need(connection.vendor == "postgresql", "the node needs the PostgreSQL test database (DATABASE_URL)")
    env = _node_env(tmp_path, DB_CONN_MAX_AGE="600")
    name = f"djsz-fault-{uuid.uuid4().hex[:8]}"  # tags the node's connections: only those are cut
    env["DATABASE_URL"] += f"?application_name={name}"
    cluster = Cluster(tmp_path, env)
    base = f"http://127.0.0.1:{free_port()}"
    try:
        cluster.start("web", "gunicorn", "-c", "gunicorn.conf.py", "--bind", base.removeprefix("http://"))
        settings.PASSWORD_HASHERS = NODE_HASHERS
        organizer = factories.organizer(factories.region_tree()["county_a"])
        _wait_ready(base, cluster, "web")
        boss = _login(base, organizer.username)
        assert all(boss.get(f"{base}/instructors/", timeout=20).status_code == 200 for _ in range(8))
        # What a PostgreSQL restart does to its clients: every server process serving the node is gone.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s", [name]
            )
            assert cursor.fetchone()[0] >= 1  # the node's persistent connections
        codes = [boss.get(f"{base}/instructors/", timeout=20).status_code for _ in range(8)]
        assert codes == [200] * 8
        assert requests.get(f"{base}/readyz", timeout=20).status_code == 200
    finally:
        cluster.close()


def _report_and_counts(database_url: str, year: int) -> dict:
    """Every table's row count and the annual report, read by a separate process from the given database."""
    script = (
        "import json; from config.backup import table_counts; from outreach.selectors import coverage_figures; "
        "from instructors.models import User; "
        "admin = User.objects.filter(is_superuser=True).order_by('pk').first(); "
        f"print(json.dumps({{'tables': table_counts(), 'report': coverage_figures(user=admin, year={year})}}, "
        "default=str, sort_keys=True))"
    )
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_backup_restored_into_an_empty_database_gives_the_same_rows_and_annual_report(tmp_path, settings):
    need(connection.vendor == "postgresql", "needs the PostgreSQL test database (DATABASE_URL)")
    need(shutil.which("pg_dump") is not None, "pg_dump is not installed (postgresql-client)")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = world_builder.build()
    a = world["a"]
    for day in (3, 10, 17):
        outreach_factories.delivered(
            outreach_factories.lecture(
                course=a["course"], instructor=a["instructor"], organization=a["organization"],
                start=outreach_factories.at(day, 9),
            )
        )  # fmt: skip
    media = Path(settings.MEDIA_ROOT)
    (media / "备份检查").mkdir(parents=True, exist_ok=True)
    (media / "备份检查" / "课件.pdf").write_bytes(b"%PDF-1.4 test")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)

    db = connection.settings_dict
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}"
    empty = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{empty}"')
    try:
        restored_media = tmp_path / "restored-media"
        env = {**os.environ, "DATABASE_URL": f"{url}/{empty}", "MEDIA_ROOT": str(restored_media)}
        done = subprocess.run(
            [sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "every count matches" in done.stdout
        original = _report_and_counts(f"{url}/{db['NAME']}", 2030)
        restored = _report_and_counts(f"{url}/{empty}", 2030)
        assert original["tables"]["outreach_lecture"] >= 4 and original["report"]["totals"]["lectures"] == 3
        assert restored == original
        files = {p.relative_to(media): p.read_bytes() for p in media.rglob("*") if p.is_file()}
        assert (
            len(files) >= 2
            and {  # the world's uploads and ours, byte for byte
                p.relative_to(restored_media): p.read_bytes() for p in restored_media.rglob("*") if p.is_file()
            }
            == files
        )
        # A second restore into the now-full database is refused and changes nothing.
        again = subprocess.run(
            [sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert again.returncode != 0 and "not empty" in again.stderr
        assert _report_and_counts(f"{url}/{empty}", 2030) == original
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')


@pytest.mark.django_db(transaction=False)
def test_the_default_sqlite_portal_is_backed_up_and_restored_too(tmp_path):
    """`make run` keeps its data in SQLite: the same two commands work there (separate processes, own files)."""

    def manage(database: Path, *argv: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MEDIA_ROOT": str(tmp_path / database.stem)}
        env.pop("REDIS_URL", None)
        return subprocess.run(
            [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    source, target, archive = tmp_path / "portal.sqlite3", tmp_path / "restored.sqlite3", tmp_path / "b.tar.gz"
    assert manage(source, "migrate", "-v0").returncode == 0
    made = manage(source, "shell", "-v", "0", "-c", "from tests.factories import region_tree; region_tree()")
    assert made.returncode == 0, made.stderr[-2000:]
    backed_up = manage(source, "backup", "--output", str(archive))
    assert backed_up.returncode == 0, backed_up.stderr[-2000:]
    restored = manage(target, "restore", str(archive))
    assert restored.returncode == 0 and "every count matches" in restored.stdout, restored.stderr[-2000:]
    count = "from instructors.models import Region; print(Region.objects.count())"
    assert (
        manage(target, "shell", "-v", "0", "-c", count).stdout.strip()
        == manage(source, "shell", "-v", "0", "-c", count).stdout.strip()
    )
    assert int(manage(target, "shell", "-v", "0", "-c", count).stdout.strip()) >= 4
