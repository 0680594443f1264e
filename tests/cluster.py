"""Real processes for the multi-node and fault tests (tests/test_multinode.py, tests/trust/test_faults.py): gunicorn
nodes and Celery workers started as subprocesses, with their output in files, plus the small helpers both use."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "pw-secret-123"  # tests/factories.py
ALREADY = "该手机已作答"  # "This phone has already answered"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url_with_db(base: str, db: int) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (480, 640), (30, 140, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


class Cluster:
    """Subprocesses with their output in files (a pipe nobody reads would block them)."""

    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self.log_dir, self.env = log_dir, env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *argv: str) -> None:
        with open(self.log_dir / f"{name}.log", "w") as out:
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", *argv], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def wait_log(self, name: str, text: str, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log(name):
            if self.procs[name].poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{name} never logged {text!r}:\n{self.log(name)[-3000:]}")
            time.sleep(0.2)

    def stop(self, name: str, timeout: float = 30) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # warm shutdown for Celery, graceful for gunicorn
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self) -> None:
        for name in self.procs:
            if self.procs[name].poll() is None:
                self.procs[name].send_signal(signal.SIGTERM)
        for name in self.procs:
            self.stop(name, timeout=20)


class Worker:
    """What `celery_worker` yields: the worker's output, there once the worker has stopped."""

    output = ""


@contextlib.contextmanager
def celery_worker(**env: str) -> Iterator[Worker]:
    """A real Celery worker process (solo pool) on the PostgreSQL test database, consuming a queue of its own; while
    it runs, the in-process app queues tasks there instead of running them eagerly. `env` adds to its environment."""
    from django.db import connection

    from config.celery import app as celery_app

    db = connection.settings_dict
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **env,
    }
    argv = ["celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "-l", "info"]
    argv += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    process = subprocess.Popen(
        [sys.executable, "-m", *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    old_eager, old_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = False, queue
    worker = Worker()
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = old_eager, old_queue
        process.terminate()
        try:
            worker.output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            worker.output, _ = process.communicate()
        print(worker.output[-3000:])
