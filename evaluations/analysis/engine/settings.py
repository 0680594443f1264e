"""Thresholds of the analysis, passed in by the caller (the web layer reads them from Django settings)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class AnalysisSettings:
    """Every number a rule or a limit uses; defaults are the documented ones."""

    max_bytes: int = 2 * 1024**3
    max_seconds: float = 3 * 3600
    min_seconds: float = 5.0
    min_speech_share: float = 0.05
    pace_low: float = 180.0  # comfortable speaking rate, syllables (字) per minute
    pace_high: float = 260.0
    pace_window_minutes: int = 1
    pause_min_seconds: float = 0.3  # a silence shorter than this is part of the flow of speech
    long_pause_seconds: float = 5.0
    monotone_semitones: float = 1.5  # pitch variation (st, standard deviation) under which speech counts as flat
    monotone_min_seconds: float = 60.0
    section_rushed_seconds: float = 60.0
    talk_share_low: float = 0.6
    vad_threshold: float = 0.5
    video_sample_fps: float = 2.0
    slide_change_share: float = 0.10  # share of thumbnail pixels that change when a new slide appears
    slide_match_distance: float = 20.0  # mean grey-level difference under which a frame shows a page
    motion_threshold: float = 4.0  # mean absolute grey-level difference in the speaker's region
    still_min_seconds: float = 120.0

    @classmethod
    def from_mapping(cls, values: dict | None) -> AnalysisSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (values or {}).items() if k in names})
