#!/usr/bin/env bash
# The alliance demo: a second city's portal (眉山市) beside the demo portal of `make demo` / `make run` (port 8000),
# on port 8001 with a database, media and key of its own under var/portal2. The two register each other, the first
# shares 20 of its active courses, and the second pulls them. Start the second portal with
#   VAR_DIR=var/portal2 .venv/bin/python manage.py runserver 127.0.0.1:8001
# and log in there as the demo organizer: 课程 → 联盟课程库, and 课程 → 联盟活动 for the first portal's two joint events
# (register there: the registration travels to the first portal). PORT1 and PORT2 choose other ports.
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
echo "==> 第一个门户发布两场联盟活动……"
one shell -c "
import datetime as dt
from django.utils import timezone
from alliance.models import EventSession, JointEvent
from alliance.services import event_publish
if not JointEvent.objects.ours().exists():
    for n, (title, place) in enumerate([('成乐眉党员教育联合研讨会', '乐山市委党校报告厅'), ('乡村振兴师资峰会', '峨眉山市会议中心')]):
        day = timezone.localdate() + dt.timedelta(days=20 + 14 * n)
        event = JointEvent.objects.create(title=title, theme='党员教育协作', starts_on=day, ends_on=day + dt.timedelta(days=1),
            place=place, registration_deadline=timezone.now() + dt.timedelta(days=15 + 14 * n), capacity=60)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        EventSession.objects.create(event=event, starts_at=start, title='开幕式', speaker='市委组织部', room='主会场')
        EventSession.objects.create(event=event, starts_at=start + dt.timedelta(hours=1), title='经验交流', speaker='各市代表', room='主会场')
        event_publish(event=event)
print('events', JointEvent.objects.ours().count())
"
if curl -fs -o /dev/null "$URL1/healthz"; then
  echo "==> 第二个门户拉取第一个门户的联盟课程……"
  two alliance_pull
else
  echo "第一个门户没有在 $URL1 运行：先 make run，再运行 VAR_DIR=$P2 $PY manage.py alliance_pull"
fi
echo "第二个门户：VAR_DIR=$P2 $PY manage.py runserver ${URL2#http://}"
