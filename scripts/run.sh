#!/usr/bin/env bash
# `make run`: the web server and a Celery worker with embedded beat, then one banner once the portal answers.
# The portal runs as a user sees it (DEBUG off: Chinese error pages); `DEBUG=1 make run` shows Django's debug pages.
# Ctrl-C (or SIGTERM) stops both and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
PY=.venv/bin/python
mkdir -p var/log var/celery/processed var/staticfiles var/media
export DEBUG="${DEBUG:-0}" LOCAL_RUN=1

# The secret key: config/settings.py makes a random one once per checkout in var/secret_key (web and worker share it).

WORKER="" WEB=""
stop() {
  local code="${1:-0}"
  trap - INT TERM
  echo
  echo "正在停止网站和后台任务……"
  for pid in $WEB $WORKER; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "已停止。"
  exit "$code"
}
trap 'stop 0' INT TERM

echo "==> 启动后台任务（Celery worker + beat）和网站……"
.venv/bin/celery -A config worker -B -l info --concurrency=2 >var/log/celery.log 2>&1 &
WORKER=$!
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload >var/log/web.log 2>&1 &
WEB=$!

# Wait until the home page answers (login redirect counts), at most a minute.
if ! $PY - "$PORT" <<'PY'; then
import sys, time, urllib.error, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/login/"
for _ in range(240):
    try:
        urllib.request.urlopen(url, timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except OSError:
        time.sleep(0.25)
sys.exit(1)
PY
  echo "网站未能启动，见 var/log/web.log：" >&2
  tail -n 20 var/log/web.log >&2
  stop 1
fi

if [ "$DEBUG" = "0" ]; then MODE="产品模式（DEBUG 关闭，出错时显示中文错误页；开发调试请用 DEBUG=1 make run）"
else MODE="调试模式（DEBUG 开启，出错时显示 Django 调试页）"; fi
cat <<MSG

  ================================================================
  党员教育师资管理平台 已就绪：  http://127.0.0.1:${PORT}/
  系统后台（Django admin）：    http://127.0.0.1:${PORT}/admin/

  演示账号（密码均为 demo12345）：
    admin        系统管理员
    organizer    市委组织部（全市）
    county       县委组织部（一个县）
    instructor   县级在库师资
    judge        竞赛评委 / 评审专家

  正在运行：网站（Django runserver，${MODE}）
            Celery 后台任务与定时任务（beat）
  日志：var/log/web.log（网站）  var/log/celery.log（后台任务）
  停止：按 Ctrl-C
  ================================================================

MSG
wait "$WEB" || true
echo "网站进程已退出，见 var/log/web.log。" >&2
stop 1
