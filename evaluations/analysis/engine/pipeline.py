"""One analysis from a file path to a JSON-ready dict. Two streaming passes at most: audio, then (for a video)
sampled frames. Raises AnalysisError before returning anything when the input is unusable."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import decode, metrics, motion, prosody, slides, suggestions, vad
from .errors import AnalysisError
from .settings import AnalysisSettings

VERSION = 1

Progress = Callable[[float], None]


def check_input(path: str, settings: AnalysisSettings) -> decode.MediaInfo:
    """Refuse what cannot be analysed before any heavy work."""
    info = decode.probe(path)
    if info.size > settings.max_bytes:
        raise AnalysisError("too_large", size_mb=round(info.size / 1024**2), max_mb=round(settings.max_bytes / 1024**2))
    if not info.has_audio:
        raise AnalysisError("no_audio")
    if info.duration > settings.max_seconds:
        raise AnalysisError("too_long", minutes=round(info.duration / 60), max_minutes=round(settings.max_seconds / 60))
    return info


def analyse(
    path: str,
    *,
    settings: AnalysisSettings | None = None,
    pdf_path: str | None = None,
    sections: list[dict] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Analyse a recording; `sections` are outline sections (see slides.time_per_section)."""
    settings = settings or AnalysisSettings()
    report = progress or (lambda fraction: None)
    info = check_input(path, settings)
    audio_share = 0.6 if info.has_video else 1.0

    detector = vad.StreamingVad()
    tracker = prosody.ProsodyTracker()
    samples = 0
    for chunk in decode.iter_audio(path, max_seconds=settings.max_seconds):
        detector.feed(chunk)
        tracker.feed(chunk)
        samples += chunk.size
        if info.duration:
            report(min(samples / decode.SAMPLE_RATE / info.duration, 1.0) * audio_share * 0.95)
    duration = samples / decode.SAMPLE_RATE
    if samples == 0:
        raise AnalysisError("zero_length")
    if duration < settings.min_seconds:
        raise AnalysisError("too_short", min_seconds=round(settings.min_seconds))
    speech = vad.speech_segments(detector.probabilities, threshold=settings.vad_threshold)
    talk = sum(b - a for a, b in speech)
    if talk < max(settings.min_seconds, settings.min_speech_share * duration):
        raise AnalysisError("no_speech")
    tracks = tracker.finish()
    nuclei = prosody.syllable_nuclei(tracks)
    # A nucleus outside every speech stretch is noise (a cough, a door), not a syllable.
    starts = np.array([a for a, _ in speech])
    ends = np.array([b for _, b in speech])
    index = np.searchsorted(starts, nuclei, side="right") - 1
    nuclei = nuclei[(index >= 0) & (nuclei <= ends[np.clip(index, 0, None)] + 0.05)]

    result: dict = {
        "version": VERSION,
        "duration": round(duration, 2),
        "kind": "video" if info.has_video else "audio",
        "settings": {"pace_low": settings.pace_low, "pace_high": settings.pace_high},
        "pace": metrics.pace(nuclei, speech, duration),
        "pauses": metrics.pauses(speech, duration, settings),
        "intonation": metrics.intonation(tracks, duration, settings),
        "speech": [[a, b] for a, b in speech],
        "slides": None,
        "motion": None,
        "sections": None,
    }
    if info.has_video:
        result.update(_video(path, info, duration, settings, pdf_path, sections, report, audio_share))
    elif sections:
        result["sections"] = slides.time_per_section([s for s in sections if "start" in s], duration)
    result["suggestions"] = suggestions.build(result, settings)
    report(1.0)
    return result


def _video(path, info, duration, settings, pdf_path, sections, report, done) -> dict:
    slide_tracker = slides.SlideTracker(change_share=settings.slide_change_share)
    motion_tracker = motion.MotionTracker()
    for frame in decode.iter_video(path, fps=settings.video_sample_fps):
        changed = slide_tracker.feed(frame.time, frame.grey)
        motion_tracker.feed(frame.time, frame.grey, slide_change=changed or frame.time in slide_tracker.changes)
        report(done + (1 - done) * 0.95 * min(frame.time / duration, 1.0))
    pages = []
    if pdf_path:
        pages = slides.page_hashes(pdf_path, frame_width=256, frame_height=144)
    segments = slides.match_segments(
        slide_tracker.segments, pages, duration, match_distance=settings.slide_match_distance
    )
    out = {
        "slides": {
            "segments": segments,
            "page_count": len(pages),
            "per_page": slides.time_per_page(segments, len(pages)) if pages else [],
        },
        "motion": motion_tracker.result(
            duration, threshold=settings.motion_threshold, still_min_seconds=settings.still_min_seconds
        ),
    }
    if pages and not any(s.get("first_page") for s in sections or []):
        # No outline mapped to pages: each page is its own knowledge point.
        sections = [{"title": f"第 {n} 页", "first_page": n, "page": True} for n in range(1, len(pages) + 1)]
    if sections and pages:
        paged = [s for s in sections if s.get("first_page")]
        out["sections"] = slides.time_per_section(paged, duration, segments=segments) if paged else None
    elif sections:
        out["sections"] = slides.time_per_section([s for s in sections if "start" in s], duration)
    return out
