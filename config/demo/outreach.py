"""Demo data for outreach: the seed city's 4,583 grassroots organizations, the year's 万堂示范课下基层 campaign with
about 10,000 lectures by the whole pool (8 provincial, 104 municipal, 373 county instructors), 1,371 village
loudspeakers with a year of play logs (about 5,000 plays a month), and a few open requests to dispatch.

Deterministic for a given seed and idempotent: organizations, stations and plays have natural keys (inserted with
``ignore_conflicts``), and the lectures of a city are made only once (guarded by the campaign having none).
Lectures before now are delivered or closed, later ones planned or confirmed, so the current year's report
reproduces the seed's figures in magnitude.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from courses.models import ColumnWork, Course, Topic
from instructors.models import Instructor, Region, User
from instructors.services import instructor_record_year_figures
from outreach.models import (
    BroadcastProgramme,
    Campaign,
    CourseRequest,
    Lecture,
    LectureSlot,
    Organization,
    PlayLog,
    Station,
)

CITY_CODE = "5111"
# (organizations, lectures): the seed city's figures, and the whole province's (the seed's figures), which the other
# cities share out.
CITY_TARGETS = (4583, 10000)
PROVINCE_TARGETS = (90000, 200000)
AGENCY_WORDS = [
    "党委",
    "人民政府机关党支部",
    "派出所党支部",
    "财政所党支部",
    "农业服务中心党支部",
    "便民服务中心党支部",
    "司法所党支部",
    "文化站党支部",
]
SCHOOL_WORDS = [
    "中心小学党支部",
    "初级中学党支部",
    "中心幼儿园党支部",
    "第二小学党支部",
    "职业技术学校党支部",
    "九年一贯制学校党支部",
]
ENTERPRISE_WORDS = [
    "茶业",
    "农业科技",
    "建材",
    "食品",
    "物流",
    "旅游开发",
    "电子商务",
    "竹编工艺",
    "生态农庄",
    "矿泉水",
]
PARK_WORDS = ["工业园区党工委", "农业产业园区党委", "物流园区党委", "文创园区党支部"]
OTHER_WORDS = [
    "卫生院党支部",
    "供销社党支部",
    "农民专业合作社党支部",
    "养老服务中心党支部",
    "退役军人服务站党支部",
    "商会党支部",
    "个体劳动者协会党支部",
]
BRANDS = "嘉禾恒信瑞丰兴旺鑫源福泰永安宏达"
SESSIONS = [(dt.time(9, 0), 120), (dt.time(14, 30), 120), (dt.time(9, 30), 90), (dt.time(15, 0), 90)]
LECTURES_PER_TIER = {
    Instructor.Tier.PROVINCIAL: (6, 10),
    Instructor.Tier.MUNICIPAL: (13, 19),
    Instructor.Tier.COUNTY: (19, 25),
}
PROGRAMME_TITLES = [
    "党课开讲啦·{n}",
    "乡村振兴大讲堂·{n}",
    "嘉州先锋故事·{n}",
    "政策法规天天听·{n}",
]


def _county_of(region: Region, counties: dict[str, Region]) -> Region:
    return next(counties[code] for code in region.path.split("/") if code in counties)


def _organizations(city: Region, target: int, rng: random.Random) -> None:
    """One organization per village/community, the rest agencies, schools, enterprises, parks and others."""
    counties = {r.code: r for r in Region.objects.filter(parent=city, level=Region.Level.COUNTY)}
    towns = list(Region.objects.filter(path__startswith=city.path, level=Region.Level.TOWNSHIP).order_by("path"))
    villages = list(Region.objects.filter(path__startswith=city.path, level=Region.Level.VILLAGE).order_by("path"))
    rows: list[Organization] = []
    for village in villages:
        kind = Organization.Type.COMMUNITY if village.name.endswith("社区") else Organization.Type.VILLAGE
        suffix = "党委" if kind == Organization.Type.COMMUNITY else "党支部"
        rows.append(
            Organization(name=f"{village.name}{suffix}", type=kind, region=village, member_count=rng.randint(10, 25))
        )
    others: list[tuple[str, str, Region]] = []
    for county in sorted(counties.values(), key=lambda r: r.code):
        others += [(Organization.Type.PARK, f"{county.name}{word}", county) for word in PARK_WORDS]
    for round_ in range(4):
        for town in towns:
            if round_ == 0:
                others += [(Organization.Type.AGENCY, f"{town.name}{word}", town) for word in AGENCY_WORDS]
                others += [(Organization.Type.SCHOOL, f"{town.name}{word}", town) for word in SCHOOL_WORDS]
                others += [(Organization.Type.OTHER, f"{town.name}{word}", town) for word in OTHER_WORDS]
            brand = BRANDS[(round_ * 2) % len(BRANDS) : (round_ * 2) % len(BRANDS) + 2]
            others += [
                (Organization.Type.ENTERPRISE, f"{town.name}{brand}{word}有限公司党支部", town)
                for word in ENTERPRISE_WORDS
            ]
    rng.shuffle(others)
    for kind, name, region in others[: max(0, target - len(rows))]:
        rows.append(Organization(name=name, type=kind, region=region, member_count=rng.randint(3, 12)))
    for row in rows:
        row.county = _county_of(row.region, counties)
        row.contact_name = rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(["书记", "主任", "委员"])
        row.contact_phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    Organization.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def _courses_for_lectures() -> list[Course]:
    courses = list(Course.objects.orderable().filter(format=Course.Format.LECTURE).order_by("pk"))
    if courses:
        return courses
    # Without the catalog's demo data, a few stand-in courses keep this app's demo usable on its own.
    topic, _created = Topic.objects.get_or_create(name="党的创新理论")
    lead = Instructor.objects.in_pool().order_by("pk").first()
    for title in ("新时代党的创新理论", "党史中的嘉州故事", "乡村振兴的嘉州实践"):
        Course.objects.get_or_create(
            title=title, defaults={"topic": topic, "lead_instructor": lead, "status": "premium"}
        )
    return list(Course.objects.orderable().filter(format=Course.Format.LECTURE).order_by("pk"))


def _lectures(city: Region, campaign: Campaign, total: int, rng: random.Random, year: int, now: dt.datetime) -> int:
    """About ``total`` lectures for the year by every instructor of the city's pool, without clashes."""
    counties = {r.code: r for r in Region.objects.filter(parent=city, level=Region.Level.COUNTY)}
    people = list(Instructor.objects.in_pool().within(city).select_related("region").order_by("pk"))
    if not people:
        return 0
    courses = _courses_for_lectures()
    own = {}
    for course in courses:
        own.setdefault(course.lead_instructor_id, []).append(course)
    organizations = list(
        Organization.objects.filter(county__in=counties.values()).values_list("pk", "county_id", "member_count")
    )
    by_county: dict[int, list[tuple[int, int, int]]] = {}
    for row in organizations:
        by_county.setdefault(row[1], []).append(row)
    all_days = [dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range(366)]
    days = [d for d in all_days if d.year == year and d.weekday() < 6]
    scale = total / sum(sum(LECTURES_PER_TIER[p.tier]) / 2 for p in people)
    plan: list[tuple[Instructor, dt.date, int]] = []
    for person in people:
        low, high = LECTURES_PER_TIER[person.tier]
        count = max(1, round(rng.randint(low, high) * scale))
        for day in sorted(rng.sample(days, min(count, len(days)))):
            plan.append((person, day, rng.randrange(len(SESSIONS))))
    tz = timezone.get_current_timezone()
    starts = [timezone.make_aware(dt.datetime.combine(day, SESSIONS[s][0]), tz) for _p, day, s in plan]
    # Every organization is visited at least once by a lecture already delivered: hand out each county's
    # organizations first to the past lectures held there, then pick at random.
    queue = {county_id: rng.sample(rows, len(rows)) for county_id, rows in by_county.items()}
    county_ids = list(by_county)
    used: set[tuple[int, dt.date, int]] = set()
    lectures: list[Lecture] = []
    order = sorted(range(len(plan)), key=lambda i: (starts[i] >= now, rng.random()))
    for index in order:
        person, day, session = plan[index]
        county = (
            _county_of(person.region, counties).pk
            if person.region.level >= Region.Level.COUNTY
            else rng.choice(county_ids)
        )
        pool = queue[county] or by_county[county]
        for _attempt in range(20):
            org = pool.pop() if queue[county] else rng.choice(pool)
            if (org[0], day, session) not in used:
                break
        else:
            continue
        used.add((org[0], day, session))
        start = starts[index]
        end = start + dt.timedelta(minutes=SESSIONS[session][1])
        course = rng.choice(own[person.pk]) if person.pk in own and rng.random() < 0.6 else rng.choice(courses)
        done = end < now
        roll = rng.random()
        if done:
            status = Lecture.Status.CLOSED if roll < 0.3 else Lecture.Status.DELIVERED
        else:
            status = Lecture.Status.CONFIRMED if roll < 0.4 else Lecture.Status.PLANNED
        lectures.append(
            Lecture(
                instructor=person,
                course=course,
                start=start,
                end=end,
                organization_id=org[0],
                county_id=org[1],
                venue=rng.choice(["党员活动室", "会议室", "新时代文明实践站", "多功能厅", "院坝"]),
                audience_expected=org[2] + rng.randint(5, 40),
                audience_actual=org[2] + rng.randint(0, 45) if done else None,
                hours=Decimal(SESSIONS[session][1]) / 60 if done else None,
                status=status,
                campaign=campaign if rng.random() < 0.92 else None,
                status_changed_at=min(end, now),
            )
        )
    Lecture.objects.bulk_create(lectures, batch_size=2000)
    slots = [
        LectureSlot(
            lecture_id=lecture.pk,
            instructor_id=lecture.instructor_id,
            organization_id=lecture.organization_id,
            bucket=bucket,
        )
        for lecture in lectures
        for bucket in LectureSlot.buckets(lecture.start, lecture.end)
    ]
    LectureSlot.objects.bulk_create(slots, batch_size=5000, ignore_conflicts=True)
    figures = (
        Lecture.objects.delivered()
        .filter(instructor__in=people, start__year=year)
        .values("instructor")
        .annotate(n=Count("pk"), h=Sum("hours"))
    )
    for row in figures:
        instructor_record_year_figures(instructor_id=row["instructor"], year=year, lectures=row["n"], hours=row["h"])
    return len(lectures)


def _requests(city: Region, campaign: Campaign, rng: random.Random, today: dt.date) -> None:
    """Open requests (点单) waiting for dispatch, in the demo county organizer's county and elsewhere."""
    if CourseRequest.objects.filter(campaign=campaign).exists():
        return
    organizer = User.objects.filter(username="organizer").first() or User.objects.filter(is_superuser=True).first()
    if organizer is None:
        return
    courses = list(campaign.courses.order_by("pk")) or _courses_for_lectures()
    orgs = list(Organization.objects.filter(county__parent=city).order_by("county__code", "pk")[::97][:30])
    CourseRequest.objects.bulk_create(
        CourseRequest(
            organization=org,
            course=rng.choice(courses),
            campaign=campaign,
            preferred_from=today + dt.timedelta(days=7 + i),
            preferred_to=today + dt.timedelta(days=21 + i),
            expected_audience=org.member_count + rng.randint(10, 60),
            created_by=organizer,
        )
        for i, org in enumerate(orgs)
    )


def _loudspeakers(city: Region, rng: random.Random, now: dt.datetime) -> None:
    """A station in every village and twelve months of plays, about 3.7 a station a month."""
    counties = {r.code: r for r in Region.objects.filter(parent=city, level=Region.Level.COUNTY)}
    villages = list(Region.objects.filter(path__startswith=city.path, level=Region.Level.VILLAGE).order_by("path"))
    Station.objects.bulk_create(
        [
            Station(
                region=village,
                county=_county_of(village, counties),
                listeners=rng.randint(40, 140),
                installed_on=dt.date(2019 + rng.randrange(4), rng.randint(1, 12), 1),
            )
            for village in villages
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    programmes = _programmes()
    stations = list(Station.objects.filter(county__in=counties.values()).values_list("pk", flat=True).order_by("pk"))
    if PlayLog.objects.filter(station_id__in=stations[:1]).exists():
        return
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for back in range(12):
        plays = []
        first = (month_start - dt.timedelta(days=back * 30)).replace(day=1)
        for station in stations:
            for _n in range(rng.choice((3, 4, 4))):
                moment = first + dt.timedelta(
                    days=rng.randrange(28), hours=rng.choice((7, 12, 19)), minutes=rng.choice((0, 30))
                )
                if moment >= now:
                    continue
                programme = rng.choice(programmes)
                plays.append(
                    PlayLog(
                        station_id=station,
                        programme=programme,
                        played_at=moment,
                        duration_minutes=programme.duration_minutes,
                    )
                )
        # A month at a time keeps memory flat at province scale (100,000 plays a month).
        PlayLog.objects.bulk_create(plays, batch_size=5000, ignore_conflicts=True)


def _programmes() -> list[BroadcastProgramme]:
    if not BroadcastProgramme.objects.exists():
        works = list(ColumnWork.objects.filter(format=Course.Format.AUDIO).select_related("course").order_by("pk")[:20])
        rows = [
            BroadcastProgramme(title=work.title[:120], work=work, course=work.course, duration_minutes=15)
            for work in works
        ]
        rows += [
            BroadcastProgramme(title=pattern.format(n=f"第{n}期"), duration_minutes=10 + n % 3 * 5)
            for pattern in PROGRAMME_TITLES
            for n in range(1, 4)
        ]
        BroadcastProgramme.objects.bulk_create(rows, ignore_conflicts=True)
    return list(BroadcastProgramme.objects.order_by("pk"))


def _share(index: int, count: int) -> tuple[int, int]:
    """The organizations and lectures of the ``index``-th of ``count`` other cities, summing to the province's."""
    out = []
    for province, city in zip(PROVINCE_TARGETS, CITY_TARGETS, strict=True):
        rest = province - city
        out.append(rest // count + (1 if index < rest % count else 0))
    return out[0], out[1]


@transaction.atomic
def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    """Build outreach's demo data; returns the number of lectures created."""
    now = timezone.now()
    today = timezone.localdate()
    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    if scale != "province":
        cities = [c for c in cities if c.code == CITY_CODE]
    created = 0
    others = [c for c in cities if c.code != CITY_CODE]
    for index, city in enumerate(cities):
        rng = random.Random(seed * 7 + index)
        organizations, lectures = CITY_TARGETS if city.code == CITY_CODE else _share(others.index(city), len(others))
        _organizations(city, organizations, rng)
        campaign, _new = Campaign.objects.get_or_create(
            name=f"{today.year}年万堂示范课下基层"
            if city.code == CITY_CODE
            else f"{today.year}年{city.name}万堂示范课下基层",
            defaults={
                "region": city,
                "description": "精品课程送到机关、园区、学校、村和社区，推动党员教育资源下沉基层。",
                "starts_on": dt.date(today.year, 1, 1),
                "ends_on": dt.date(today.year, 12, 31),
                "target_lectures": lectures,
                "target_organizations": organizations,
                "target_members": 47000 if city.code == CITY_CODE else 75000,
            },
        )
        if not campaign.courses.exists():
            premium = list(Course.objects.filter(status=Course.Status.PREMIUM).order_by("pk")[:40])
            campaign.courses.set(premium or _courses_for_lectures())
        if not campaign.lectures.exists():
            created += _lectures(city, campaign, lectures, rng, today.year, now)
        if city.code == CITY_CODE:
            _requests(city, campaign, rng, today)
        _loudspeakers(city, rng, now)
    if connection.vendor == "sqlite":
        # Fresh statistics let SQLite pick the (county, start) index for the reports (seed_demo does the same for
        # PostgreSQL once every app has loaded).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if stdout:
        stdout.write(
            f"      基层组织 {Organization.objects.count()} 个，宣讲 {Lecture.objects.count()} 场"
            f"（新增 {created}），大喇叭 {Station.objects.count()} 个，播放记录 {PlayLog.objects.count()} 条"
        )
    return {"lectures": created}
