"""The portal as a cluster: two gunicorn nodes, two Celery workers and two RedBeat schedulers (one active, one standby)
on the PostgreSQL test database and a dedicated Redis database. A mixed load goes through both nodes; in the middle one
web node, one worker and the active scheduler are stopped, and the load carries on through what survives.

Checked: no survey answer lost or duplicated, a session made on one node works on the other, a photo uploaded through
node A is served by node B (shared MEDIA_ROOT) and thumbnailed by a worker, and the periodic work fires once per
period across the scheduler hand-over, each run executed by exactly one worker.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from evaluations.models import DeviceVote, Indicator, PendingSheet, Response, ReviewCycle, ReviewProposal
from evaluations.survey import services as survey_services
from instructors.models import Instructor
from tests import factories
from tests.cluster import ALREADY, PASSWORD, Cluster, free_port, jpeg, redis_url_with_db
from tests.conftest import need
from tests.outreach import factories as outreach_factories

INTERVAL = 3  # seconds between runs of the test-only periodic entry (tests/settings_multinode.py)
# A Redis database of its own, flushed before and after (MULTINODE_REDIS_DB picks another where several people share
# one Redis server).
REDIS_DB = int(os.environ.get("MULTINODE_REDIS_DB", "3"))
HEARTBEAT = "test-heartbeat"


class Balancer:
    """What nginx does in front of the nodes: round robin; the next node when one refuses or drops a connection."""

    def __init__(self, nodes: list[str]) -> None:
        self.nodes = nodes
        self._turn = itertools.count()
        self.failovers = 0
        self.served = Counter()

    def request(self, session: requests.Session, method: str, path: str, *, node: str | None = None, **kwargs):
        start = next(self._turn)
        order = [node] if node else [self.nodes[(start + i) % len(self.nodes)] for i in range(len(self.nodes))]
        error: Exception | None = None
        # Two rounds, like nginx retrying a keep-alive connection that gunicorn closed (a worker recycled after
        # max_requests, or a node stopping): a request the node never read is safe to send again.
        for attempt, base in enumerate(order * 2):
            if attempt == len(order):
                time.sleep(0.2)
            try:
                response = session.request(method, base + path, timeout=20, allow_redirects=False, **kwargs)
            except requests.ConnectionError as exc:
                self.failovers += 1
                error = exc
                continue
            self.served[base] += 1
            return response
        raise error  # every node refused


def _session() -> requests.Session:
    return requests.Session()


def _login(lb: Balancer, username: str, *, node: str | None = None) -> requests.Session:
    session = _session()
    lb.request(session, "GET", "/login/", node=node)
    data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    response = lb.request(session, "POST", "/login/", data=data, node=node)
    assert response.status_code == 302, response.text[:500]
    return session


def _answer_survey(lb: Balancer, path: str, indicator_ids: list[int], n: int) -> str:
    """One trainee's phone: open the survey, answer, then tap submit again. Returns what happened."""
    phone = _session()
    page = lb.request(phone, "GET", path)
    if page.status_code != 200:
        return f"page {page.status_code}"
    started = re.search(r'name="started" value="([^"]+)"', page.text).group(1)
    data = {
        "started": started,
        "satisfaction": "4",
        "comment": f"phone {n}",
        "csrfmiddlewaretoken": phone.cookies["csrftoken"],
    }
    data.update({f"i{pk}": "4" for pk in indicator_ids})
    failovers = lb.failovers
    first = lb.request(phone, "POST", path, data=data)
    again = lb.request(phone, "POST", path, data=data)  # the impatient second tap, most likely on the other node
    already = again.status_code == 200 and ALREADY in again.text
    if first.status_code == 302 and "/thanks/" in first.headers.get("Location", "") and already:
        return "stored"
    if lb.failovers > failovers and ALREADY in first.text and already:
        return "stored"  # stored by a node that went away before answering; the retry found it
    return f"unexpected {first.status_code}/{again.status_code}"


def _beat_sends(log: str) -> list[tuple[dt.datetime, str, str]]:
    """(time, entry, task id) of every task a scheduler sent, from `celery beat -l debug` output."""
    sends, entry, at = [], None, None
    for line in log.splitlines():
        due = re.match(r"\[([\d\- :,]+): INFO/\w+\] Scheduler: Sending due task (\S+)", line)
        if due:
            at, entry = dt.datetime.strptime(due.group(1), "%Y-%m-%d %H:%M:%S,%f"), due.group(2)
            continue
        sent = re.search(r"sent\. id->([0-9a-f-]{36})", line)
        if sent and entry:
            sends.append((at, entry, sent.group(1)))
            entry = None
    return sends


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_nodes_two_workers_and_one_scheduler_survive_losing_one_of_each(settings, tmp_path):
    need(connection.vendor == "postgresql", "the nodes need the PostgreSQL test database (DATABASE_URL)")
    need(bool(django_settings.REDIS_URL), "REDIS_URL is not set")
    import redis

    redis_url = redis_url_with_db(django_settings.REDIS_URL, REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()  # no schedule, lock or queue left from an earlier run
    db = connection.settings_dict
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    media = tmp_path / "media"
    media.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media),  # the shared volume (NFS in production, or S3: tests/test_storage_s3.py)
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": django_settings.SECRET_KEY,  # every node shares it: sessions, survey links, signed cookies
        "DEBUG": "1",  # plain HTTP on loopback; files go out through the photo view (FileResponse)
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "BEAT_TEST_INTERVAL": str(INTERVAL),
        # Every simulated phone comes from 127.0.0.1 and the test sends more new phones in a minute than one classroom
        # (the per-address limit is tested in tests/trust/test_ballot_stuffing.py).
        "SURVEY_NEW_DEVICES_PER_MINUTE": "100000",
        "DJANGO_SETTINGS_MODULE": "tests.settings_multinode",  # adds the test-only heartbeat entry
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "PYTHONUNBUFFERED": "1",
    }
    nodes = {"a": f"http://127.0.0.1:{free_port()}", "b": f"http://127.0.0.1:{free_port()}"}
    cluster = Cluster(tmp_path, env)
    load_stop = threading.Event()
    try:
        for name, base in nodes.items():
            cluster.start(f"web-{name}", "gunicorn", "-c", "gunicorn.conf.py", "--bind", base.removeprefix("http://"))
        for n in (1, 2):
            cluster.start(
                f"worker-{n}",
                "celery",
                "-A",
                "config",
                "worker",
                "-n",
                f"w{n}@%h",
                "--pool=threads",
                "-c",
                "2",
                "-l",
                "info",
                "--without-mingle",
                "--without-gossip",
            )
        for n in (1, 2):
            cluster.start(f"beat-{n}", "celery", "-A", "config", "beat", "-l", "debug")

        # Arrange while the processes boot. The nodes run the default (slow, real) password hashers.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
        tree = factories.region_tree()
        organizer = factories.organizer(tree["county_a"])
        lecturer_user = factories.user()
        lecturer = factories.instructor(region=tree["county_a"], name="王五", user=lecturer_user)
        for _ in range(30):  # a pool for the review cycle
            factories.instructor(region=tree["county_a"])
        course = outreach_factories.course(lead=lecturer)
        organization = outreach_factories.organization(region=tree["village_a"])
        lecture = outreach_factories.lecture(
            course=course, instructor=lecturer, organization=organization, start=timezone.now() - dt.timedelta(hours=1)
        )
        evaluation = survey_services.evaluation_open(lecture=lecture, by=organizer)
        survey_path = f"/evaluations/s/{survey_services.survey_token(evaluation)}/"
        indicator_ids = list(Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True))

        for name, base in nodes.items():
            deadline = time.monotonic() + 45
            while True:
                try:
                    if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass  # still booting: the socket is bound before the worker has loaded Django
                assert time.monotonic() < deadline, cluster.log(f"web-{name}")[-3000:]
                time.sleep(0.3)
        for n in (1, 2):
            cluster.wait_log(f"worker-{n}", "ready.")
        deadline = time.monotonic() + 30
        while not any("beat: Acquired lock" in cluster.log(f"beat-{n}") for n in (1, 2)):
            assert time.monotonic() < deadline, "no scheduler got the lock"
            time.sleep(0.2)
        active, standby = ("beat-1", "beat-2") if "Acquired lock" in cluster.log("beat-1") else ("beat-2", "beat-1")

        lb = Balancer(list(nodes.values()))
        # A session made on node A is a session on node B (sessions in the database behind Redis).
        boss = _login(lb, organizer.username, node=nodes["a"])
        pages = [lb.request(boss, "GET", "/instructors/", node=nodes[n]) for n in ("a", "b", "a", "b")]
        assert [p.status_code for p in pages] == [200] * 4
        assert all(lecturer.name in p.text for p in pages)

        # A photo uploaded through node A...
        owner = _login(lb, lecturer_user.username, node=nodes["a"])
        photo = jpeg()
        edit = lb.request(
            owner,
            "POST",
            f"/instructors/{lecturer.pk}/edit/",
            node=nodes["a"],
            data={"post": "讲师", "biography": "", "csrfmiddlewaretoken": owner.cookies["csrftoken"]},
            files={"photo": ("me.jpg", photo, "image/jpeg")},
        )
        assert edit.status_code == 302, edit.text[:1000]

        # Mixed load through both nodes; one web node, one worker and the active scheduler go away in the middle.
        outcomes: list[str] = []

        def load() -> None:
            n = 0
            with ThreadPoolExecutor(max_workers=3) as pool:
                while not load_stop.is_set():
                    batch = [pool.submit(_answer_survey, lb, survey_path, indicator_ids, n + i) for i in range(3)]
                    batch.append(pool.submit(lb.request, boss, "GET", "/instructors/"))
                    outcomes.extend(f.result() for f in batch[:3])
                    assert batch[3].result().status_code == 200
                    n += 3

        loader = ThreadPoolExecutor(max_workers=1)
        running = loader.submit(load)
        time.sleep(8)
        stopped_at = time.monotonic()
        # A review cycle falls due and its tasks arrive several times (duplicate ticks, redelivery) on both workers,
        # one of which is stopped while they run.
        cycle = ReviewCycle.objects.create(
            region=tree["county_a"],
            period_start=dt.date(timezone.now().year, 1, 1),
            period_end=dt.date(timezone.now().year, 12, 31),
            due_at=timezone.now(),
        )
        # Not the current app: shared tasks (`.delay()` in the portal's code) would otherwise go through this producer
        # for the rest of the test session.
        producer = Celery("producer", broker=redis_url, set_as_current=False)
        for _ in range(3):
            producer.send_task("evaluations.tasks.review_due_cycles_task")
            producer.send_task("evaluations.tasks.review_cycle_run_task", args=[cycle.pk])
        producer.close()
        cluster.stop("web-a")
        cluster.stop("worker-1")
        cluster.stop(active)
        before_stop = len(outcomes)
        cluster.wait_log(standby, "beat: Acquired lock", timeout=20)  # the standby takes over
        took_over_after = time.monotonic() - stopped_at
        time.sleep(4 * INTERVAL)
        load_stop.set()
        running.result(timeout=60)
        loader.shutdown()
        after_stop = len(outcomes) - before_stop

        # Let the last periodic run and the thumbnail finish, then stop the scheduler before the worker.
        deadline = time.monotonic() + 30
        while not Instructor.objects.filter(pk=lecturer.pk).exclude(photo_thumbnail="").exists():
            assert time.monotonic() < deadline, cluster.log("worker-2")[-3000:]
            time.sleep(0.3)
        while ReviewCycle.objects.get(pk=cycle.pk).status != ReviewCycle.Status.DONE:
            assert time.monotonic() < deadline, cluster.log("worker-2")[-3000:]
            time.sleep(0.3)
        cluster.stop(standby)
        time.sleep(2)
        cluster.stop("worker-2")

        # Survey answers: every phone stored exactly once, whichever node it reached.
        assert [o for o in outcomes if o != "stored"] == []
        assert after_stop > 0 and lb.served[nodes["b"]] > lb.served[nodes["a"]]
        survey_services.survey_flush(evaluation_id=evaluation.pk, final=True)  # what the window's close does
        held = PendingSheet.objects.filter(evaluation=evaluation).count()  # e.g. identical sheets from one address
        rows = Response.objects.filter(evaluation=evaluation).count() + held
        assert (rows, DeviceVote.objects.filter(evaluation=evaluation).count()) == (len(outcomes), len(outcomes))

        # The photo uploaded through A is on the shared volume, thumbnailed by a worker and served by B.
        lecturer.refresh_from_db()
        assert (media / lecturer.photo.name).is_file()
        profile = lb.request(boss, "GET", f"/instructors/{lecturer.pk}/", node=nodes["b"])
        assert f"/instructors/{lecturer.pk}/photo/thumbnail/" in profile.text
        served = lb.request(boss, "GET", f"/instructors/{lecturer.pk}/photo/", node=nodes["b"])
        assert (served.status_code, served.content) == (200, (media / lecturer.photo.name).read_bytes())
        assert requests.get(f"{nodes['b']}/readyz", timeout=5).status_code == 200

        # The review cycle ran to the end once: one proposal per instructor of the pool, none twice.
        cycle.refresh_from_db()
        proposals = Counter(ReviewProposal.objects.filter(cycle=cycle).values_list("instructor_id", flat=True))
        assert (len(proposals), set(proposals.values())) == (cycle.total, {1})
        assert lecturer.pk in proposals

        # Periodic work: one run per period across the hand-over, each run executed by exactly one worker.
        sends = {name: [s for s in _beat_sends(cluster.log(name)) if s[1] == HEARTBEAT] for name in (active, standby)}
        runs = sorted(sends[active] + sends[standby])
        gaps = [(b[0] - a[0]).total_seconds() for a, b in itertools.pairwise(runs)]
        executed = Counter(
            task_id
            for n in (1, 2)
            for task_id in re.findall(
                r"missing_thumbnails_task\[([0-9a-f-]{36})\] succeeded", cluster.log(f"worker-{n}")
            )
        )
        span = (runs[-1][0] - runs[0][0]).total_seconds()
        review_runs = [
            r
            for n in (1, 2)
            for r in re.findall(r"review cycle \d+: \S+ proposals written", cluster.log(f"worker-{n}"))
        ]
        print(
            f"\nanswers stored: {len(outcomes)} ({after_stop} after the stop), failovers: {lb.failovers}, "
            f"served: {dict(lb.served)}, standby took over within {took_over_after:.1f} s\n"
            f"heartbeat runs: {len(runs)} over {span:.1f} s (interval {INTERVAL} s; active {len(sends[active])}, "
            f"standby {len(sends[standby])}); gaps: {[round(g, 1) for g in gaps]}\n"
            f"review cycle: {len(proposals)} proposals; review_cycle_run_task ran {len(review_runs)} times, "
            f"{sum('None' not in r for r in review_runs)} of them claimed the cycle"
        )
        assert sends[active] and sends[standby]  # both fired, one after the other, never together:
        assert max(t for t, _, _ in sends[active]) < min(t for t, _, _ in sends[standby])
        assert min(gaps) >= INTERVAL - 0.5  # never twice in one period
        assert len(runs) >= span // INTERVAL - 1  # and no period silently skipped, bar the hand-over
        assert {task_id: executed[task_id] for _, _, task_id in runs} == {task_id: 1 for _, _, task_id in runs}
    finally:
        load_stop.set()
        cluster.close()
        redis.Redis.from_url(redis_url).flushdb()
        for name in cluster.procs:
            print(f"--- {name} (last lines)\n" + "\n".join(cluster.log(name).splitlines()[-8:]))
