"""Demo data for feedback from the public and the grassroots: 弹幕 and 留言 on column works (most approved, some
waiting in the moderation queue, one removed with its reason) and a forum and a field visit about the demo
instructor's course. Safe to run again: nothing is added once demo comments exist."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from courses.models import Column, ColumnWork, Course
from evaluations.feedback import services as feedback_services
from evaluations.models import PublicComment
from evaluations.survey import services as survey_services
from instructors.models import User

DANMAKU = [
    "开头的故事很抓人",
    "这个案例就发生在我们镇上",
    "讲得透彻，一听就懂",
    "这段数据很有说服力",
    "节奏有点快，没跟上",
    "理论联系实际，点赞",
    "字幕再大一点就好了",
    "这里可以多举个例子",
    "老党员听了很受触动",
    "收藏了，组织生活会上再放一遍",
]
MESSAGES = [
    "内容很实用，希望多出几期讲基层治理的。",
    "建议配上字幕，村里老党员听方言口音有点吃力。",
    "案例新鲜接地气，我们支部组织集中观看了。",
]


def _demo_work(today: dt.date) -> ColumnWork | None:
    """A published work of the demo instructor's course (made in the first column when there is none)."""
    work = (
        ColumnWork.objects.filter(course__lead_instructor__user__username="instructor", is_published=True)
        .order_by("pk")
        .first()
    )
    if work is not None:
        return work
    course = Course.objects.filter(lead_instructor__user__username="instructor").order_by("pk").first()
    column = Column.objects.order_by("pk").first()
    if course is None or column is None:
        return None
    return ColumnWork.objects.get_or_create(
        column=column,
        title=f"{course.title}（微视频）",
        defaults={
            "course": course,
            "format": Course.Format.MICRO_VIDEO,
            "summary": course.summary,
            "published_on": today - dt.timedelta(days=20),
            "is_published": True,
            "view_count": 3260,
        },
    )[0]


def _comments(rng: random.Random, work: ColumnWork, moderator: User | None) -> int:
    now = timezone.now()
    rows = []
    for n in range(24):
        state = PublicComment.State.PUBLIC if n < 19 else PublicComment.State.PENDING
        rows.append(
            PublicComment(
                work=work,
                kind=PublicComment.Kind.DANMAKU,
                text=DANMAKU[n % len(DANMAKU)],
                # Clustered around the opening story and the data at about 1:40, as real audiences do.
                at_seconds=rng.choice([rng.randrange(0, 20), rng.randrange(95, 115), rng.randrange(20, 300)]),
                state=state,
                moderated_by=moderator if state == PublicComment.State.PUBLIC else None,
                moderated_at=now if state == PublicComment.State.PUBLIC else None,
            )
        )
    rows.append(
        PublicComment(
            work=work,
            kind=PublicComment.Kind.DANMAKU,
            text="加微信领资料 xxx",
            at_seconds=42,
            state=PublicComment.State.REMOVED,
            moderation_reason="广告",
            moderated_by=moderator,
            moderated_at=now,
        )
    )
    for n, text in enumerate(MESSAGES):
        state = PublicComment.State.PUBLIC if n < 2 else PublicComment.State.PENDING
        rows.append(
            PublicComment(work=work, kind=PublicComment.Kind.MESSAGE, text=text, state=state, moderated_by=moderator)
        )
    PublicComment.objects.bulk_create(rows)
    return len(rows)


def _visits(work: ColumnWork, organizer: User | None, today: dt.date) -> int:
    course = work.course
    if organizer is None or course is None or not Course.objects.managed_by(organizer).filter(pk=course.pk).exists():
        return 0
    dimensions = list(survey_services.indicator_system_current().dimensions.order_by("order"))
    found = ["案例贴近基层实际，党员愿意听", "互动环节偏少，提问时间不够", "听后支部制定了整改清单"]
    feedback_services.field_visit_record(
        by=organizer,
        kind="forum",
        course=course,
        lecture=None,
        held_on=today - dt.timedelta(days=12),
        place="嘉城区委党校第二会议室",
        notes="座谈会由区委组织部主持，师资本人未到场。",
        participants={"trainees": 14, "cadres": 4},
        findings={d.pk: found[i] for i, d in enumerate(dimensions[:3])},
    )
    feedback_services.field_visit_record(
        by=organizer,
        kind="visit",
        course=course,
        lecture=None,
        held_on=today - dt.timedelta(days=5),
        place="青龙镇白马村党群服务中心",
        notes="走访三户老党员，均表示课程录像在村里反复播放。",
        participants={"members": 6, "public": 3},
        findings={dimensions[-1].pk: "村里据此调整了“三会一课”安排"} if dimensions else {},
    )
    return 2


def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    write = stdout.write if stdout else print
    if PublicComment.objects.exists():
        return {"comments": 0, "visits": 0}
    today = timezone.localdate()
    work = _demo_work(today)
    if work is None:
        write("      跳过网友反馈演示：没有演示师资的课程或专栏")
        return {"comments": 0, "visits": 0}
    organizer = User.objects.filter(username="organizer").first()
    rng = random.Random(seed)
    comments = _comments(rng, work, organizer)
    others = ColumnWork.objects.filter(is_published=True).exclude(pk=work.pk).order_by("pk")[:3]
    for other in others:
        comments += _comments(rng, other, organizer)
    return {"comments": comments, "visits": _visits(work, organizer, today)}
