"""Demo data for 以情聚心 (needs the registry, catalog, outreach and evaluation demos first).

Built through the services, so the demo shows what the pages would have written: a fund with three rounds whose
nominees come from the real figures, awards paid within the budget, honours and both priority lists, further-study
programmes with applications at every stage, group-leader posts that follow the recorded leaders, career plans,
two counsellors with talks and bookings, and the greetings of the last Teachers' Day. Idempotent: every part is
found by its natural key on a second run and nothing is added.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from care import services
from care.models import (
    AwardFund,
    CounsellingTalk,
    Counsellor,
    GreetingText,
    Honour,
    InternalPost,
    PriorityList,
    StudyProgramme,
)
from config.demo.instructors import demo_password_hash
from instructors.models import Instructor, InstructorYearFigures, Region, TeachingGroup, User

ROUNDS = [
    ("年度优秀师资", "5000", [("quality", "88"), ("lectures", "8")], "质量得分与授课量双优。"),
    ("课程创新奖", "3000", [("innovation", "1")], "当年开发微视频、微动画、VR/AR 或直播课程。"),
    ("学员满意奖", "2000", [("satisfaction", "95"), ("lectures", "4")], "学员满意率 95% 以上。"),
]
# The summary line of seed_demo: (key of ``seed``'s counts, what, unit).
SUMMARY = [
    ("awards", "奖励发放", "人次"),
    ("honours", "荣誉", "项"),
    ("programmes", "进修项目", "个"),
    ("posts", "内部岗位", "个"),
    ("plans", "职业发展规划", "份"),
    ("bookings", "心理关爱预约", "人次"),
    ("greetings", "节日问候", "条"),
]
PROGRAMMES = [
    ("在职研究生（马克思主义理论）", StudyProgramme.Kind.GRADUATE, "省委党校研究生院", 5, "30", "80", 3),
    ("马克思主义学院高级研修班", StudyProgramme.Kind.ADVANCED, "马克思主义学院", 20, "6", "75", None),
    ("干部学院党性教育专题进修", StudyProgramme.Kind.PARTNER, "井冈山干部学院", 15, "4", None, 1),
]


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    """Build the care demo for the first city; returns what was created."""
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    organizer = User.objects.filter(username="organizer").first()
    if city is None or organizer is None:
        return {}
    rng = random.Random(seed * 11 + 17)
    year = InstructorYearFigures.objects.filter(quality__isnull=False).aggregate(y=Max("year"))["y"]
    year = year or timezone.localdate().year
    made = {
        "awards": _awards(city, year, organizer, rng),
        "honours": _honours(city, year, organizer, rng),
        "programmes": _study(city, organizer, rng),
        "posts": _posts(city, organizer),
        "plans": _plans(city, year, organizer, rng),
        "bookings": _counselling(city, rng),
        "greetings": _greetings(scale),
    }
    for kind in PriorityList.Kind.values:
        services.priority_list_generate(region=city, year=year, kind=kind, by=organizer)
    parts = [f"{label} {made[key]} {unit}" for key, label, unit in SUMMARY if made[key]]
    _say(stdout, f"      新建：{'，'.join(parts)}" if parts else "      已有，未新增")
    return made


def _awards(city: Region, year: int, organizer: User, rng: random.Random) -> int:
    fund = AwardFund.objects.filter(region=city, year=year).first()
    if fund is not None:
        return 0
    fund = services.fund_create(
        region=city, year=year, name="嘉州市师资专项奖励基金", budget=Decimal("200000"), by=organizer
    )
    paid = 0
    for name, amount, rules, description in ROUNDS:
        award_round = services.round_create(
            fund=fund,
            name=name,
            default_amount=Decimal(amount),
            criteria=[(figure, Decimal(minimum)) for figure, minimum in rules],
            description=description,
            by=organizer,
        )
        services.round_propose(award_round=award_round)
        nominees = list(award_round.nominations.order_by("pk"))
        for nomination in nominees[: max(1, len(nominees) * 2 // 3)][:15]:
            try:
                services.nomination_approve(
                    nomination=nomination, amount=Decimal(amount), by=organizer, reason="经研究同意"
                )
            except ValidationError:  # the budget ran out: the rest stay open, as they would on the page
                break
            paid += 1
        for nomination in nominees[15:17]:
            services.nomination_reject(nomination=nomination, by=organizer, reason="本年度已获同类表彰")
    return paid


def _honours(city: Region, year: int, organizer: User, rng: random.Random) -> int:
    if Honour.objects.filter(instructor__region__path__startswith=city.path).exists():
        return 0
    best = list(
        InstructorYearFigures.objects.filter(
            year=year, quality__isnull=False, instructor__region__path__startswith=city.path
        )
        .order_by("-quality", "pk")
        .values_list("instructor_id", flat=True)[:12]
    )
    titles = [("优秀党员教育师资", "city", "嘉州市委组织部"), ("全省党员教育先进个人", "provincial", "嘉陵省委组织部")]
    for i, pk in enumerate(best):
        title, level, by_whom = titles[0] if i % 4 else titles[1]
        services.honour_record(
            instructor=Instructor.objects.get(pk=pk),
            title=title,
            level=level,
            conferred_by=by_whom,
            conferred_on=dt.date(year, 7, 1),
            by=organizer,
        )
    return len(best)


def _study(city: Region, organizer: User, rng: random.Random) -> int:
    today = timezone.localdate()
    made = 0
    people = list(Instructor.objects.in_pool().within(city).order_by("pk")[:60])
    demo = Instructor.objects.filter(user__username="instructor").first()
    for i, (name, kind, partner, seats, credits, min_q, min_years) in enumerate(PROGRAMMES):
        programme, created = StudyProgramme.objects.get_or_create(
            region=city,
            year=today.year,
            name=name,
            defaults={
                "kind": kind,
                "partner": partner,
                "seats": seats,
                "credits": Decimal(credits),
                "apply_until": today + dt.timedelta(days=30 + 15 * i),
                "min_quality": Decimal(min_q) if min_q else None,
                "min_years_in_pool": min_years,
                "description": f"{partner}承办，学习期满考核合格颁发结业证书。",
                "created_by": organizer,
            },
        )
        if not created:
            continue
        made += 1
        applicants = [p for p in rng.sample(people, min(len(people), seats + 4)) if p != demo]
        if i == 2 and demo is not None:
            applicants.insert(0, demo)
        for n, person in enumerate(applicants):
            if services.study_eligibility(programme=programme, instructor=person):
                continue
            application = services.study_apply(
                programme=programme, instructor=person, motivation="提升理论素养和授课能力。"
            )
            if n % 3 == 2:
                continue
            try:
                services.study_application_decide(application=application, approve=True, by=organizer)
            except ValidationError:  # seats full: the rest stay waiting, as on a real programme
                continue
            if i == 1 and n % 2 == 0:
                services.study_application_complete(
                    application=application,
                    completed_on=today - dt.timedelta(days=10),
                    credits=programme.credits,
                    certificate_no=f"MYJ-{today.year}-{application.pk:04d}",
                    by=organizer,
                )
    return made


def _posts(city: Region, organizer: User) -> int:
    made = 0
    for group in (
        TeachingGroup.objects.filter(region__path__startswith=city.path).select_related("leader").order_by("pk")
    ):
        post, created = InternalPost.objects.get_or_create(
            region=group.region, name=f"{group.name}组长", defaults={"group": group, "term_years": 3}
        )
        if not created:
            continue
        made += 1
        leader = group.leader
        if leader is not None and leader.can_teach and group.members.filter(pk=leader.pk).exists():
            services.appointment_make(
                post=post, instructor=leader, starts_on=dt.date(timezone.localdate().year - 1, 3, 1), by=organizer
            )
    project, created = InternalPost.objects.get_or_create(
        region=city, name="课程研发项目主管", defaults={"term_years": 2, "duties": "统筹年度精品课程研发与擂台赛备赛。"}
    )
    if created:
        made += 1
        first = Instructor.objects.in_pool().within(city).filter(tier=Instructor.Tier.MUNICIPAL).order_by("pk")[:2]
        if len(first) == 2:
            earlier = services.appointment_make(
                post=project, instructor=first[0], starts_on=dt.date(timezone.localdate().year - 3, 1, 1), by=organizer
            )
            services.appointment_end(
                appointment=earlier,
                ended_on=dt.date(timezone.localdate().year - 1, 1, 1),
                reason="任期届满",
                by=organizer,
            )
            services.appointment_make(
                post=project, instructor=first[1], starts_on=dt.date(timezone.localdate().year - 1, 1, 2), by=organizer
            )
    return made


def _plans(city: Region, year: int, organizer: User, rng: random.Random) -> int:
    people = list(Instructor.objects.in_pool().within(city).order_by("pk")[:10])
    demo = Instructor.objects.filter(user__username="instructor").first()
    if demo is not None and demo not in people:
        people.append(demo)
    made = 0
    for person in people:
        if person.career_plans.filter(year=year).exists():
            continue
        services.career_plan_save(
            instructor=person,
            year=year,
            direction="向市级师资发展，打造一门精品课程。",
            goals=[
                {"figure": "lectures", "target": Decimal(rng.choice([8, 10, 12])), "note": "深入基层宣讲"},
                {"figure": "quality", "target": Decimal("85"), "note": ""},
                {"figure": "premium", "target": Decimal("1"), "note": "冲刺十佳课程"},
            ],
            by=organizer,
        )
        made += 1
    return made


def _counselling(city: Region, rng: random.Random) -> int:
    specs = [("counsellor", "心理咨询师 周宁"), ("counsellor2", "心理咨询师 何静")]
    counsellors = []
    for username, display in specs:
        account = User.objects.filter(username=username).first()
        if account is None:
            account = User(username=username, role=User.Role.JUDGE, display_name=display)
            account.password = demo_password_hash()
            account.save()
        counsellor, _created = Counsellor.objects.get_or_create(
            user=account, defaults={"region": city, "introduction": "国家二级心理咨询师，擅长压力疏导。"}
        )
        counsellors.append(counsellor)
    if CounsellingTalk.objects.filter(region=city).exists():
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    talks = [
        CounsellingTalk.objects.create(
            region=city,
            counsellor=counsellors[i % 2],
            title=title,
            starts_at=now + dt.timedelta(days=7 + 14 * i, hours=2),
            place="市委党校报告厅",
            capacity=60,
        )
        for i, title in enumerate(["讲台之外：师资压力管理", "基层宣讲中的情绪调适"])
    ]
    people = list(Instructor.objects.in_pool().within(city).filter(user__isnull=False).order_by("pk")[:8])
    made = 0
    for i, person in enumerate(people):
        services.counselling_talk_book(talk=talks[i % 2], instructor=person)
        made += 1
    demo = Instructor.objects.filter(user__username="instructor").first()
    if demo is not None:
        services.counselling_book(
            instructor=demo,
            counsellor=counsellors[0],
            wanted_at=now + dt.timedelta(days=3, hours=3),
            concern="最近下乡宣讲任务多，休息不好，想聊聊如何调整。",
        )
        made += 1
    return made


def _greetings(scale: str) -> int:
    for occasion, (subject, text) in services.DEFAULT_TEXTS.items():
        if not GreetingText.objects.filter(occasion=occasion).exists():
            services.greeting_text_save(occasion=occasion, subject=subject, text=text, by=None)
    if scale != "city":
        return 0  # a province's 10,000 messages add nothing to the demo but minutes
    today = timezone.localdate()
    teachers_day = dt.date(today.year if (today.month, today.day) >= (9, 10) else today.year - 1, 9, 10)
    return services.greetings_send(today=teachers_day)
