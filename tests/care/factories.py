"""Builders for care test data (plain functions, sensible defaults)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from care import services
from care.models import (
    AwardFund,
    AwardRound,
    CounsellingTalk,
    Counsellor,
    InternalPost,
    Nomination,
    StudyProgramme,
)
from instructors.models import Instructor, InstructorYearFigures, Region, TeachingGroup, User
from tests import factories as f

_seq = itertools.count(1)


def year() -> int:
    return timezone.localdate().year


def fund(*, region: Region, budget: str = "10000", year_: int | None = None, by: User | None = None) -> AwardFund:
    return services.fund_create(
        region=region, year=year_ or year(), name=f"专项奖励基金{next(_seq)}", budget=Decimal(budget), by=by
    )


def award_round(
    *, fund_obj: AwardFund, rules: list[tuple[str, str]] | None = None, amount: str = "1000", name: str | None = None
) -> AwardRound:
    rules = rules if rules is not None else [("quality", "85")]
    return services.round_create(
        fund=fund_obj,
        name=name or f"年度优秀师资{next(_seq)}",
        default_amount=Decimal(amount),
        criteria=[(figure, Decimal(minimum)) for figure, minimum in rules],
        by=None,
    )


def figures(person: Instructor, *, quality: str | None = "90", lectures: int = 10, year_: int | None = None):
    return InstructorYearFigures.objects.update_or_create(
        instructor=person,
        year=year_ or year(),
        defaults={"quality": Decimal(quality) if quality else None, "lectures": lectures, "hours": Decimal("20")},
    )[0]


def nomination(*, round_obj: AwardRound, person: Instructor) -> Nomination:
    return Nomination.objects.create(round=round_obj, instructor=person, figures={"rules": []})


def programme(
    *,
    region: Region,
    seats: int = 2,
    min_quality: str | None = None,
    min_years: int | None = None,
    credits: str = "4",
    open_days: int = 30,
) -> StudyProgramme:
    return StudyProgramme.objects.create(
        region=region,
        name=f"马克思主义学院高级研修班{next(_seq)}",
        kind=StudyProgramme.Kind.ADVANCED,
        partner="马克思主义学院",
        year=year(),
        seats=seats,
        credits=Decimal(credits),
        apply_until=timezone.localdate() + dt.timedelta(days=open_days),
        min_quality=Decimal(min_quality) if min_quality else None,
        min_years_in_pool=min_years,
    )


def post(*, region: Region, group: TeachingGroup | None = None, name: str | None = None) -> InternalPost:
    return InternalPost.objects.create(
        region=region, name=name or (f"{group.name}组长" if group else f"课程研发项目主管{next(_seq)}"), group=group
    )


def counsellor(*, region: Region, username: str | None = None) -> Counsellor:
    # A counsellor is any account assigned as one; here an outside expert (the judge / expert role).
    account = f.user(username=username or f"counsellor{next(_seq)}", role=User.Role.JUDGE)
    return Counsellor.objects.create(user=account, region=region)


def talk(*, counsellor_obj: Counsellor, capacity: int = 2, days: int = 7) -> CounsellingTalk:
    return CounsellingTalk.objects.create(
        region=counsellor_obj.region,
        counsellor=counsellor_obj,
        title=f"心理健康讲座{next(_seq)}",
        starts_at=timezone.now() + dt.timedelta(days=days),
        place="市委党校报告厅",
        capacity=capacity,
    )


def add_to_world(w: dict) -> None:
    """The care objects of instructor A / county X for the trust suite (and the same shapes for B)."""
    counsellor_obj = counsellor(region=w["tree"]["city"], username="counsellor")
    w["counsellor"] = counsellor_obj
    for key, county in (("a", w["tree"]["county_a"]), ("b", w["tree"]["county_b"])):
        scope = w[key]
        person = scope["instructor"]
        figures(person, quality="92")
        scope["fund"] = fund(region=county)
        scope["award_round"] = award_round(fund_obj=scope["fund"])
        services.round_propose(award_round=scope["award_round"])
        scope["nomination"] = Nomination.objects.get(round=scope["award_round"], instructor=person)
        services.nomination_approve(nomination=scope["nomination"], amount=Decimal("800"), by=w["admin"])
        scope["study"] = programme(region=county)
        scope["application"] = services.study_apply(
            programme=scope["study"], instructor=person, motivation="提升理论水平"
        )
        scope["post"] = post(region=county, group=scope["group"])
        scope["appointment"] = services.appointment_make(
            post=scope["post"], instructor=person, starts_on=timezone.localdate(), by=w["admin"]
        )
        scope["plan"] = services.career_plan_save(
            instructor=person,
            year=year(),
            direction="",
            goals=[{"figure": "lectures", "target": Decimal("12")}],
            by=None,
        )
        scope["priority"] = services.priority_list_generate(region=county, year=year(), kind="title", by=None)
        scope["talk"] = talk(counsellor_obj=counsellor_obj, capacity=5)
        scope["booking"] = services.counselling_book(
            instructor=person,
            counsellor=counsellor_obj,
            wanted_at=timezone.now() + dt.timedelta(days=3),
            concern=f"{person.name}的私密困扰：家中老人生病",
        )
        scope["honour"] = services.honour_record(
            instructor=person,
            title="优秀党员教育师资",
            level="city",
            conferred_by="嘉州市委组织部",
            conferred_on=timezone.localdate(),
            by=None,
        )
