"""Figures derived from the tracks: pace, pauses, intonation and loudness, per recording and per minute."""

from __future__ import annotations

import numpy as np

from .prosody import Tracks
from .settings import AnalysisSettings


def _r(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


def minute_windows(duration: float) -> list[tuple[float, float]]:
    """[0, 60), [60, 120), ...; a last window shorter than 20 s joins the one before."""
    edges = list(np.arange(0.0, duration, 60.0)) + [duration]
    windows = [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]
    if len(windows) > 1 and windows[-1][1] - windows[-1][0] < 20:
        last = windows.pop()
        windows[-1] = (windows[-1][0], last[1])
    return windows


def _overlap(segments: list[tuple[float, float]], start: float, end: float) -> float:
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in segments)


def pace(nuclei: np.ndarray, speech: list[tuple[float, float]], duration: float) -> dict:
    """Speaking rate (syllables per minute over all time) and articulation rate (over speech time only)."""
    talk = _overlap(speech, 0.0, duration)
    per_minute = []
    for start, end in minute_windows(duration):
        count = int(((nuclei >= start) & (nuclei < end)).sum())
        spoken = _overlap(speech, start, end)
        per_minute.append(
            {
                "start": _r(start),
                "end": _r(end),
                "syllables": count,
                "rate": _r(count / (end - start) * 60) if end > start else 0.0,
                "articulation": _r(count / spoken * 60) if spoken > 5 else None,
                "talk_share": _r(spoken / (end - start), 3) if end > start else 0.0,
            }
        )
    return {
        "syllables": int(nuclei.size),
        "speaking_rate": _r(nuclei.size / duration * 60) if duration else 0.0,
        "articulation_rate": _r(nuclei.size / talk * 60) if talk else 0.0,
        "per_minute": per_minute,
    }


def pauses(speech: list[tuple[float, float]], duration: float, settings: AnalysisSettings) -> dict:
    """Silences between speech stretches (silence before the first and after the last word is not a pause)."""
    gaps = [(a[1], b[0]) for a, b in zip(speech, speech[1:], strict=False) if b[0] - a[1] >= settings.pause_min_seconds]
    lengths = np.array([b - a for a, b in gaps]) if gaps else np.zeros(0)
    talk = _overlap(speech, 0.0, duration)
    bins = [0.3, 0.5, 1.0, 2.0, 5.0, 10.0]
    histogram = []
    for i, low in enumerate(bins):
        high = bins[i + 1] if i + 1 < len(bins) else None
        n = int(((lengths >= low) & (lengths < (high or np.inf))).sum())
        histogram.append({"from": low, "to": high, "count": n})
    return {
        "count": len(gaps),
        "total": _r(lengths.sum()),
        "mean": _r(lengths.mean(), 2) if lengths.size else 0.0,
        "longest": _r(lengths.max(), 2) if lengths.size else 0.0,
        "talk_time": _r(talk),
        "talk_share": _r(talk / duration, 3) if duration else 0.0,
        "per_minute": [_r(sum(1 for a, _ in gaps if s <= a < e) / (e - s) * 60) for s, e in minute_windows(duration)],
        "list": [{"start": _r(a, 2), "end": _r(b, 2), "length": _r(b - a, 2)} for a, b in gaps],
        "long": [
            {"start": _r(a, 2), "end": _r(b, 2), "length": _r(b - a, 2)}
            for a, b in gaps
            if b - a >= settings.long_pause_seconds
        ],
        "histogram": histogram,
    }


def _spread(values: np.ndarray) -> float | None:
    """Standard deviation in semitones, ignoring octave errors of the tracker (beyond ±12 st)."""
    values = values[np.abs(values) <= 12]
    if values.size < 100:  # under a second of voiced speech says nothing about intonation
        return None
    return float(values.std())


def intonation(tracks: Tracks, duration: float, settings: AnalysisSettings) -> dict:
    """Pitch in semitones against the speaker's median, variation per minute, monotone stretches, loudness."""
    voiced = tracks.pitch > 0
    if not voiced.any():
        return {"median_hz": None, "variation": None, "per_minute": [], "monotone": [], "track": []}
    median = float(np.median(tracks.pitch[voiced]))
    semitones = np.full(tracks.pitch.shape, np.nan)
    semitones[voiced] = 12 * np.log2(tracks.pitch[voiced] / median)
    times = tracks.times
    loud = tracks.intensity
    per_minute = []
    for start, end in minute_windows(duration):
        inside = (times >= start) & (times < end) & voiced
        spread = _spread(semitones[inside])
        per_minute.append(
            {
                "start": _r(start),
                "end": _r(end),
                "variation": _r(spread, 2) if spread is not None else None,
                "loudness": _r(loud[inside].std(), 2) if inside.sum() >= 100 else None,
            }
        )
    monotone = _monotone(times, semitones, voiced, duration, settings)
    # A light track for the chart: the median of each half second.
    track = []
    for start in np.arange(0.0, duration, 0.5):
        inside = (times >= start) & (times < start + 0.5) & voiced
        if inside.sum() >= 5:
            track.append([_r(start, 1), _r(np.median(semitones[inside]), 2)])
    overall = _spread(semitones[voiced])
    return {
        "median_hz": _r(median),
        "variation": _r(overall, 2) if overall is not None else None,
        "loudness": _r(loud[voiced].std(), 2),
        "per_minute": per_minute,
        "monotone": monotone,
        "track": track,
    }


def _monotone(times, semitones, voiced, duration: float, settings: AnalysisSettings) -> list[dict]:
    """Stretches of at least `monotone_min_seconds` made of 20 s windows (5 s apart) whose pitch spread is
    below `monotone_semitones`."""
    window, hop = 20.0, 5.0
    flagged: list[tuple[float, float, float]] = []
    for start in np.arange(0.0, max(duration - window, 0.0) + 1e-9, hop):
        inside = (times >= start) & (times < start + window) & voiced
        spread = _spread(semitones[inside])
        if spread is not None and spread < settings.monotone_semitones:
            flagged.append((start, start + window, spread))
    stretches: list[list[float]] = []
    for start, end, spread in flagged:
        if stretches and start <= stretches[-1][1]:
            stretches[-1][1] = end
            stretches[-1][2].append(spread)
        else:
            stretches.append([start, end, [spread]])
    return [
        {"start": _r(a), "end": _r(min(b, duration)), "variation": _r(np.mean(s), 2)}
        for a, b, s in stretches
        if min(b, duration) - a >= settings.monotone_min_seconds
    ]
