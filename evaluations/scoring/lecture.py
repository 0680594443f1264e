"""The lecture formulas as pure functions: no database, so every number can be checked by hand.

Selectors feed them aggregates computed in SQL (counts, sums and means per role); services store what they return
together with the settings version that produced it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# The defaults of every number in the spec. A ScoringSettings row stores a full copy; an admin changes a copy.
DEFAULTS: dict = {
    "trainee_points_per_step": 20,  # 1–5 → 20–100
    "min_answered_weight": 2 / 3,
    "window_hours": 72,
    "speeder_seconds": 20,
    "role_weights": {
        "trainee": 0.40,
        "expert": 0.25,
        "peer": 0.10,
        "organizer": 0.10,
        "grassroots": 0.10,
        "media": 0.05,
    },
    "role_min_counts": {"trainee": 8, "expert": 1, "peer": 1, "organizer": 1, "grassroots": 1, "media": 1},
    "min_counted_weight": 0.6,
    "leniency_prior": 5,
    "sr_threshold": 0.85,
    "sr_min_n": 10,
    "wilson_z": 1.645,
    "red_score": 60,
    "yellow_history": [2, 3],  # yellow in 2 of the course's last 3 lectures → red
    "shrink_k": 3,
    "top_ten_bonus": 3,
    "finalist_bonus": 1,
    "red_penalty": 3,
    "quality_cap": 100,
    # Small groups stay private: the instructor sees a per-indicator distribution or a named-rater role's mean only
    # from this many answers on ("人数过少，不单独显示" otherwise); organizers see every figure.
    "privacy_min_answers": 5,
}


ROLE_ORDER = ("trainee", "expert", "peer", "organizer", "grassroots", "media")


def q2(value: float | Decimal | None) -> Decimal | None:
    """Round half up to two decimals, as shown on screen and stored."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ResponseScore:
    score: float | None
    answered_weight: float
    valid: bool
    reason: str = ""


def response_score(values: Mapping[int, float], weights: Mapping[int, float], *, min_weight: float) -> ResponseScore:
    """Weighted mean over the answered indicators; invalid when they carry less than ``min_weight`` of the weight.

    ``values`` are already on the 0–100 scale (trainee steps multiplied by 20).
    """
    answered = {key: value for key, value in values.items() if key in weights and value is not None}
    weight = sum(weights[key] for key in answered)
    total = sum(weights.values())
    if total <= 0 or weight / total < min_weight - 1e-9:
        return ResponseScore(None, weight, False, "too_little")
    score = sum(weights[key] * value for key, value in answered.items()) / weight
    return ResponseScore(score, weight, True)


def is_speeder(*, seconds: float | None, steps: Iterable[int], threshold: float) -> bool:
    """Dropped: submitted faster than the threshold with every item the same."""
    values = list(steps)
    return seconds is not None and seconds < threshold and len(values) > 1 and len(set(values)) == 1


def is_uniform(steps: Iterable[int]) -> bool:
    """Flagged only: every item the same (all-5 is a common honest answer)."""
    values = list(steps)
    return len(values) > 1 and len(set(values)) == 1


@dataclass
class RoleFigure:
    role: str
    n: int
    mean: float | None
    weight: float
    minimum: int
    counted: bool = False


@dataclass
class LectureScore:
    score: float | None
    counted_weight: float
    insufficient: bool
    roles: list[RoleFigure] = field(default_factory=list)
    reason: str = ""


def lecture_score(role_stats: Mapping[str, tuple[int, float | None]], params: Mapping) -> LectureScore:
    """Weighted mean of the counted roles' means, renormalised over the counted roles."""
    weights, minimums = params["role_weights"], params["role_min_counts"]
    roles = []
    # PostgreSQL's jsonb does not keep key order, so the display order is fixed here.
    ordered = [role for role in ROLE_ORDER if role in weights] + sorted(set(weights) - set(ROLE_ORDER))
    for role in ordered:
        weight = weights[role]
        n, mean = role_stats.get(role, (0, None))
        figure = RoleFigure(role=role, n=n, mean=mean, weight=weight, minimum=minimums.get(role, 1))
        figure.counted = mean is not None and n >= figure.minimum
        roles.append(figure)
    counted = [r for r in roles if r.counted]
    counted_weight = sum(r.weight for r in counted)
    score = sum(r.weight * r.mean for r in counted) / counted_weight if counted_weight else None
    trainee = next((r for r in roles if r.role == "trainee"), None)
    reason = ""
    if trainee is not None and trainee.n < trainee.minimum:
        reason = "few_trainees"
    elif counted_weight < params["min_counted_weight"] - 1e-9:
        reason = "low_weight"
    return LectureScore(
        score=score, counted_weight=counted_weight, insufficient=bool(reason), roles=roles, reason=reason
    )


def session_score(trainee: tuple[int, float | None], params: Mapping) -> LectureScore:
    """A training session's score: only its trainees rate it, so the score is their valid sheets' mean (0–100),
    counted once the trainee minimum is reached. The lecture formula with the trainee as the only role."""
    only_trainees = {
        **params,
        "role_weights": {"trainee": 1.0},
        "role_min_counts": {"trainee": params["role_min_counts"]["trainee"]},
        "min_counted_weight": 1.0,
    }
    return lecture_score({"trainee": trainee}, only_trainees)


def wilson_bounds(successes: int, n: int, z: float) -> tuple[float | None, float | None]:
    """Wilson score interval; with z = 1.645 each bound is a one-sided 95 % bound."""
    if n <= 0:
        return None, None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Satisfaction:
    n: int
    satisfied: int
    rate: float | None
    lower: float | None
    upper: float | None


def satisfaction(satisfied: int, n: int, params: Mapping) -> Satisfaction:
    lower, upper = wilson_bounds(satisfied, n, params["wilson_z"])
    return Satisfaction(n=n, satisfied=satisfied, rate=satisfied / n if n else None, lower=lower, upper=upper)


def is_yellow(sat: Satisfaction, params: Mapping) -> bool:
    return sat.n >= params["sr_min_n"] and sat.rate is not None and sat.rate < params["sr_threshold"]


def flag(sat: Satisfaction, score: float | None, previous_yellows: Iterable[bool], params: Mapping) -> tuple[str, str]:
    """('red'|'yellow'|'', rule). ``previous_yellows``: the course's lectures before this one, newest first."""
    yellow = is_yellow(sat, params)
    if sat.n >= params["sr_min_n"]:
        if sat.upper is not None and sat.upper < params["sr_threshold"]:
            return "red", "sr_upper_below_threshold"
        if score is not None and score < params["red_score"]:
            return "red", "score_below_red_line"
    needed, window = params["yellow_history"]
    recent = [yellow, *list(previous_yellows)[: window - 1]]
    if yellow and sum(recent) >= needed:
        return "red", "repeated_yellow"
    if yellow:
        return "yellow", "sr_below_threshold"
    return "", ""


def lecture_flag(
    sat: Satisfaction, score: LectureScore, previous_yellows: Iterable[bool], params: Mapping
) -> tuple[str, str, bool]:
    """(flag, rule, yellow that counts) of a lecture: a lecture with insufficient data decides nothing — no flag and
    no yellow that would count toward a later "repeated yellow"."""
    if score.insufficient:
        return "", "", False
    colour, rule = flag(sat, score.score, previous_yellows, params)
    return colour, rule, is_yellow(sat, params)


def shrink(raw: float | None, k: int, tier_mean: float | None, params: Mapping) -> float | None:
    """Q = (k·Q_raw + k0·μ_tier) / (k + k0): few lectures pull the score toward the tier's mean."""
    if raw is None or k <= 0:
        return None
    k0 = params["shrink_k"]
    mu = raw if tier_mean is None else tier_mean
    return (k * raw + k0 * mu) / (k + k0)


def annual_quality(
    shrunk: float | None, *, top_ten: int, finalist: int, red_flags: int, params: Mapping
) -> float | None:
    if shrunk is None:
        return None
    value = (
        shrunk
        + params["top_ten_bonus"] * top_ten
        + params["finalist_bonus"] * finalist
        - params["red_penalty"] * red_flags
    )
    return min(params["quality_cap"], value)


def leniency_offset(deviations: Iterable[float], params: Mapping) -> float:
    """b = Σ(x − mean of the others) / (k + prior) over the k lectures a named rater scored."""
    values = list(deviations)
    return sum(values) / (len(values) + params["leniency_prior"])
