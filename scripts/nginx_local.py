"""Debian's nginx with the production proxy settings of deploy/nginx.conf, on 127.0.0.1, for tests and the benchmark.

The config is generated from deploy/nginx.conf itself: the upstream block (keep-alive pool and its timeouts) and the
`location /` block (HTTP/1.1, retries) are used as written; only what cannot run here changes: the web nodes become
one local gunicorn, TLS and port 443 become a plain loopback port, logs and temp files go to a scratch folder.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_CONF = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def render(*, listen_port: int, upstream: str, scratch: Path, source: str | None = None) -> str:
    """A complete nginx.conf: deploy/nginx.conf's upstream and server blocks, pointed at ``upstream`` (host:port)."""
    text = source if source is not None else DEPLOY_CONF.read_text()
    servers = re.findall(r"^\s*server\s+\d+\.\d+\.\d+\.\d+:\d+([^;]*);", text, flags=re.M)
    if not servers:
        raise ValueError("deploy/nginx.conf: no upstream server line found")
    text = re.sub(r"^\s*server\s+\d+\.\d+\.\d+\.\d+:\d+[^;]*;\n", "", text, flags=re.M)
    # One node here, so ``max_fails=0``: the resets a recycling gunicorn causes on kept-alive connections are retried
    # (nginx retries a failed cached connection), and three of them within fail_timeout must not take the only node
    # out of service as they would with deploy/nginx.conf's max_fails=3 (where another node takes over).
    text = text.replace("upstream djsz_web {", f"upstream djsz_web {{\n    server {upstream} max_fails=0;", 1)
    # The port-80 redirect to HTTPS is the only server block without a location.
    text = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", text, count=1, flags=re.S)
    text = re.sub(r"listen 443[^;]*;", f"listen 127.0.0.1:{listen_port};", text, count=1)
    text = re.sub(r"^\s*ssl_[a-z_]+\s+[^;]*;\n", "", text, flags=re.M)
    text = text.replace("/var/log/nginx/djsz.access.log", str(scratch / "access.log"))
    text = text.replace("/srv/djsz/media/", f"{scratch / 'media'}/")
    temp = "\n".join(
        f"    {kind}_temp_path {scratch / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nworker_processes 1;\npid {scratch / 'nginx.pid'};\nerror_log {scratch / 'error.log'} warn;\n"
        f"events {{ worker_connections 2048; }}\n"
        f"http {{\n{temp}\n    access_log off;\n{text}\n}}\n"
    )


class LocalNginx:
    """nginx in the foreground as a child process; stop() ends it (SIGQUIT: graceful)."""

    def __init__(self, *, listen_port: int, upstream: str, scratch: Path) -> None:
        self.port, self.scratch = listen_port, scratch
        scratch.mkdir(parents=True, exist_ok=True)
        (scratch / "media").mkdir(exist_ok=True)
        self.conf = scratch / "nginx.conf"
        self.conf.write_text(render(listen_port=listen_port, upstream=upstream, scratch=scratch))
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        argv = [binary, "-p", str(self.scratch), "-c", str(self.conf), "-e", str(self.scratch / "error.log")]
        check = subprocess.run([*argv, "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}\n{self.conf.read_text()}")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(self.error_log()) from None
                time.sleep(0.1)

    def error_log(self) -> str:
        path = self.scratch / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
