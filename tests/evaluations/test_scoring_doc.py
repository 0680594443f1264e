"""docs/scoring.md's worked example, recomputed with the pure scoring functions: the document and the code agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluations.scoring import DEFAULTS, annual_quality, lecture_score, satisfaction, shrink
from evaluations.scoring import ranking as r

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"


def _example() -> dict[str, float]:
    text = DOC.read_text(encoding="utf-8")
    block = text[text.index("<!-- example:start -->") : text.index("<!-- example:end -->")]
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^\| (\w+) \| ([\d.]+) \|$", block, re.M)}


def _computed() -> dict[str, float]:
    lecture = lecture_score({"trainee": (10, 82.4), "expert": (1, 90.0), "peer": (1, 70.0)}, DEFAULTS)
    thin = lecture_score({"trainee": (7, 82.4), "expert": (1, 90.0), "peer": (1, 70.0)}, DEFAULTS)
    sat = satisfaction(9, 10, DEFAULTS)
    raw = (2 * 83.28 + 3 * 76.00 + 1 * 90.00) / 6
    shrunk = shrink(raw, 3, 78.00, DEFAULTS)
    judges = r.trimmed_mean(dict(enumerate([88, 90, 85, 92, 60, 89, 91])))
    peers = (80 + 84 + 86) / 3
    audience = r.shrink_audience(20, 90.0, 85.0, r.COMPETITION_DEFAULTS["audience_prior"])
    parts = r.COMPETITION_DEFAULTS["parts"]
    return {
        "lecture_score": lecture.score,
        "lecture_counted_weight": lecture.counted_weight,
        "satisfaction_rate": sat.rate,
        "satisfaction_lower": sat.lower,
        "satisfaction_upper": sat.upper,
        "insufficient_needs": DEFAULTS["role_min_counts"]["trainee"] - 7 if thin.insufficient else 0,
        "q_raw": raw,
        "q_shrunk": shrunk,
        "q": annual_quality(shrunk, top_ten=0, finalist=1, red_flags=0, params=DEFAULTS),
        "judges_trimmed_mean": judges.mean,
        "peers_mean": peers,
        "audience_shrunk": audience,
        "f": r.final_score({"judges": judges.mean, "peers": peers, "audience": audience}, parts),
        "f_without_audience": r.final_score({"judges": judges.mean, "peers": peers, "audience": None}, parts),
    }


def test_worked_example_lists_every_figure():
    assert set(_example()) == set(_computed())


@pytest.mark.parametrize("figure", sorted(_computed()))
def test_worked_example_matches_the_code(figure):
    assert _example()[figure] == pytest.approx(_computed()[figure], abs=0.005)
