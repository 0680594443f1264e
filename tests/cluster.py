"""Real processes for the multi-node and fault tests (tests/test_multinode.py, tests/trust/test_faults.py): gunicorn
nodes and Celery workers started as subprocesses, with their output in files, plus the small helpers both use."""

from __future__ import annotations

import io
import signal
import socket
import subprocess
import sys
import time
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
