"""The admit/retire review's rule order as a pure function of an instructor's figures, with the rules' labels."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """What a review proposes for one instructor (stored on ReviewProposal.outcome)."""

    RETAIN = "retain", _("Retain")
    EXCELLENT = "excellent", _("Retain, excellent")
    WARN = "warn", _("Warn")
    PROBATION = "probation", _("Probation")
    RETIRE = "retire", _("Retire")
    ADMIT = "admit", _("Admit to the pool")


# The review's own numbers (docs/scoring.md §4); an admin overrides them under the "review" key of
# ScoringSettings.params.
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


# Rule labels are built from the settings version a proposal used (``rule_label(rule, params)``): the thresholds
# in them are that version's numbers, never hard-coded.
RULE_LABELS = {
    "manual_veto": _("Manual veto by the organizer"),
    "unrated_norms_missed_twice": _(
        "Fewer than %(min_scored_lectures)s scored lectures, and the teaching norm missed two years running"
    ),
    "unrated_norms_missed": _("Fewer than %(min_scored_lectures)s scored lectures, and the teaching norm missed"),
    "unrated_norms_met": _(
        "Fewer than %(min_scored_lectures)s scored lectures (quality not rated), teaching norm met or not set"
    ),
    "quality_below_retire": _("Yearly quality Q below %(retire_quality)s"),
    "rectified_course_failed_retest": _("A course taken off the shelf for rectification failed its re-test"),
    "repeated_suspensions": _("%(suspensions)s or more suspensions within %(suspension_months)s months"),
    "warned_two_cycles": _("A warning rule fired after a warning in the previous cycle"),
    "norms_missed_two_years": _("Teaching norm missed two years running"),
    "quality_below_warn": _("Yearly quality Q from %(retire_quality)s to below %(warn_quality)s"),
    "norms_missed": _("Teaching norm missed"),
    "satisfaction_below_threshold": _("Satisfaction below %(sr_percent)s (at least %(sr_min_n)s answers)"),
    "red_flag": _("A red flag on a lecture with enough answers"),
    "excellent": _(
        "Yearly quality Q at least %(excellent_quality)s, satisfaction at least %(excellent_sr_percent)s "
        "and the teaching norm met"
    ),
    "retain": _("No rule of concern fired"),
    "trial_lecture_qualifies": _(
        "Trial lecture scored at least %(trial_expert_score)s by at least %(trial_experts)s experts, "
        "satisfaction at least %(sr_percent)s (at least %(sr_min_n)s answers)"
    ),
}


FIGURE_LABELS = {
    "lectures": _("Lectures delivered"),
    "hours": _("Teaching hours"),
    "scored_lectures": _("Scored lectures (enough answers)"),
    "quality_raw": _("Hours-weighted mean of the lecture scores"),
    "tier_mean": _("Mean of the tier"),
    "shrink_k": _("Shrinkage weight k₀ (lectures)"),
    "quality_shrunk": _("After shrinkage toward the tier mean"),
    "quality": _("Yearly quality Q"),
    "quality_unrated": _("Quality not rated (too few scored lectures)"),
    "top_ten": _("Top-ten courses"),
    "top_ten_bonus": _("Bonus per top-ten course"),
    "finalist": _("Finalist courses"),
    "finalist_bonus": _("Bonus per finalist course"),
    "red_flags": _("Red flags"),
    "red_penalty": _("Penalty per red flag"),
    "sr": _("Satisfaction rate"),
    "sr_n": _("Satisfaction answers"),
    "rectifications": _("Rectifications opened"),
    "suspensions_24m": _("Suspensions in the suspension window"),
    "failed_retests": _("Failed re-tests"),
    "previously_warned": _("Warned in the previous cycle"),
    "veto": _("Manual veto"),
    "norm": _("Teaching norm"),
    "norms_met": _("Teaching norm met"),
    "prev_norms_met": _("Teaching norm met last year"),
    "trial_lecture": _("Trial lecture"),
    "trial_score": _("Trial lecture score"),
    "experts_at_or_above": _("Experts at or above the trial threshold"),
}


def percent(value: float | None, digits: int = 0) -> str:
    """0.83 → "83 %" (the way the pages print a rate)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f} %"


def _rule_values(params: dict | None) -> dict:
    values = {**REVIEW_DEFAULTS, **(params or {})}
    values.setdefault("sr_threshold", 0.85)
    values.setdefault("sr_min_n", 10)
    values["sr_percent"] = percent(values["sr_threshold"])
    values["excellent_sr_percent"] = percent(values["excellent_sr"])
    return {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in values.items()}


def rule_label(rule: str, params: dict | None = None) -> str:
    """The rule in words with the thresholds of ``params`` (the settings version that was used)."""
    label = RULE_LABELS.get(rule)
    if label is None:
        return str(_("Rule not recognised"))
    return str(label) % _rule_values(params)


def _yes_no(value) -> str:
    if value is None:
        return str(_("not set"))
    return str(_("yes")) if value else str(_("no"))


def norm_sentence(norm: dict | None) -> str:
    """The stored norm as a sentence: what the tier must reach in the year, prorated to the review period."""
    if not norm:
        return str(_("No teaching norm is set for this tier and year."))
    fraction = float(norm.get("fraction", 1))
    return str(
        _(
            "%(year)s norm: at least %(lectures)s lectures and %(hours)s teaching hours a year and a quality of at "
            "least %(quality)s; for this period (%(share)s of a year) at least %(p_lectures)s lectures and "
            "%(p_hours)s hours."
        )
    ) % {
        "year": norm["year"],
        "lectures": norm["min_lectures"],
        "hours": f"{norm['min_hours']:g}",
        "quality": f"{norm['min_quality']:g}",
        "share": percent(fraction),
        "p_lectures": f"{norm['min_lectures'] * fraction:.1f}",
        "p_hours": f"{norm['min_hours'] * fraction:.1f}",
    }


def _shown(key: str, value) -> str:
    if key == "norm":
        return norm_sentence(value)
    if isinstance(value, bool) or (value is None and key in ("norms_met", "prev_norms_met")):
        return _yes_no(value)
    if value is None or value == "":
        return "—"
    if key == "sr":
        return percent(value, 1)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if key.endswith(("bonus", "penalty")) else f"{value:.2f}"
    return str(value)


def figure_rows(figures: dict) -> list[tuple[str, str]]:
    """The stored figures with Chinese labels and readable values (a sentence for the norm, 是/否, percentages)."""
    return [(str(FIGURE_LABELS[key]), _shown(key, value)) for key, value in figures.items() if key in FIGURE_LABELS]


def quality_formula(figures: dict) -> str:
    """Q with its numbers: hours-weighted mean → shrinkage toward the tier mean with k₀ → bonuses and penalties."""
    raw, k = figures.get("quality_raw"), figures.get("scored_lectures") or 0
    if raw is None:
        return str(_("No scored lecture in the period: Q is not computed."))
    k0, mu = figures.get("shrink_k", 0), figures.get("tier_mean")
    shrunk = figures.get("quality_shrunk")
    mu_text = f"{mu:.2f}" if mu is not None else f"{raw:.2f}"
    text = f"({k} × {raw:.2f} + {k0} × {mu_text}) / ({k} + {k0}) = {shrunk:.2f}" if shrunk is not None else ""
    extra = []
    if figures.get("top_ten"):
        extra.append(f"+ {figures.get('top_ten_bonus', 0):g} × {figures['top_ten']}")
    if figures.get("finalist"):
        extra.append(f"+ {figures.get('finalist_bonus', 0):g} × {figures['finalist']}")
    if figures.get("red_flags"):
        extra.append(f"− {figures.get('red_penalty', 0):g} × {figures['red_flags']}")
    q = figures.get("quality")
    if q is None and figures.get("quality_unrated"):
        return text + " " + str(_("(quality not rated: too few scored lectures)"))
    return f"{text} {' '.join(extra)} → Q = {q:.2f}".replace("  ", " ") if q is not None else text


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
    """(outcome, rule) in the order of docs/scoring.md §4; the first rule that fires wins."""
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
