"""Every formula of docs/scoring.md §1–§2 on small hand-made numbers, to 0.01."""

import pytest

from evaluations.scoring import (
    DEFAULTS,
    annual_quality,
    flag,
    is_speeder,
    is_uniform,
    lecture_score,
    leniency_offset,
    q2,
    response_score,
    satisfaction,
    shrink,
    wilson_bounds,
)

W = {1: 0.15, 2: 0.15, 3: 0.10, 4: 0.10, 5: 0.08, 6: 0.07, 7: 0.12, 8: 0.10, 9: 0.13}


def test_response_score_is_weighted_mean_of_answered_items():
    values = {1: 100, 2: 80, 3: 60, 4: 100, 5: 80, 6: 60, 7: 100, 8: 80, 9: 60}
    result = response_score(values, W, min_weight=2 / 3)
    # (0.15·100+0.15·80+0.10·60+0.10·100+0.08·80+0.07·60+0.12·100+0.10·80+0.13·60) / 1.00 = 81.4
    assert q2(result.score) == q2(81.4)


def test_response_with_under_two_thirds_of_weight_is_invalid():
    values = {1: 100, 2: 100, 3: 100, 4: 100, 5: 100}  # 0.58 of the weight
    assert response_score(values, W, min_weight=2 / 3).valid is False


def test_response_renormalises_over_answered_weight():
    values = {1: 100, 2: 60, 3: 80, 4: 80, 7: 100, 9: 40}  # 0.75 of the weight
    result = response_score(values, W, min_weight=2 / 3)
    expected = (0.15 * 100 + 0.15 * 60 + 0.10 * 80 + 0.10 * 80 + 0.12 * 100 + 0.13 * 40) / 0.75
    assert q2(result.score) == q2(expected) == q2(76.27)


def test_speeder_needs_both_fast_and_uniform():
    assert is_speeder(seconds=12, steps=[5, 5, 5], threshold=20)
    assert not is_speeder(seconds=12, steps=[5, 4, 5], threshold=20)
    assert not is_speeder(seconds=25, steps=[5, 5, 5], threshold=20)


def test_uniform_answers_are_only_flagged():
    assert is_uniform([5, 5, 5]) and not is_uniform([5, 4])


def test_lecture_score_with_all_roles():
    stats = {
        "trainee": (20, 80.0),
        "expert": (3, 70.0),
        "peer": (2, 90.0),
        "organizer": (1, 85.0),
        "grassroots": (1, 75.0),
        "media": (1, 60.0),
    }
    result = lecture_score(stats, DEFAULTS)
    # 0.40·80 + 0.25·70 + 0.10·90 + 0.10·85 + 0.10·75 + 0.05·60 = 77.5
    assert (q2(result.score), result.insufficient) == (q2(77.5), False)


def test_lecture_score_renormalises_over_missing_roles():
    stats = {"trainee": (12, 80.0), "expert": (2, 70.0)}
    result = lecture_score(stats, DEFAULTS)
    # (0.40·80 + 0.25·70) / 0.65 = 76.15; counted weight 0.65 ≥ 0.6
    assert (q2(result.score), q2(result.counted_weight), result.insufficient) == (q2(76.15), q2(0.65), False)


def test_lecture_with_seven_trainees_is_insufficient_and_trainees_not_counted():
    stats = {"trainee": (7, 95.0), "expert": (2, 70.0), "peer": (1, 80.0), "organizer": (1, 80.0)}
    result = lecture_score(stats, DEFAULTS)
    assert (result.insufficient, result.reason) == (True, "few_trainees")
    assert q2(result.score) == q2((0.25 * 70 + 0.10 * 80 + 0.10 * 80) / 0.45)


def test_lecture_with_trainees_only_is_insufficient_by_weight():
    result = lecture_score({"trainee": (30, 90.0)}, DEFAULTS)
    assert (result.insufficient, result.reason) == (True, "low_weight")


def test_wilson_bounds_match_hand_computation():
    lower, upper = wilson_bounds(17, 20, 1.645)
    # p = 0.85, z² = 2.706: centre = (0.85 + 0.06765)/1.1353 = 0.8083; half = 1.645·√(0.006375+0.001691)/1.1353 = 0.1301
    assert (q2(lower), q2(upper)) == (q2(0.68), q2(0.94))


def test_satisfaction_rate():
    sat = satisfaction(9, 12, DEFAULTS)
    assert (q2(sat.rate), sat.n) == (q2(0.75), 12)


def test_yellow_when_rate_below_threshold_but_upper_bound_above():
    sat = satisfaction(16, 20, DEFAULTS)  # 0.80, upper ≈ 0.90
    assert flag(sat, 75.0, [], DEFAULTS) == ("yellow", "sr_below_threshold")


def test_red_when_upper_bound_below_threshold():
    sat = satisfaction(10, 20, DEFAULTS)  # 0.50, upper ≈ 0.68
    assert flag(sat, 75.0, [], DEFAULTS)[0] == "red"


def test_red_when_score_below_sixty_with_enough_answers():
    sat = satisfaction(19, 20, DEFAULTS)
    assert flag(sat, 59.99, [], DEFAULTS) == ("red", "score_below_red_line")


def test_no_flag_under_ten_answers():
    sat = satisfaction(2, 9, DEFAULTS)
    assert flag(sat, 40.0, [], DEFAULTS) == ("", "")


def test_second_yellow_in_three_lectures_turns_red():
    sat = satisfaction(16, 20, DEFAULTS)
    assert flag(sat, 75.0, [False, True], DEFAULTS) == ("red", "repeated_yellow")
    assert flag(sat, 75.0, [False, False, True], DEFAULTS) == ("yellow", "sr_below_threshold")


def test_shrinkage_toward_tier_mean():
    # k = 2 lectures at 90, tier mean 75: (2·90 + 3·75) / 5 = 81
    assert q2(shrink(90.0, 2, 75.0, DEFAULTS)) == q2(81)


def test_annual_quality_bonuses_penalties_and_cap():
    assert annual_quality(81.0, top_ten=1, finalist=0, red_flags=1, params=DEFAULTS) == 81.0
    assert annual_quality(99.0, top_ten=1, finalist=1, red_flags=0, params=DEFAULTS) == 100


def test_leniency_offset():
    # a rater 6, 4 and 8 points above the others on 3 lectures: 18 / (3 + 5) = 2.25
    assert leniency_offset([6, 4, 8], DEFAULTS) == pytest.approx(2.25)


def test_roles_come_in_a_fixed_order_whatever_the_stored_key_order():
    params = {**DEFAULTS, "role_weights": dict(sorted(DEFAULTS["role_weights"].items(), key=lambda kv: len(kv[0])))}
    assert [r.role for r in lecture_score({}, params).roles] == [
        "trainee",
        "expert",
        "peer",
        "organizer",
        "grassroots",
        "media",
    ]
