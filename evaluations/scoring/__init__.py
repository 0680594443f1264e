"""Pure scoring functions (no database): lecture scores, the review's rule order and the competition ranking.

The lecture formulas are re-exported here; the review rules and the ranking are imported from their modules."""

from .lecture import (
    DEFAULTS,
    ROLE_ORDER,
    LectureScore,
    ResponseScore,
    RoleFigure,
    Satisfaction,
    annual_quality,
    flag,
    is_speeder,
    is_uniform,
    is_yellow,
    lecture_flag,
    lecture_score,
    leniency_offset,
    q2,
    response_score,
    satisfaction,
    session_score,
    shrink,
    wilson_bounds,
)

__all__ = [
    "DEFAULTS",
    "ROLE_ORDER",
    "q2",
    "ResponseScore",
    "response_score",
    "is_speeder",
    "is_uniform",
    "RoleFigure",
    "LectureScore",
    "lecture_score",
    "session_score",
    "wilson_bounds",
    "Satisfaction",
    "satisfaction",
    "is_yellow",
    "flag",
    "lecture_flag",
    "shrink",
    "annual_quality",
    "leniency_offset",
]
