"""gunicorn settings for one web node: `gunicorn -c gunicorn.conf.py` (see DEPLOY.md). Command-line flags win."""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes × threads is the node's concurrency. Each thread may hold one PostgreSQL connection (CONN_MAX_AGE):
# keep nodes × workers × threads (+ Celery workers) below PostgreSQL's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))  # more than 1 thread selects the gthread worker

# A request that takes longer than this is a bug or a stuck dependency: the worker is replaced.
timeout = 30
# On SIGTERM (deploy, scale-in) requests in flight get this long to finish before the worker is killed.
graceful_timeout = 30
# Idle keep-alive connections from nginx stay open this long: longer than nginx's upstream keepalive_timeout (60 s,
# deploy/nginx.conf), so that nginx, not gunicorn, closes an idle connection and never sends on a closing one.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then so that a slow leak never grows; jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# Heartbeat files in memory, not on a disk that may stall.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Trust X-Forwarded-* only from the proxy in front (nginx on the same host by default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr for journald or the container runtime; the access line carries the request id that the
# RequestIdMiddleware put on the response (the same id as on the application's log lines).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s ua="%(a)s"'
