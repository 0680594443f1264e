"""Demo data for the catalog: topics, the seed's themed series, a course for every active instructor, the seed's 40
premium courses, four online columns with 40+ works, a few rectifications (one overdue) and a training programme
on the seed's 7 learning topics.

Deterministic for a given random seed, and idempotent: rows are found by their natural keys (an instructor who
already leads a course gets no new one) and a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from instructors.models import Instructor, Region, User

from .models import (
    Column,
    ColumnWork,
    Course,
    CourseStatusChange,
    PremiumLibraryEntry,
    Rectification,
    Series,
    Topic,
    TrainingProgramme,
    TrainingSession,
    TrainingSignup,
    TrainingWish,
)

CATALOG_TOPICS = {
    "党的创新理论": "学习贯彻新时代中国特色社会主义思想和全会精神",
    "党史学习教育": "党史、新中国史、改革开放史、社会主义发展史",
    "乡村振兴": "产业振兴、农村电商、农业现代化",
    "基层治理": "村级治理、社区治理、网格化服务",
    "县域经济": "国土空间规划、营商环境、县域高质量发展",
    "生态文明": "生态环保攻坚、双遗产保护",
    "文旅融合": "文旅融合发展、地方文化传承",
    "党章党规": "党章党规党纪学习",
    "廉洁教育": "警示教育、廉洁文化",
}
# The seed's "授课内容、授课技巧、授课方式等7个学习专题" for instructors (the full list is masked; these are ours).
TRAINING_TOPICS = {
    "理论武装与政治引领": "党的创新理论与全会精神专题辅导",
    "授课内容设计": "从政策文件到课程内容：选题、提纲与案例",
    "授课技巧提升": "语言表达、互动组织与课堂节奏",
    "授课方式创新": "情景教学、现场教学与研讨式教学",
    "课件与新媒体制作": "课件设计、微视频与微动画制作",
    "案例教学方法": "本地案例的采集、编写与运用",
    "教学评估与反馈": "满意度测评结果的解读与课程改进",
}
SERIES = {
    "守护嘉州瑰宝，践行党员担当": (
        "围绕世界文化与自然双遗产的保护与传承，涵盖文旅融合发展策略、生态环保攻坚行动等内容。"
    ),
    "党建引领农业现代化，助力乡村振兴腾飞": "从农业科技前沿到农村电商运营技巧，服务地方特色农业产业发展。",
}
NAMED_PREMIUM = [
    ("强化国土空间规划引领促进县域经济高质量发展", "县域经济"),
    ("坚持党建引领激活村级治理新动能", "基层治理"),
]
PREMIUM_SUBJECTS = [
    ("全面推进乡村振兴", "乡村振兴"),
    ("加强基层党组织建设", "基层治理"),
    ("赓续红色血脉", "党史学习教育"),
    ("守护世界双遗产", "生态文明"),
    ("推动文旅深度融合", "文旅融合"),
    ("发展农村电子商务", "乡村振兴"),
    ("建设清廉机关", "廉洁教育"),
    ("学好用好党章", "党章党规"),
    ("深化网格化服务管理", "基层治理"),
    ("打好污染防治攻坚战", "生态文明"),
    ("优化县域营商环境", "县域经济"),
    ("壮大村级集体经济", "乡村振兴"),
    ("弘扬伟大建党精神", "党史学习教育"),
    ("学习贯彻全会精神", "党的创新理论"),
    ("推进农业现代化", "乡村振兴"),
    ("做好新时代群众工作", "基层治理"),
    ("传承嘉州历史文脉", "文旅融合"),
    ("筑牢廉洁自律防线", "廉洁教育"),
    ("提升社区治理效能", "基层治理"),
]
PREMIUM_PATTERNS = ["以党建引领{}", "{}的嘉州实践"]
COURSE_PATTERNS = ["{}专题党课", "{}的实践与思考", "新时代{}", "{}案例解析", "聚焦{}"]
COLUMNS = [
    ("党课开讲啦", "dangke-kaijiangla", "精品党课视频展播"),
    ("青年党员说", "qingnian-dangyuan-shuo", "青年党员讲述身边故事"),
    ("嘉州先锋", "jiazhou-xianfeng", "基层先锋人物与典型经验"),
    ("党课嘉园", "dangke-jiayuan", "音频党课与微动画"),
]
MEDIA_FORMATS = [Course.Format.MICRO_VIDEO, Course.Format.ANIMATION, Course.Format.AUDIO]
AUDIENCES = ["基层党员", "村（社区）党组织书记", "机关党员干部", "青年党员", "流动党员", "两新组织党员"]
PROGRAMME_TITLE = "{year}年度党员教育师资“以训提能”培训班"


@transaction.atomic
def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    """Build the catalog's demo data; returns the counts created."""
    rng = random.Random(seed + 3)
    today = timezone.localdate()
    city = Region.objects.filter(code="5111").first()
    admin = User.objects.filter(username="admin").first()
    topics = {
        name: Topic.objects.get_or_create(name=name, defaults={"description": d})[0]
        for name, d in {**CATALOG_TOPICS, **TRAINING_TOPICS}.items()
    }
    series = [
        Series.objects.get_or_create(name=n, defaults={"description": d, "owner": admin})[0] for n, d in SERIES.items()
    ]
    created = _courses(rng, topics, series, today)
    if created:
        _premium(today, admin)
        _rectifications(today)
    works = _columns(rng, today, admin)
    if city is not None:
        _training(rng, city, topics, today, admin)
    if stdout:
        stdout.write(
            f"      课程 {Course.objects.count()} 门（新增 {created}），"
            f"精品课程 {PremiumLibraryEntry.objects.filter(year=today.year).count()} 门，专栏作品 {works} 件"
        )
    return {"courses": created}


def _premium_titles() -> list[tuple[str, str]]:
    titles = list(NAMED_PREMIUM)
    for pattern in PREMIUM_PATTERNS:
        titles += [(pattern.format(subject), topic) for subject, topic in PREMIUM_SUBJECTS]
    return titles[:40]


def _courses(rng: random.Random, topics: dict[str, Topic], series: list[Series], today: dt.date) -> int:
    """One course for every active instructor without one; the first 40 city-level instructors carry the seed's
    40 premium courses."""
    leaders = set(Course.objects.values_list("lead_instructor_id", flat=True).distinct())
    people = list(Instructor.objects.filter(status=Instructor.Status.ACTIVE).exclude(pk__in=leaders).order_by("pk"))
    if not people:
        return 0
    first_group = dict(
        Instructor.groups.through.objects.filter(instructor_id__in=[p.pk for p in people])
        .order_by("instructor_id", "teachinggroup_id")
        .values_list("instructor_id", "teachinggroup_id")
    )
    premium_titles = _premium_titles() if not PremiumLibraryEntry.objects.exists() else []
    catalog = [t for t in CATALOG_TOPICS]
    now = timezone.now()
    rows = []
    city_level = [p.pk for p in people if p.tier != Instructor.Tier.COUNTY]
    premium_for = {pk: premium_titles[i] for i, pk in enumerate(city_level[: len(premium_titles)])}
    for person in people:
        if person.pk in premium_for:
            title, topic_name = premium_for[person.pk]
            status, fmt = Course.Status.PREMIUM, Course.Format.LECTURE
        else:
            topic_name = rng.choice(catalog)
            title = rng.choice(COURSE_PATTERNS).format(topic_name)
            roll = rng.random()
            status = (
                Course.Status.DRAFT if roll < 0.04 else Course.Status.IN_REVIEW if roll < 0.08 else Course.Status.ACTIVE
            )
            fmt = (
                rng.choice(MEDIA_FORMATS)
                if rng.random() < 0.15
                else rng.choice([Course.Format.LECTURE] * 8 + [Course.Format.LIVE, Course.Format.VR_AR])
            )
        chosen_series = None
        if topic_name == "文旅融合" or (topic_name == "生态文明" and rng.random() < 0.5):
            chosen_series = series[0]
        elif topic_name == "乡村振兴" and rng.random() < 0.6:
            chosen_series = series[1]
        rows.append(
            Course(
                title=title,
                summary=f"围绕{topic_name}，结合嘉州本地案例讲解政策要点与实践路径。",
                topic=topics[topic_name],
                series=chosen_series,
                format=fmt,
                duration_minutes=rng.choice([15, 8, 10]) if fmt in MEDIA_FORMATS else rng.choice([45, 60, 90, 120]),
                audience=rng.choice(AUDIENCES),
                lead_instructor=person,
                group_id=first_group.get(person.pk),
                status=status,
                status_changed_at=now - dt.timedelta(days=rng.randrange(20, 300)),
            )
        )
    Course.objects.bulk_create(rows, batch_size=1000)
    saved = list(Course.objects.filter(lead_instructor__in=people).order_by("pk"))
    changes = []
    path = {
        Course.Status.DRAFT: [Course.Status.DRAFT],
        Course.Status.IN_REVIEW: [Course.Status.DRAFT, Course.Status.IN_REVIEW],
        Course.Status.ACTIVE: [Course.Status.DRAFT, Course.Status.IN_REVIEW, Course.Status.ACTIVE],
        Course.Status.PREMIUM: [
            Course.Status.DRAFT,
            Course.Status.IN_REVIEW,
            Course.Status.ACTIVE,
            Course.Status.PREMIUM,
        ],
    }
    reasons = {
        "draft": "新建课程",
        "in_review": "提交教研组审核",
        "active": "审核通过，上架课程菜单",
        "premium": "遴选纳入精品课程库",
    }
    for course in saved:
        previous = ""
        steps = path[course.status]
        for offset, step in enumerate(steps):
            at = course.status_changed_at - dt.timedelta(days=10 * (len(steps) - 1 - offset))
            changes.append(
                CourseStatusChange(
                    course=course, from_status=previous, to_status=step, changed_at=at, reason=reasons[step]
                )
            )
            previous = step
    CourseStatusChange.objects.bulk_create(changes, batch_size=2000)
    return len(saved)


def _premium(today: dt.date, admin: User | None) -> None:
    entries = [
        PremiumLibraryEntry(
            year=today.year,
            course=course,
            reason=PremiumLibraryEntry.Reason.ORGANIZER_SELECTION,
            source="市委组织部精品课程遴选",
            added_by=admin,
        )
        for course in Course.objects.filter(status=Course.Status.PREMIUM).order_by("pk")[:40]
    ]
    PremiumLibraryEntry.objects.bulk_create(entries, ignore_conflicts=True)


def _rectifications(today: dt.date) -> None:
    """Four courses off the shelf: one overdue, one with a revision waiting, two open (one of the demo instructor)."""
    demo = Course.objects.filter(lead_instructor__user__username="instructor", status=Course.Status.ACTIVE).first()
    others = list(
        Course.objects.filter(status=Course.Status.ACTIVE, lead_instructor__tier=Instructor.Tier.COUNTY)
        .exclude(pk=getattr(demo, "pk", None))
        .order_by("pk")[:3]
    )
    plans = [
        (
            others[0] if others else None,
            -12,
            Rectification.Status.OPEN,
            "满意度测评连续两场为黄灯",
            "学员反映案例陈旧、互动不足",
        ),
        (
            others[1] if len(others) > 1 else None,
            10,
            Rectification.Status.SUBMITTED,
            "课后测评得分低于60分",
            "理论阐释不够深入",
        ),
        (
            others[2] if len(others) > 2 else None,
            20,
            Rectification.Status.OPEN,
            "专家评价指出内容与主题偏离",
            "课程结构需重新梳理",
        ),
        (demo, 25, Rectification.Status.OPEN, "基层群众代表评价一般", "语速过快，知识点讲解时长分配不均"),
    ]
    now = timezone.now()
    for course, days, status, reason, findings in plans:
        if course is None:
            continue
        CourseStatusChange.objects.create(
            course=course, from_status=course.status, to_status=Course.Status.RECTIFICATION, reason=reason
        )
        Course.objects.filter(pk=course.pk).update(status=Course.Status.RECTIFICATION, status_changed_at=now)
        Rectification.objects.create(
            course=course,
            status=status,
            reason=reason,
            findings=findings,
            deadline=today + dt.timedelta(days=days),
            opened_at=now - dt.timedelta(days=30),
            revision_note="已更新本地案例并压缩理论部分" if status == Rectification.Status.SUBMITTED else "",
            submitted_at=now - dt.timedelta(days=2) if status == Rectification.Status.SUBMITTED else None,
        )


def _columns(rng: random.Random, today: dt.date, admin: User | None) -> int:
    columns = [
        Column.objects.get_or_create(slug=slug, defaults={"name": name, "description": d, "owner": admin})[0]
        for name, slug, d in COLUMNS
    ]
    if ColumnWork.objects.filter(column__in=columns).exists():
        return ColumnWork.objects.filter(column__in=columns).count()
    media = list(
        Course.objects.filter(format__in=MEDIA_FORMATS)
        .orderable()
        .select_related("lead_instructor")
        .order_by("pk")[:48]
    )
    works = []
    for index, course in enumerate(media):
        works.append(
            ColumnWork(
                column=columns[index % len(columns)],
                course=course,
                title=f"{course.title}（{course.lead_instructor.name}）",
                format=course.format,
                summary=course.summary,
                published_on=today - dt.timedelta(days=rng.randrange(5, 330)),
                is_published=index % 11 != 10,
                view_count=rng.randrange(300, 25000),
            )
        )
    ColumnWork.objects.bulk_create(works, ignore_conflicts=True)
    return len(works)


def _training(rng: random.Random, city: Region, topics: dict[str, Topic], today: dt.date, admin: User | None) -> None:
    programme, created = TrainingProgramme.objects.get_or_create(
        title=PROGRAMME_TITLE.format(year=today.year),
        defaults={
            "year": today.year,
            "region": city,
            "description": "菜单式授课、点餐式学习、回应式闭环：课前按需点单，课中现场评估，课后反馈调整。",
            "starts_on": today - dt.timedelta(days=20),
            "ends_on": today + dt.timedelta(days=40),
            "owner": admin,
        },
    )
    if not created:
        return
    training_topics = [topics[name] for name in TRAINING_TOPICS]
    programme.topics.set(training_topics)
    teachers = ["市委党校 刘教授", "省委党校 陈教授", "嘉州职业技术学院 周老师", "市委讲师团 何主任"]
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=14), dt.time(9)))
    sessions = TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                programme=programme,
                topic=topic,
                title=topic.name,
                starts_at=start + dt.timedelta(days=7 * index),
                ends_at=start + dt.timedelta(days=7 * index, hours=3),
                place="中共嘉州市委党校 第一教室" if index % 2 == 0 else "嘉州市党员教育中心 报告厅",
                teacher=teachers[index % len(teachers)],
                capacity=60,
            )
            for index, topic in enumerate(training_topics)
        ]
    )
    people = list(Instructor.objects.filter(region=city, status=Instructor.Status.ACTIVE).order_by("pk")[:110])
    signups, wishes = [], []
    for person in people:
        for topic in rng.sample(training_topics, 2):
            wishes.append(TrainingWish(programme=programme, topic=topic, instructor=person))
        session = rng.choice(sessions)
        signups.append(
            TrainingSignup(
                session=session, instructor=person, attended=True if session.starts_at < timezone.now() else None
            )
        )
    TrainingWish.objects.bulk_create(wishes, ignore_conflicts=True)
    # Respect capacity even in demo data: keep the first 60 of each session.
    per_session: dict[int, int] = {}
    kept = []
    for signup in signups:
        if per_session.get(signup.session.pk, 0) < signup.session.capacity:
            per_session[signup.session.pk] = per_session.get(signup.session.pk, 0) + 1
            kept.append(signup)
    TrainingSignup.objects.bulk_create(kept, ignore_conflicts=True)
