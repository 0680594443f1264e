"""The admit/retire review's rule order as a pure function of an instructor's figures, with the rules' labels."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_lazy as _l


class Outcome(models.TextChoices):
    """What a review proposes for one instructor (stored on ReviewProposal.outcome)."""

    RETAIN = "retain", _("Retain")
    EXCELLENT = "excellent", _("Retain, excellent")
    WARN = "warn", _("Warn")
    PROBATION = "probation", _("Probation")
    RETIRE = "retire", _("Retire")
    ADMIT = "admit", _("Admit to the pool")


# The review's own numbers (DOMAIN.md §3); an admin overrides them under the "review" key of ScoringSettings.params.
REVIEW_DEFAULTS: dict = {
    "retire_quality": 60,
    "warn_quality": 75,
    "excellent_quality": 90,
    "excellent_sr": 0.95,
    "min_scored_lectures": 2,
    "suspensions": 2,
    "suspension_months": 24,
    "trial_expert_score": 80,
    "trial_experts": 3,
}


RULE_LABELS = {
    "manual_veto": _l("Manual veto"),
    "unrated_norms_missed_twice": _l("Fewer than 2 scored lectures; norms missed two years running"),
    "unrated_norms_missed": _l("Fewer than 2 scored lectures; norms missed"),
    "unrated_norms_met": _l("Fewer than 2 scored lectures; norms met (quality unrated)"),
    "quality_below_retire": _l("Quality below 60"),
    "rectified_course_failed_retest": _l("A rectified course failed its re-test"),
    "repeated_suspensions": _l("Two suspensions within 24 months"),
    "warned_two_cycles": _l("Warned in two consecutive cycles"),
    "norms_missed_two_years": _l("Norms missed two years running"),
    "quality_below_warn": _l("Quality between 60 and 75"),
    "norms_missed": _l("Norms missed"),
    "satisfaction_below_threshold": _l("Satisfaction below 85 %"),
    "red_flag": _l("A red flag on a lecture"),
    "excellent": _l("Quality ≥ 90, satisfaction ≥ 95 % and norms met"),
    "retain": _l("No rule of concern fired"),
    "trial_lecture_qualifies": _l("Trial lecture scored ≥ 80 by ≥ 3 experts, satisfaction ≥ 85 % (n ≥ 10)"),
}


FIGURE_LABELS = {
    "lectures": _l("Lectures delivered"),
    "hours": _l("Teaching hours"),
    "scored_lectures": _l("Scored lectures"),
    "quality_raw": _l("Quality before shrinking (hours-weighted)"),
    "tier_mean": _l("Tier mean"),
    "quality": _l("Yearly quality Q"),
    "quality_unrated": _l("Quality unrated"),
    "top_ten": _l("Top-ten courses"),
    "finalist": _l("Finalist courses"),
    "red_flags": _l("Red flags"),
    "sr": _l("Satisfaction rate"),
    "sr_n": _l("Satisfaction answers"),
    "rectifications": _l("Rectifications opened"),
    "suspensions_24m": _l("Suspensions in 24 months"),
    "failed_retests": _l("Failed re-tests"),
    "previously_warned": _l("Warned in the previous cycle"),
    "veto": _l("Manual veto"),
    "norm": _l("Norm (prorated by the period)"),
    "norms_met": _l("Norms met"),
    "prev_norms_met": _l("Norms met last year"),
    "trial_lecture": _l("Trial lecture"),
    "trial_score": _l("Trial lecture score"),
    "experts_at_or_above": _l("Experts scoring 80 or more"),
}


def figure_rows(figures: dict) -> list[tuple[str, object]]:
    """The stored figures with readable labels, in a fixed order."""
    return [(str(FIGURE_LABELS.get(key, key)), value) for key, value in figures.items()]


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


@dataclass
class Figures:
    """What the rules read about one instructor in one cycle."""

    vetoed: bool = False
    scored: int = 0
    quality: float | None = None
    sr: float | None = None
    sr_n: int = 0
    red_flags: int = 0
    failed_retests: int = 0
    suspensions: int = 0
    previously_warned: bool = False
    norms_met: bool | None = None  # None: no norm is set for the tier and year
    prev_norms_met: bool | None = None


def decide(fig: Figures, p: dict) -> tuple[str, str]:
    """(outcome, rule) in the order of DOMAIN.md §3; the first rule that fires wins."""
    if fig.vetoed:
        return Outcome.RETIRE, "manual_veto"
    norms_missed = fig.norms_met is False
    missed_twice = norms_missed and fig.prev_norms_met is False
    if fig.scored < p["min_scored_lectures"] or fig.quality is None:
        if missed_twice:
            return Outcome.RETIRE, "unrated_norms_missed_twice"
        if norms_missed:
            return Outcome.WARN, "unrated_norms_missed"
        return Outcome.RETAIN, "unrated_norms_met"
    sr_known = fig.sr is not None and fig.sr_n >= p["sr_min_n"]
    warn_rule = ""
    if fig.quality < p["warn_quality"]:
        warn_rule = "quality_below_warn"
    elif norms_missed:
        warn_rule = "norms_missed"
    elif sr_known and fig.sr < p["sr_threshold"]:
        warn_rule = "satisfaction_below_threshold"
    elif fig.red_flags:
        warn_rule = "red_flag"
    if fig.quality < p["retire_quality"]:
        return Outcome.RETIRE, "quality_below_retire"
    if fig.failed_retests:
        return Outcome.RETIRE, "rectified_course_failed_retest"
    if fig.suspensions >= p["suspensions"]:
        return Outcome.RETIRE, "repeated_suspensions"
    if warn_rule and fig.previously_warned:
        return Outcome.RETIRE, "warned_two_cycles"
    if missed_twice:
        return Outcome.RETIRE, "norms_missed_two_years"
    if warn_rule:
        return Outcome.WARN, warn_rule
    if fig.quality >= p["excellent_quality"] and sr_known and fig.sr >= p["excellent_sr"] and fig.norms_met:
        return Outcome.EXCELLENT, "excellent"
    return Outcome.RETAIN, "retain"
