"""Property-based invariants of the scoring rules (hypothesis): monotonicity, order independence, renormalisation,
insufficient data deciding nothing, the judge minimum, and one Q for the same figures."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.scoring import (
    DEFAULTS,
    annual_quality,
    lecture_flag,
    lecture_score,
    response_score,
    satisfaction,
    shrink,
)
from evaluations.scoring import ranking as r
from evaluations.scoring.review_rules import REVIEW_DEFAULTS, Figures, decide

WEIGHTS = {1: 0.2, 2: 0.3, 3: 0.5}
PARAMS = {**DEFAULTS, **REVIEW_DEFAULTS}
answers = st.dictionaries(st.sampled_from(list(WEIGHTS)), st.integers(1, 5), min_size=2)
role_stats = st.fixed_dictionaries(
    {role: st.tuples(st.integers(0, 30), st.floats(0, 100)) for role in DEFAULTS["role_weights"]}
)


@given(answers, st.sampled_from(list(WEIGHTS)))
def test_raising_one_answer_never_lowers_the_sheet_score(values, key):
    before = response_score({k: v * 20 for k, v in values.items()}, WEIGHTS, min_weight=0)
    raised = {**values, key: min(5, values.get(key, 1) + 1)}
    after = response_score({k: v * 20 for k, v in raised.items()}, WEIGHTS, min_weight=0)
    if before.valid and key in values:
        assert after.score >= before.score - 1e-9


@given(role_stats, st.sampled_from(list(DEFAULTS["role_weights"])), st.floats(0, 20))
def test_raising_one_role_mean_never_lowers_the_lecture_score(stats, role, delta):
    before = lecture_score(stats, DEFAULTS)
    n, mean = stats[role]
    after = lecture_score({**stats, role: (n, min(100.0, mean + delta))}, DEFAULTS)
    if before.score is not None:
        assert after.score >= before.score - 1e-9


@given(st.lists(st.floats(0, 100), min_size=1, max_size=15), st.randoms())
def test_judges_part_does_not_depend_on_the_order_of_scores(scores, rng):
    shuffled = list(enumerate(scores))
    rng.shuffle(shuffled)
    assert (
        r.trimmed_mean(dict(enumerate(scores))).mean == r.trimmed_mean(dict(shuffled)).mean
        or abs(r.trimmed_mean(dict(enumerate(scores))).mean - r.trimmed_mean(dict(shuffled)).mean) < 1e-9
    )


@given(answers, st.randoms())
def test_sheet_score_does_not_depend_on_the_order_of_answers(values, rng):
    items = list(values.items())
    rng.shuffle(items)
    a = response_score({k: v * 20 for k, v in values.items()}, WEIGHTS, min_weight=0)
    b = response_score({k: v * 20 for k, v in items}, WEIGHTS, min_weight=0)
    assert a.valid == b.valid and (a.score is None or abs(a.score - b.score) < 1e-9)


@given(role_stats)
def test_counted_role_weights_renormalise_to_one(stats):
    score = lecture_score(stats, DEFAULTS)
    counted = [f for f in score.roles if f.counted]
    if counted:
        assert abs(sum(f.weight / score.counted_weight for f in counted) - 1) < 1e-9
        assert min(f.mean for f in counted) - 1e-9 <= score.score <= max(f.mean for f in counted) + 1e-9


@given(st.fixed_dictionaries({k: st.one_of(st.none(), st.floats(0, 100)) for k in ("judges", "peers", "audience")}))
def test_competition_parts_renormalise_to_one(parts):
    weights = r.parts_weights(parts, r.COMPETITION_DEFAULTS["parts"])
    present = [v for v in parts.values() if v is not None]
    if present:
        assert abs(sum(weights.values()) - 1) < 1e-9
        assert min(present) - 1e-9 <= r.final_score(parts, r.COMPETITION_DEFAULTS["parts"]) <= max(present) + 1e-9


lecture = st.fixed_dictionaries(
    {"score": st.floats(0, 100), "hours": st.integers(1, 4), "red": st.booleans(), "insufficient": st.booleans()}
)


def _q(lectures: list[dict], finalist: int = 0) -> float | None:
    """Q the way results/quality.py does it, over the usable lectures only."""
    usable = [x for x in lectures if not x["insufficient"]]
    if not usable:
        return None
    raw = sum(x["score"] * x["hours"] for x in usable) / sum(x["hours"] for x in usable)
    shrunk = shrink(raw, len(usable), 75.0, DEFAULTS)
    return annual_quality(
        shrunk, top_ten=0, finalist=finalist, red_flags=sum(x["red"] for x in usable), params=DEFAULTS
    )


@given(st.lists(lecture, min_size=2, max_size=6), lecture)
def test_an_insufficient_lecture_never_changes_q(lectures, extra):
    assert _q(lectures) == _q([*lectures, {**extra, "insufficient": True}])


@given(
    role_stats,
    st.integers(0, 40),
    st.integers(0, 40),
    st.lists(st.booleans(), max_size=2),
    st.lists(lecture, min_size=2, max_size=6),
)
def test_an_insufficient_lecture_never_changes_a_decision(stats, n, satisfied, previous, lectures):
    """Whatever its answers, an insufficient lecture has no flag and no counting yellow, so the review's figures —
    and the decision — are those without it."""
    score = lecture_score(stats, DEFAULTS)
    sat = satisfaction(min(n, satisfied), n, DEFAULTS)
    colour, _rule, yellow = lecture_flag(sat, score, previous, DEFAULTS)
    if score.insufficient:
        assert (colour, yellow) == ("", False)
        usable = [x for x in lectures if not x["insufficient"]]
        reds = sum(x["red"] for x in usable)
        base = Figures(scored=len(usable), quality=_q(lectures), red_flags=reds, norms_met=True)
        with_it = Figures(scored=len(usable), quality=_q(lectures), red_flags=reds + (colour == "red"), norms_met=True)
        assert decide(with_it, PARAMS) == decide(base, PARAMS)


entry = st.fixed_dictionaries(
    {
        "judges": st.dictionaries(st.integers(1, 12), st.floats(0, 100), max_size=9),
        "peers": st.lists(st.floats(0, 100), max_size=5),
        "audience_n": st.integers(0, 50),
        "audience_mean": st.floats(0, 100),
    }
)


@settings(max_examples=60)
@given(st.lists(entry, min_size=1, max_size=8))
def test_an_entry_under_the_judge_minimum_is_never_ranked(entries):
    inputs = [
        r.EntryInput(
            entry=i,
            judges=e["judges"],
            effects=dict(e["judges"]),
            peers=e["peers"],
            audience_n=e["audience_n"],
            audience_mean=e["audience_mean"],
        )
        for i, e in enumerate(entries)
    ]
    ranked, breakdowns, _flags = r.compute_ranking(inputs, r.COMPETITION_DEFAULTS)
    for row in ranked:
        if len(entries[row.entry]["judges"]) < r.COMPETITION_DEFAULTS["min_judges"]:
            assert row.rank is None and row.final is None and breakdowns[row.entry]["eligible"] is False
        else:
            assert row.rank is not None


@given(st.lists(lecture, min_size=1, max_size=6), st.integers(0, 2))
def test_q_is_the_same_for_the_same_figures_wherever_it_is_computed(lectures, finalist):
    """Q is a function of the figures only (the stored value, 我的评价 and the review call the same function)."""
    first, second = _q(lectures, finalist), _q(list(reversed(lectures)), finalist)
    assert (first is None and second is None) or abs(first - second) < 1e-9


def test_q2_rounds_half_up():
    from evaluations.scoring import q2

    assert q2(80.005) == Decimal("80.01")
