"""Reads that feed the registry's pages: one place decides joins, prefetches and aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from core.filters import apply_filters

from .models import (
    Instructor,
    InstructorStatusChange,
    InstructorYearFigures,
    Region,
    Specialty,
    TeachingGroup,
    TeachingNorm,
    User,
)
from .pinyin import search_key

SORTS = {
    "pinyin": ("pinyin", "pk"),
    "-pinyin": ("-pinyin", "-pk"),
    "tier": ("tier", "pinyin", "pk"),
    "-updated": ("-updated_at", "pk"),
}


def instructor_search(qs: QuerySet[Instructor], text: str) -> QuerySet[Instructor]:
    """Name, pinyin (全拼 or 首字母 such as 'zs' for 张三) or employer."""
    text = (text or "").strip()
    if not text:
        return qs
    key = search_key(text)
    condition = Q(name__icontains=text) | Q(employer__icontains=text)
    if key.isascii() and key.isalpha():
        condition |= Q(pinyin_initials__startswith=key) | Q(pinyin_key__startswith=key)
    return qs.filter(condition)


LIST_FILTERS = {"tier": "tier", "group": "groups", "specialty": "specialties"}
IN_POOL = "in_pool"  # the status filter's value for 在库 as the home page counts it (active or on probation)


def instructor_list(*, user: User, filters: dict | None = None) -> QuerySet[Instructor]:
    """The instructors a user may see, filtered and sorted, with what a list row shows."""
    filters = filters or {}
    qs = Instructor.objects.visible_to(user).select_related("region")
    qs = instructor_search(qs, filters.get("q", ""))
    qs = apply_filters(qs, filters, LIST_FILTERS)
    status = filters.get("status")
    if status:
        qs = qs.in_pool() if status == IN_POOL else qs.filter(status=status)
    if filters.get("region"):
        qs = qs.within(filters["region"])
    qs = qs.order_by(*SORTS.get(filters.get("sort") or "pinyin", SORTS["pinyin"]))
    return qs.prefetch_related(Prefetch("groups", queryset=TeachingGroup.objects.only("pk", "name")))


def regions_for_filter(user: User) -> QuerySet[Region]:
    """Regions a user may filter by: their own and below, down to county level."""
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    if user.is_admin:
        return qs
    if user.is_organizer:
        return qs.within(user.region)
    return qs.none()


@dataclass(frozen=True)
class NormProgress:
    """An instructor's figures for a year beside the tier's norm."""

    year: int
    norm: TeachingNorm | None
    lectures: int
    hours: Decimal
    quality: Decimal | None
    scored_lectures: int = 0

    @property
    def lectures_met(self) -> bool | None:
        return None if self.norm is None else self.lectures >= self.norm.min_lectures

    @property
    def hours_met(self) -> bool | None:
        return None if self.norm is None else self.hours >= self.norm.min_hours

    @property
    def quality_met(self) -> bool | None:
        if self.norm is None or self.quality is None:
            return None
        return self.quality >= self.norm.min_quality

    @property
    def lectures_percent(self) -> int:
        if not self.norm or not self.norm.min_lectures:
            return 0
        return min(100, int(self.lectures * 100 / self.norm.min_lectures))

    @property
    def hours_percent(self) -> int:
        if not self.norm or not self.norm.min_hours:
            return 0
        return min(100, int(self.hours * 100 / self.norm.min_hours))

    @property
    def quality_percent(self) -> int:
        """The stored Q against the norm's minimum (written by evaluations; never recomputed here)."""
        if not self.norm or not self.norm.min_quality or self.quality is None:
            return 0
        return min(100, int(self.quality * 100 / self.norm.min_quality))


def instructor_norm_progress(instructor: Instructor, year: int | None = None) -> NormProgress:
    year = year or timezone.localdate().year
    norm = TeachingNorm.objects.filter(year=year, tier=instructor.tier).first()
    figures = InstructorYearFigures.objects.filter(instructor=instructor, year=year).first()
    return NormProgress(
        year=year,
        norm=norm,
        lectures=figures.lectures if figures else 0,
        hours=figures.hours if figures else Decimal("0"),
        quality=figures.quality if figures else None,
        scored_lectures=figures.scored_lectures if figures else 0,
    )


def instructor_detail(*, user: User, pk: int) -> Instructor:
    """One instructor the user may see, with groups, specialties and status history loaded."""
    return (
        Instructor.objects.visible_to(user)
        .select_related("region", "region__parent", "user")
        .prefetch_related(
            "groups",
            "specialties",
            Prefetch(
                "status_changes",
                queryset=InstructorStatusChange.objects.select_related("changed_by").order_by("-changed_at", "-pk"),
            ),
            Prefetch("year_figures", queryset=InstructorYearFigures.objects.order_by("-year")),
        )
        .get(pk=pk)
    )


def group_list(*, user: User) -> QuerySet[TeachingGroup]:
    return (
        TeachingGroup.objects.visible_to(user)
        .select_related("region", "leader")
        .annotate(member_count=Count("members", filter=Q(members__status__in=Instructor.POOL_STATUSES), distinct=True))
        .order_by("name")
    )


def group_members(group: TeachingGroup, user: User) -> QuerySet[Instructor]:
    return group.members.all().visible_to(user).select_related("region").order_by("pinyin", "pk")


def registry_summary(user: User) -> dict:
    """Counts by tier and status for the home page, in one aggregate query."""
    qs = Instructor.objects.visible_to(user)
    tiers = Instructor.Tier
    statuses = Instructor.Status
    pool = Q(status__in=Instructor.POOL_STATUSES)
    counts = qs.aggregate(
        total=Count("pk"),
        pool=Count("pk", filter=pool),
        **{f"tier_{t.value}": Count("pk", filter=pool & Q(tier=t.value)) for t in tiers},
        **{f"status_{s.value}": Count("pk", filter=Q(status=s.value)) for s in statuses},
    )
    return {
        "total": counts["total"],
        "pool": counts["pool"],
        "tiers": [(t.value, t.label, counts[f"tier_{t.value}"]) for t in tiers],
        "statuses": [(s.value, s.label, counts[f"status_{s.value}"]) for s in statuses],
    }


def specialties() -> QuerySet[Specialty]:
    return Specialty.objects.order_by("name")
