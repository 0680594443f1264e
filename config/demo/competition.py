"""Demo data for the 十佳课程擂台赛: this year's finished competition (~40 entries, 7 judges, published, top ten in
next year's premium library; one entry short of judges; the demo instructor a finalist) and next year's competition,
already in its final phase. Deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from config.demo.instructors import demo_password_hash
from courses.models import Course
from evaluations.competition import services as competition_services
from evaluations.models import AudienceScore, Competition, Entry, JudgeAssignment, JudgeScore, PeerScore
from instructors.models import Instructor, Region, TeachingGroup, User

JUDGES = [
    ("judge", "评委 陈静"),
    ("judge2", "评委 周建国"),
    ("judge3", "评委 吴晓梅"),
    ("judge4", "评委 郑海涛"),
    ("judge5", "评委 孙丽华"),
    ("judge6", "评委 马文斌"),
    ("judge7", "评委 胡志强"),
]


def _judges() -> list[User]:
    out = []
    for username, display in JUDGES:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=User.Role.JUDGE, display_name=display)
            user.password = demo_password_hash()
            user.save()
        out.append(user)
    return out


def _clamp(value: float) -> Decimal:
    return Decimal(str(round(max(0.0, min(100.0, value)), 1)))


def _build(
    *,
    city: Region,
    year: int,
    name: str,
    courses: list[Course],
    groups: list[TeachingGroup],
    judges: list[User],
    rng: random.Random,
    complete: bool,
    finalist: Instructor | None = None,
) -> Competition:
    today = timezone.localdate()
    if complete:
        # Held earlier this year (the demo's lectures are this year's, so its finalist bonus shows in this year's Q).
        dates = [today - dt.timedelta(days=d) for d in (200, 150, 100, 85)]
    else:
        dates = [
            today - dt.timedelta(days=60),
            today - dt.timedelta(days=20),
            today + dt.timedelta(days=14),
            today + dt.timedelta(days=28),
        ]
    competition = Competition.objects.create(
        name=name,
        year=year,
        region=city,
        phase=Competition.Phase.FINAL,
        registration_ends=dates[0],
        preliminary_ends=dates[1],
        final_ends=dates[2],
        publicity_ends=dates[3],
    )
    quality, entries = {}, []
    for number, course in enumerate(courses, start=1):
        group = course.group or groups[number % len(groups)]
        entry = Entry.objects.create(competition=competition, course=course, group=group, number=number)
        entry.instructors.add(course.lead_instructor)
        entries.append(entry)
        quality[entry.pk] = rng.uniform(68, 93)
    # On purpose, one entry of the finished competition was scored by only three judges: it shows as
    # 未达评分要求 (3/5 位评委), is not ranked and not published.
    short = entries[6].pk if complete and len(entries) > 6 else None
    if finalist is not None and complete and len(entries) > 14:
        # The demo instructor co-taught an entry that reached the final outside the top ten: a finalist, whose
        # yearly quality Q carries the finalist bonus.
        entries[14].instructors.add(finalist)
        quality[entries[14].pk] = 74.0
    bias = {judge.pk: rng.gauss(0, 3) for judge in judges}
    erratic = judges[-1].pk  # one judge scores far from the panel often enough to be flagged
    scores, peers, audience = [], [], []
    for entry in entries:
        recusing = rng.random() < 0.05
        for index, judge in enumerate(judges):
            if recusing and index == 1:
                continue  # a recused judge is missing, not zero
            assignment = JudgeAssignment.objects.create(competition=competition, entry=entry, judge=judge)
            if not complete and rng.random() < 0.4:
                continue  # this year's final is still being scored
            if entry.pk == short and index >= 3:
                continue  # assigned, but never submitted
            base = quality[entry.pk] + bias[judge.pk]
            if judge.pk == erratic and rng.random() < 0.45:
                base += rng.choice([-22, 22])
            for criterion in JudgeScore.Criterion.values:
                scores.append(
                    JudgeScore(assignment=assignment, criterion=criterion, value=_clamp(base + rng.gauss(0, 2)))
                )
        for group in {e.group for e in entries} - {entry.group}:
            if rng.random() < 0.5:
                peers.append(PeerScore(entry=entry, group=group, value=_clamp(quality[entry.pk] + rng.gauss(0, 4))))
        if complete or rng.random() < 0.5:
            audience.append(
                AudienceScore(entry=entry, n=rng.randint(20, 150), mean=_clamp(quality[entry.pk] + rng.gauss(2, 4)))
            )
    JudgeScore.objects.bulk_create(scores)
    PeerScore.objects.bulk_create(peers)
    AudienceScore.objects.bulk_create(audience)
    JudgeAssignment.objects.filter(competition=competition, scores__isnull=False).update(submitted_at=timezone.now())
    return competition


@transaction.atomic
def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    """Build the competition demo (needs the registry and catalog demos first); returns the counts created."""
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if city is None:
        return {"competitions": 0}
    year = timezone.localdate().year
    groups = list(TeachingGroup.objects.filter(region=city).order_by("pk"))
    organizer = User.objects.filter(username="organizer").first()
    orderable = list(
        Course.objects.filter(status__in=Course.ORDERABLE_STATUSES, lead_instructor__region__path__startswith=city.path)
        .select_related("lead_instructor", "group")
        .order_by("pk")
    )
    if not groups or len(orderable) < 60:
        return {"competitions": 0}
    rng = random.Random(seed * 7 + 6)
    judges = _judges()
    made = 0
    finished = Competition.objects.filter(year=year, region=city).first()
    if finished is None:
        courses = rng.sample(orderable, 40)
        finished = _build(
            city=city,
            year=year,
            name=f"{year}年嘉州市十佳课程擂台赛",
            courses=courses,
            groups=groups,
            judges=judges,
            rng=rng,
            complete=True,
            finalist=Instructor.objects.filter(user__username="instructor").first(),
        )
        competition_services.competition_rank(competition_id=finished.pk)
        finished = competition_services.competition_advance(
            competition=finished, by=organizer
        )  # publication, top ten promoted
        competition_services.competition_advance(competition=finished, by=organizer)
        made += 1
    # Next year's competition is already under way: its final is being scored.
    if not Competition.objects.filter(year=year + 1, region=city).exists():
        used = set(finished.entries.values_list("course_id", flat=True))
        courses = rng.sample([c for c in orderable if c.pk not in used], 24)
        _build(
            city=city,
            year=year + 1,
            name=f"{year + 1}年嘉州市十佳课程擂台赛",
            courses=courses,
            groups=groups,
            judges=judges,
            rng=rng,
            complete=False,
        )
        made += 1
    if stdout is not None:
        stdout.write(f"      新建竞赛 {made} 个")
    return {"competitions": made}
