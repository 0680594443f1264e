#!/usr/bin/env bash
# The alliance demo: a second city's portal (眉山市) beside the demo portal of `make demo` / `make run` (port 8000),
# on port 8001 with a database, media and key of its own under var/portal2. The two register each other, the first
# shares 20 of its active courses, and the second pulls them. Start the second portal with
#   VAR_DIR=var/portal2 .venv/bin/python manage.py runserver 127.0.0.1:8001
# and log in there as the demo organizer: 课程 → 联盟课程库. PORT1 and PORT2 choose other ports.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
P2=var/portal2
URL1="http://127.0.0.1:${PORT1:-8000}"
URL2="http://127.0.0.1:${PORT2:-8001}"
mkdir -p "$P2/media" "$P2/celery/processed" "$P2/log"
one() { $PY manage.py "$@"; }
# The second portal has its own SQLite database and no Redis (DATABASE_URL2 / REDIS_URL2 give it others).
two() { VAR_DIR="$P2" DATABASE_URL="${DATABASE_URL2:-}" REDIS_URL="${REDIS_URL2:-}" $PY manage.py "$@"; }

if [ -f "$P2/db.sqlite3" ]; then
  two migrate --noinput -v 0
else
  echo "==> 第二个门户（眉山市）：建库并生成演示数据（几分钟）……"
  two migrate --noinput -v 0
  two seed_demo >/dev/null
fi
echo "==> 交换公钥和地址……"
KEY1=$(one alliance_key | sed -n 1p)
KEY2=$(two alliance_key | sed -n 1p)
one alliance_partner 眉山市 "$URL2" "$KEY2"
two alliance_partner 乐山市 "$URL1" "$KEY1"
echo "==> 第一个门户共享 20 门在用课程……"
one shell -c "
from alliance.services import course_share
from courses.models import Course
for course in Course.objects.orderable().order_by('pk')[:20]:
    course_share(course=course, shared=True, by=None)
print('shared', Course.objects.filter(alliance_share__shared=True).count())
"
if curl -fs -o /dev/null "$URL1/healthz"; then
  echo "==> 第二个门户拉取第一个门户的联盟课程……"
  two alliance_pull
else
  echo "第一个门户没有在 $URL1 运行：先 make run，再运行 VAR_DIR=$P2 $PY manage.py alliance_pull"
fi
echo "第二个门户：VAR_DIR=$P2 $PY manage.py runserver ${URL2#http://}"
