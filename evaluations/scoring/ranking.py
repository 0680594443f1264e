"""The competition ranking as pure functions: trimming, judge normalisation, the final score, ranks and judge flags."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from evaluations.scoring import q2

# Defaults of docs/scoring.md §3; an admin overrides them under the "competition" key of ScoringSettings.params.
COMPETITION_DEFAULTS: dict = {
    "criteria": {"content": 0.40, "method": 0.25, "effect": 0.35},
    "parts": {"judges": 0.70, "peers": 0.20, "audience": 0.10},
    "audience_prior": 10,
    "normalise_min_scores": 5,
    "flag_distance": 15,
    "flag_share": 0.30,
    "top": 10,
    # An entry is ranked only with at least this many judges who scored every criterion (a recused judge is
    # missing, not zero); below it the entry is shown as 未达评分要求 and never ranked, published or promoted.
    "min_judges": 5,
}


def trim_count(n: int) -> int:
    """How many scores to drop from each end: 0 for n ≤ 4, 1 for 5–9, 2 for 10 or more."""
    if n <= 4:
        return 0
    if n <= 9:
        return 1
    return 2


@dataclass
class Trimmed:
    mean: float | None
    kept: list
    dropped: list


def trimmed_mean(scores: Mapping) -> Trimmed:
    """Trimmed mean of {judge: score}. Drops by position, so a repeated extreme loses one copy per trimmed place
    only; among equal scores the judge with the lower key is dropped at the low end and the higher at the top."""
    ordered = sorted(scores.items(), key=lambda item: (item[1], item[0]))
    t = trim_count(len(ordered))
    kept = ordered[t : len(ordered) - t] if t else ordered
    dropped = ordered[:t] + ordered[len(ordered) - t :] if t else []
    mean = sum(value for _key, value in kept) / len(kept) if kept else None
    return Trimmed(mean=mean, kept=[key for key, _v in kept], dropped=[key for key, _v in dropped])


def needs_normalising(scores: Mapping[int, Mapping]) -> bool:
    """True when judges scored different subsets of the entries ({entry: {judge: score}})."""
    subsets: dict = {}
    for entry, by_judge in scores.items():
        for judge in by_judge:
            subsets.setdefault(judge, set()).add(entry)
    return len({frozenset(s) for s in subsets.values()}) > 1


def normalise(scores: Mapping[int, Mapping], *, min_scores: int) -> tuple[dict, set]:
    """Map each judge with ≥ ``min_scores`` scores onto the panel's mean and spread (population SD):
    x' = μ + σ·(x − m_j)/s_j. Judges with fewer scores keep theirs. Returns ({entry: {judge: x'}}, normalised)."""
    everything = [value for by_judge in scores.values() for value in by_judge.values()]
    if not everything:
        return {e: dict(j) for e, j in scores.items()}, set()
    mu, sigma = statistics.fmean(everything), statistics.pstdev(everything)
    per_judge: dict = {}
    for by_judge in scores.values():
        for judge, value in by_judge.items():
            per_judge.setdefault(judge, []).append(value)
    shift = {}
    for judge, values in per_judge.items():
        if len(values) >= min_scores:
            shift[judge] = (statistics.fmean(values), statistics.pstdev(values))
    out = {}
    for entry, by_judge in scores.items():
        out[entry] = {}
        for judge, value in by_judge.items():
            if judge in shift:
                m, s = shift[judge]
                out[entry][judge] = mu + (sigma * (value - m) / s if s else 0.0)
            else:
                out[entry][judge] = value
    return out, set(shift)


def final_score(parts: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean of the parts present, renormalised over their weights."""
    present = {k: v for k, v in parts.items() if v is not None}
    total = sum(weights[k] for k in present)
    return sum(weights[k] * v for k, v in present.items()) / total if total else None


def shrink_audience(n: int, mean: float | None, mu: float | None, prior: int) -> float | None:
    """(n·S + prior·μ) / (n + prior): a small audience is pulled toward the mean of all entries."""
    if not n or mean is None:
        return None
    mu = mean if mu is None else mu
    return (n * mean + prior * mu) / (n + prior)


@dataclass
class Ranked:
    entry: int
    final: Decimal | None
    judges: Decimal | None
    effect: Decimal | None
    median: Decimal | None
    rank: int | None = None
    tie_break: str = ""
    # The unrounded judges' mean, effect and median: tie-breaks compare these, never the rounded copies.
    exact: tuple | None = None
    # The values that decided the tie with the entry ranked just before or after: (name, this, other, other entry).
    tie_values: tuple | None = None


TIE_BREAKS = ("judges", "effect", "median")


def rank(rows: Iterable[Ranked]) -> list[Ranked]:
    """Rank on F to 2 decimals; ties by the higher judges' mean, then effect, then median — compared exactly, not
    rounded — else a shared rank. Rows without F (not eligible) come last, unranked."""
    rows = list(rows)
    scored = [r for r in rows if r.final is not None]
    low = -1.0

    def breakers(r: Ranked) -> tuple:
        values = r.exact if r.exact is not None else (r.judges, r.effect, r.median)
        return tuple(low if v is None else float(v) for v in values)

    scored.sort(key=lambda r: (-r.final, tuple(-x for x in breakers(r)), r.entry))
    for index, row in enumerate(scored):
        previous = scored[index - 1] if index else None
        if previous is None or previous.final != row.final:
            row.rank = index + 1
            continue
        # Same F: the first tie-break that separates the two names how the order was decided.
        mine, theirs = breakers(row), breakers(previous)
        position = next((i for i in range(len(TIE_BREAKS)) if mine[i] != theirs[i]), None)
        row.rank = index + 1 if position is not None else previous.rank
        row.tie_break = TIE_BREAKS[position] if position is not None else "shared"
        if position is not None:
            row.tie_values = (TIE_BREAKS[position], mine[position], theirs[position], previous.entry)
            if previous.tie_values is None:
                previous.tie_values = (TIE_BREAKS[position], theirs[position], mine[position], row.entry)
        previous.tie_break = previous.tie_break or row.tie_break
    return scored + [r for r in rows if r.final is None]


def flagged_judges(used: Mapping[int, Mapping], means: Mapping[int, float | None], *, distance: float, share: float):
    """{judge: (far, scored)} for judges more than ``distance`` from the trimmed mean on ≥ ``share`` of entries."""
    counts: dict = {}
    for entry, by_judge in used.items():
        mean = means.get(entry)
        if mean is None:
            continue
        for judge, value in by_judge.items():
            far, scored = counts.get(judge, (0, 0))
            counts[judge] = (far + (abs(value - mean) > distance), scored + 1)
    return {j: c for j, c in counts.items() if c[1] and c[0] / c[1] >= share - 1e-9}


@dataclass
class EntryInput:
    entry: int
    judges: dict[int, float] = field(default_factory=dict)  # judge → weighted total
    effects: dict[int, float] = field(default_factory=dict)  # judge → effect criterion
    peers: list[float] = field(default_factory=list)
    audience_n: int = 0
    audience_mean: float | None = None


def parts_weights(parts: Mapping[str, float | None], weights: Mapping[str, float]) -> dict[str, float]:
    """The weights actually applied: each present part's weight divided by the sum over the present parts (sum 1)."""
    present = [k for k, v in parts.items() if v is not None]
    total = sum(weights[k] for k in present)
    return {k: weights[k] / total for k in present} if total else {}


def compute_ranking(inputs: list[EntryInput], p: dict) -> tuple[list[Ranked], dict[int, dict], dict]:
    """The whole ranking: returns (ranked rows, breakdown per entry, flagged judges).

    An entry with fewer than ``min_judges`` complete judges' scores is not eligible: it gets no F and no rank (its
    parts are still shown), so it is never ranked on peers and audience alone."""
    minimum = p.get("min_judges", COMPETITION_DEFAULTS["min_judges"])
    raw = {i.entry: dict(i.judges) for i in inputs}
    normalised: set = set()
    used = raw
    if needs_normalising(raw):
        used, normalised = normalise(raw, min_scores=p["normalise_min_scores"])
    n_total = sum(i.audience_n for i in inputs if i.audience_mean is not None)
    mu = (
        sum(i.audience_n * i.audience_mean for i in inputs if i.audience_mean is not None) / n_total
        if n_total
        else None
    )
    rows, breakdowns, means = [], {}, {}
    for item in inputs:
        trimmed = trimmed_mean(used[item.entry])
        means[item.entry] = trimmed.mean
        peers = statistics.fmean(item.peers) if item.peers else None
        audience = shrink_audience(item.audience_n, item.audience_mean, mu, p["audience_prior"])
        parts = {"judges": trimmed.mean, "peers": peers, "audience": audience}
        eligible = len(item.judges) >= minimum
        final = final_score(parts, p["parts"]) if eligible else None
        effect = statistics.fmean(item.effects.values()) if item.effects else None
        median = statistics.median(used[item.entry].values()) if used[item.entry] else None
        rows.append(
            Ranked(
                item.entry, q2(final), q2(trimmed.mean), q2(effect), q2(median), exact=(trimmed.mean, effect, median)
            )
        )
        breakdowns[item.entry] = {
            "judges": [
                {
                    "judge": judge,
                    "raw": round(item.judges[judge], 2),
                    "used": round(used[item.entry][judge], 2),
                    "normalised": judge in normalised,
                    "trimmed": judge in trimmed.dropped,
                }
                for judge in sorted(item.judges)
            ],
            "eligible": eligible,
            "judges_n": len(item.judges),
            "min_judges": minimum,
            "trim_each_end": trim_count(len(item.judges)),
            "judges_mean": _r(trimmed.mean),
            "peers": {"n": len(item.peers), "mean": _r(peers)},
            "audience": {"n": item.audience_n, "mean": item.audience_mean, "mu": _r(mu), "shrunk": _r(audience)},
            "parts_used": [k for k, v in parts.items() if v is not None],
            "weights_used": {k: round(w, 4) for k, w in parts_weights(parts, p["parts"]).items()},
            "final": _r(final),
            "effect": _r(effect),
            "median": _r(median),
        }
    ranked = rank(rows)
    for row in ranked:
        breakdowns[row.entry]["tie_break"] = row.tie_break
        if row.tie_values is not None:
            name, mine, theirs, other = row.tie_values
            breakdowns[row.entry]["tie_values"] = {"name": name, "mine": mine, "other": theirs, "other_entry": other}
    flags = flagged_judges(used, means, distance=p["flag_distance"], share=p["flag_share"])
    return ranked, breakdowns, flags


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)
