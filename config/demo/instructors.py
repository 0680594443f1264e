"""Demo data for the registry: the seed city 嘉州市 (invented names), its instructors, groups and accounts.

Deterministic for a given random seed, and idempotent: a second run finds the rows by their natural keys and
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from instructors.models import (
    Instructor,
    InstructorStatusChange,
    Region,
    Specialty,
    TeachingGroup,
    TeachingNorm,
    User,
)
from instructors.validators import id_check_digit

DEMO_PASSWORD = "demo12345"


@functools.cache
def demo_password_hash() -> str:
    """One hash for every demo account: each PBKDF2 hash costs half a second, and they all share the password."""
    return _password_hash(settings.PASSWORD_HASHERS[0])


@functools.cache
def _password_hash(hasher: str) -> str:
    """Computed once per process and hasher (tests use a faster one)."""
    return make_password(DEMO_PASSWORD)


PROVINCE = ("51", "嘉陵省")
CITY = ("5111", "嘉州市")
# Eleven county-level divisions of the seed city (invented, the seed masks the real ones).
COUNTIES = [
    "嘉城区",
    "凌云区",
    "青衣区",
    "大渡河区",
    "龙泓县",
    "平羌县",
    "玉津县",
    "沫水县",
    "云峰县",
    "竹溪县",
    "峨秀市",
]
OTHER_CITIES = [
    "锦官市",
    "蓉南市",
    "岷江市",
    "雅安州市",
    "嘉陵市",
    "巴山市",
    "剑门市",
    "涪城市",
    "资阳川市",
    "凉山南市",
    "蜀北市",
    "沱江市",
]
VILLAGES_PER_CITY = 1371
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "建国志强海燕丽华文静明军晓红伟东春梅永刚秀英玉兰德胜小平红霞利民光辉国庆学敏新华雪梅丹丹家豪思远子涵"
    "雨欣浩然宇航婷婷俊杰晨曦书恒欣怡佳琪若曦瑞祥培林立群蜀川嘉禾凌峰秋菊桂芳翠萍"
)
TOWN_SYLLABLES = (
    "安白宝碧长城川大丹东凤福高观桂海禾鹤红华黄吉金锦井九居乐莲临龙罗马茂明南平青清仁三沙石双水顺太天铁通"
    "万文西仙新兴杨永玉云长镇中竹"
)
EMPLOYERS_CITY = [
    "中共嘉州市委党校",
    "嘉州职业技术学院",
    "嘉州师范学院",
    "中共嘉州市委宣传部",
    "嘉州市委讲师团",
    "嘉州市农业农村局",
    "嘉州市文化广电旅游局",
    "嘉州市委党史研究室",
]
POSTS_CITY = ["教授", "副教授", "讲师", "副主任", "科长", "研究员", "主任"]
POSTS_COUNTY = [
    "党委书记",
    "第一书记",
    "宣传委员",
    "组织委员",
    "村党支部书记",
    "社区党委书记",
    "讲师",
    "农技推广研究员",
    "科长",
]
GROUPS = [
    ("党的创新理论教研组", "新时代中国特色社会主义思想与全会精神宣讲"),
    ("党史学习教育教研组", "党史、新中国史、改革开放史、社会主义发展史"),
    ("乡村振兴教研组", "产业振兴、农村电商、农业现代化"),
    ("基层治理教研组", "村级治理、社区治理、网格化服务"),
    ("经济发展教研组", "县域经济、国土空间规划、营商环境"),
    ("生态文明教研组", "生态环保攻坚、双遗产保护"),
    ("文旅融合教研组", "守护嘉州瑰宝、文旅融合发展"),
    ("党性教育教研组", "党章党规、党性修养、廉洁教育"),
    ("青年党员教研组", "青年党员说、新媒体党课"),
]
SPECIALTIES = [
    "党的创新理论",
    "党史学习教育",
    "乡村振兴",
    "基层治理",
    "县域经济",
    "生态文明",
    "文旅融合",
    "党章党规",
    "廉洁教育",
    "农村电商",
    "应急管理",
    "网络宣传",
]
NORMS = {
    Instructor.Tier.PROVINCIAL: (4, Decimal("8"), Decimal("80")),
    Instructor.Tier.MUNICIPAL: (6, Decimal("12"), Decimal("75")),
    Instructor.Tier.COUNTY: (8, Decimal("16"), Decimal("70")),
}


def _name(rng: random.Random) -> str:
    given = rng.choice(range(0, len(GIVEN), 2))
    if rng.random() < 0.35:
        return rng.choice(SURNAMES) + GIVEN[given]
    return rng.choice(SURNAMES) + GIVEN[given : given + 2]


def _place(rng: random.Random, used: set[str], suffix: str) -> str:
    for _attempt in range(200):
        name = rng.choice(TOWN_SYLLABLES) + rng.choice(TOWN_SYLLABLES) + suffix
        if name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(TOWN_SYLLABLES)}{len(used)}{suffix}"
    used.add(name)
    return name


def _build_city(
    code: str, name: str, province: Region, counties: list[str], rng: random.Random, villages: int
) -> Region:
    city = Region.objects.filter(code=code).first()
    if city:
        return city
    city = Region.objects.create(code=code, name=name, level=Region.Level.CITY, parent=province)
    used: set[str] = set()
    county_rows = [
        Region.objects.create(code=f"{code}{i + 1:02d}", name=county, level=Region.Level.COUNTY, parent=city)
        for i, county in enumerate(counties)
    ]
    per_county = [
        villages // len(county_rows) + (1 if i < villages % len(county_rows) else 0) for i in range(len(county_rows))
    ]
    towns, village_rows = [], []
    for county, count in zip(county_rows, per_county, strict=True):
        n_towns = max(3, count // 12)
        for t in range(n_towns):
            suffix = rng.choice(["镇", "镇", "乡", "街道"])
            town = Region(
                code=f"{county.code}{t + 1:03d}",
                name=_place(rng, used, suffix),
                level=Region.Level.TOWNSHIP,
                parent=county,
            )
            town.path = f"{county.path}{town.code}/"
            towns.append(town)
        county_towns = towns[-n_towns:]
        for v in range(count):
            town = county_towns[v % n_towns]
            kind = "社区" if town.name.endswith("街道") or rng.random() < 0.12 else "村"
            village = Region(
                code=f"{town.code}{v // n_towns + 1:03d}", name=_place(rng, used, kind), level=Region.Level.VILLAGE
            )
            village.parent = town
            village.path = f"{town.path}{village.code}/"
            village_rows.append(village)
    Region.objects.bulk_create(towns, batch_size=2000)
    saved_towns = {t.code: t for t in Region.objects.filter(level=Region.Level.TOWNSHIP, path__startswith=city.path)}
    for village in village_rows:
        village.parent = saved_towns[village.code[:-3]]
    Region.objects.bulk_create(village_rows, batch_size=2000)
    return city


def _id_number(rng: random.Random, area: str, used: set[str]) -> str:
    while True:
        born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 34))
        first17 = f"{area[:6]:0<6}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        value = first17 + id_check_digit(first17)
        if value not in used:
            used.add(value)
            return value


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        value = f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"
        if value not in used:
            used.add(value)
            return value


def _instructors_for_city(
    city: Region, counts: tuple[int, int, int], rng: random.Random, start: dt.date
) -> list[Instructor]:
    counties = list(Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code"))
    used_ids: set[str] = set()
    used_phones: set[str] = set()
    people = []
    tiers = (
        [Instructor.Tier.PROVINCIAL] * counts[0]
        + [Instructor.Tier.MUNICIPAL] * counts[1]
        + [Instructor.Tier.COUNTY] * counts[2]
    )
    for index, tier in enumerate(tiers):
        if tier == Instructor.Tier.COUNTY:
            region = counties[index % len(counties)]
            employer = rng.choice(
                [
                    f"中共{region.name}委党校",
                    f"{region.name}委组织部",
                    f"{region.name}委宣传部",
                    f"{region.name}融媒体中心",
                    f"{region.name}农业农村局",
                ]
            )
            post = rng.choice(POSTS_COUNTY)
        else:
            region = city
            employer = rng.choice(EMPLOYERS_CITY).replace("嘉州", city.name.removesuffix("市"))
            post = rng.choice(POSTS_CITY)
        person = Instructor(
            name=_name(rng),
            gender=rng.choice([Instructor.Gender.MALE, Instructor.Gender.FEMALE]),
            id_number=_id_number(rng, region.code, used_ids),
            phone=_phone(rng, used_phones),
            employer=employer,
            post=post,
            tier=tier,
            region=region,
            status=Instructor.Status.ACTIVE,
            joined_on=start - dt.timedelta(days=rng.randrange(30, 365 * 6)),
            biography=f"长期从事党员教育培训工作，擅长{rng.choice(SPECIALTIES)}专题授课。",
        )
        person.fill_pinyin()
        people.append(person)
    return people


@transaction.atomic
def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    """Build the registry's demo data; returns the counts created."""
    rng = random.Random(seed)
    today = timezone.localdate()
    province, _ = Region.objects.get_or_create(
        code=PROVINCE[0], defaults={"name": PROVINCE[1], "level": Region.Level.PROVINCE}
    )
    cities = [_build_city(CITY[0], CITY[1], province, COUNTIES, rng, VILLAGES_PER_CITY)]
    if scale == "province":
        for i, name in enumerate(OTHER_CITIES):
            county_names = [
                f"{name.removesuffix('市')}{suffix}"
                for suffix in ("东区", "西区", "南县", "北县", "中县", "新区", "河县", "山县", "川县", "平县")
            ]
            cities.append(_build_city(f"{5112 + i}", name, province, county_names, rng, 1900))
    for name in SPECIALTIES:
        Specialty.objects.get_or_create(name=name)
    specialties = list(Specialty.objects.order_by("pk"))
    city = cities[0]
    for name, description in GROUPS:
        TeachingGroup.objects.get_or_create(name=name, defaults={"region": city, "description": description})
    groups = list(TeachingGroup.objects.filter(name__in=[g for g, _d in GROUPS]).order_by("pk"))
    for year in (today.year - 1, today.year):
        for tier, (lectures, hours, quality) in NORMS.items():
            TeachingNorm.objects.get_or_create(
                year=year, tier=tier, defaults={"min_lectures": lectures, "min_hours": hours, "min_quality": quality}
            )

    created = 0
    for index, city_region in enumerate(cities):
        counts = (8, 104, 373) if index == 0 else (8, 90, 650)
        people = _instructors_for_city(city_region, counts, random.Random(seed * 1000 + index), today)
        existing = set(
            Instructor.objects.filter(id_number__in=[p.id_number for p in people]).values_list("id_number", flat=True)
        )
        # Extra people beyond the seed's 8/104/373 so that every status of the life-cycle is on show.
        fresh = [p for p in people if p.id_number not in existing]
        if not fresh:
            continue
        local = random.Random(seed + index)
        county_people = [p for p in fresh if p.tier == Instructor.Tier.COUNTY]
        for person in local.sample(county_people, min(12, len(county_people))):
            person.status = Instructor.Status.PROBATION
        Instructor.objects.bulk_create(fresh, batch_size=1000)
        saved = list(Instructor.objects.filter(id_number__in=[p.id_number for p in fresh]).order_by("pk"))
        through_groups = Instructor.groups.through
        through_specs = Instructor.specialties.through
        links, spec_links, changes = [], [], []
        for person in saved:
            for group in local.sample(groups, local.choice([1, 1, 2])):
                links.append(through_groups(instructor_id=person.pk, teachinggroup_id=group.pk))
            for specialty in local.sample(specialties, local.choice([1, 2, 3])):
                spec_links.append(through_specs(instructor_id=person.pk, specialty_id=specialty.pk))
            joined = timezone.make_aware(dt.datetime.combine(person.joined_on, dt.time(9)))
            changes.append(
                InstructorStatusChange(
                    instructor=person,
                    from_status="",
                    to_status=Instructor.Status.CANDIDATE,
                    changed_at=joined - dt.timedelta(days=30),
                    reason="报名入库",
                )
            )
            changes.append(
                InstructorStatusChange(
                    instructor=person,
                    from_status=Instructor.Status.CANDIDATE,
                    to_status=Instructor.Status.ACTIVE,
                    changed_at=joined,
                    reason="试讲合格，经组织部门审定入库",
                )
            )
            if person.status == Instructor.Status.PROBATION:
                changes.append(
                    InstructorStatusChange(
                        instructor=person,
                        from_status=Instructor.Status.ACTIVE,
                        to_status=Instructor.Status.PROBATION,
                        changed_at=joined + dt.timedelta(days=200),
                        reason="上年度授课数量未达标，列入考察期",
                    )
                )
        through_groups.objects.bulk_create(links, batch_size=2000)
        through_specs.objects.bulk_create(spec_links, batch_size=2000)
        InstructorStatusChange.objects.bulk_create(changes, batch_size=2000)
        created += len(saved)
        if index == 0:
            _extra_people(city_region, local, specialties, today)

    for group in groups:
        if group.leader_id is None:
            leader = (
                group.members.filter(
                    tier__in=[Instructor.Tier.PROVINCIAL, Instructor.Tier.MUNICIPAL], status=Instructor.Status.ACTIVE
                )
                .order_by("pk")
                .first()
            )
            if leader:
                group.leader = leader
                group.save(update_fields=["leader"])
    _users(city)
    if stdout:
        stdout.write(f"      地区 {Region.objects.count()} 个，师资 {Instructor.objects.count()} 名（新增 {created}）")
    return {"instructors": created}


def _extra_people(city: Region, rng: random.Random, specialties: list[Specialty], today: dt.date) -> None:
    """Candidates waiting for their trial lecture and retired instructors who keep their history."""
    counties = list(Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code"))
    used_ids = set(Instructor.objects.values_list("id_number", flat=True))
    used_phones = set(Instructor.objects.values_list("phone", flat=True))
    for index in range(30):
        region = counties[index % len(counties)]
        status = Instructor.Status.CANDIDATE if index < 18 else Instructor.Status.RETIRED
        person = Instructor.objects.create(
            name=_name(rng),
            gender=rng.choice(["M", "F"]),
            id_number=_id_number(rng, region.code, used_ids),
            phone=_phone(rng, used_phones),
            employer=f"{region.name}委党校",
            post=rng.choice(POSTS_COUNTY),
            tier=Instructor.Tier.COUNTY,
            region=region,
            status=status,
        )
        person.specialties.set(rng.sample(specialties, 2))
        InstructorStatusChange.objects.create(
            instructor=person, from_status="", to_status=Instructor.Status.CANDIDATE, reason="本人报名，所在单位推荐"
        )
        if status == Instructor.Status.RETIRED:
            InstructorStatusChange.objects.create(
                instructor=person,
                from_status=Instructor.Status.CANDIDATE,
                to_status=Instructor.Status.ACTIVE,
                reason="试讲合格入库",
            )
            InstructorStatusChange.objects.create(
                instructor=person,
                from_status=Instructor.Status.ACTIVE,
                to_status=Instructor.Status.RETIRED,
                reason="健康原因不能坚持授课，本人申请退出",
            )


def _users(city: Region) -> None:
    county = Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code").first()
    specs = [
        ("admin", User.Role.ADMIN, None, "系统管理员", True),
        ("organizer", User.Role.ORGANIZER, city, "市委组织部 李明", False),
        ("county", User.Role.ORGANIZER, county, f"{county.name}委组织部 王芳", False),
        ("instructor", User.Role.INSTRUCTOR, None, "", False),
        ("judge", User.Role.JUDGE, None, "评委 陈静", False),
    ]
    for username, role, region, display, superuser in specs:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            role=role,
            region=region,
            display_name=display,
            is_staff=superuser,
            is_superuser=superuser,
        )
        user.password = demo_password_hash()
        user.save()
    instructor_user = User.objects.get(username="instructor")
    if not Instructor.objects.filter(user=instructor_user).exists():
        person = (
            Instructor.objects.filter(region=county, status=Instructor.Status.ACTIVE, user__isnull=True)
            .order_by("pk")
            .first()
        )
        person.user = instructor_user
        person.save(update_fields=["user"])
        instructor_user.display_name = person.name
        instructor_user.save(update_fields=["display_name"])
