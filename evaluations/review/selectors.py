"""Reads of review cycles, proposals and vetoes within a user's scope."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from evaluations.models import (
    ReviewCycle,
    ReviewProposal,
    ReviewVeto,
)
from instructors.models import Instructor, User


def review_vetoes_for(user: User) -> QuerySet[ReviewVeto]:
    """The vetoes of the instructors an organizer manages, newest first."""
    return (
        ReviewVeto.objects.filter(instructor__in=Instructor.objects.visible_to(user))
        .select_related("instructor__region", "created_by", "revoked_by")
        .order_by("revoked", "-created_at")
    )


def review_cycles_for(user: User) -> QuerySet[ReviewCycle]:
    return (
        ReviewCycle.objects.visible_to(user)
        .select_related("region")
        .annotate(
            proposals_n=Count("proposals"),
            undecided_n=Count("proposals", filter=Q(proposals__status=ReviewProposal.Status.PROPOSED)),
        )
        .order_by("-period_end", "pk")
    )


def review_proposals_for(*, cycle: ReviewCycle, proposal: str = "", status: str = "", sort: str = "") -> QuerySet:
    qs = ReviewProposal.objects.filter(cycle=cycle).select_related("instructor__region", "scoring")
    if proposal:
        qs = qs.filter(proposal=proposal)
    if status:
        qs = qs.filter(status=status)
    order = {
        "score": [F("quality").asc(nulls_first=True)],
        "-score": [F("quality").desc(nulls_last=True)],
        "name": ["instructor__pinyin"],
    }.get(sort, ["instructor__pinyin"])
    return qs.order_by(*order, "pk")


def review_undecided_matching(*, cycle: ReviewCycle, proposal: str = "", status: str = "") -> QuerySet:
    """The undecided proposals among those the cycle's list shows with these filters (what "select all matching"
    approves)."""
    if status and status != ReviewProposal.Status.PROPOSED:
        return ReviewProposal.objects.none()
    return review_proposals_for(cycle=cycle, proposal=proposal).filter(status=ReviewProposal.Status.PROPOSED)


def review_cycle_counts(cycle: ReviewCycle) -> dict[str, int]:
    """How many proposals the cycle has and how many wait for a decision (one query)."""
    return ReviewProposal.objects.filter(cycle=cycle).aggregate(
        proposals_n=Count("pk"), undecided_n=Count("pk", filter=Q(status=ReviewProposal.Status.PROPOSED))
    )


def my_review_outcomes(user: User) -> QuerySet[ReviewProposal]:
    return (
        ReviewProposal.objects.filter(instructor__user=user)
        .exclude(status=ReviewProposal.Status.PROPOSED)
        .select_related("cycle__region")
        .order_by("-cycle__period_end", "pk")
    )
