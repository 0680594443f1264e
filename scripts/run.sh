#!/usr/bin/env bash
# Starts the web server and a Celery worker with embedded beat; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
PY=.venv/bin/python
mkdir -p var/log var/celery/processed var/staticfiles var/media

.venv/bin/celery -A config worker -B -l info --concurrency=2 >var/log/celery.log 2>&1 &
WORKER=$!
cleanup() {
  trap - INT TERM EXIT
  echo; echo "正在停止 / stopping…"
  kill "$WORKER" 2>/dev/null || true
  [ -n "${WEB:-}" ] && kill "$WEB" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

cat <<MSG

  党员教育师资管理平台 is running:  http://127.0.0.1:${PORT}/
  Django admin:                    http://127.0.0.1:${PORT}/admin/

  Demo logins (password demo12345 for all):
    admin        系统管理员 (Django admin)
    organizer    市委组织部 organizer (whole city)
    county       县级 organizer (one county)
    instructor   an active county instructor
    judge        a competition judge / expert

  Celery worker + beat log: var/log/celery.log     Stop: Ctrl-C

MSG
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload &
WEB=$!
wait "$WEB"
