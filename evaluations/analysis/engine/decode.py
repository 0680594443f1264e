"""Streaming decoding with PyAV (FFmpeg's libraries ship inside its wheel): audio as 16 kHz mono float32 chunks,
video as small greyscale frames a few times a second. Nothing holds the whole recording in memory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np

from .errors import AnalysisError

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class MediaInfo:
    """What the container says about itself, read before any decoding."""

    size: int
    duration: float
    has_audio: bool
    has_video: bool
    width: int = 0
    height: int = 0


def _open(path: str):
    try:
        return av.open(path, metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError):
        raise AnalysisError("not_media") from None


def probe(path: str) -> MediaInfo:
    """Container facts; refuses an empty or non-media file."""
    size = os.path.getsize(path)
    if size == 0:
        raise AnalysisError("empty_file")
    with _open(path) as container:
        audio = container.streams.audio
        video = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
        if not audio and not video:
            raise AnalysisError("not_media")
        duration = 0.0
        if container.duration:
            duration = container.duration / 1_000_000
        elif audio and audio[0].duration and audio[0].time_base:
            duration = float(audio[0].duration * audio[0].time_base)
        width = video[0].codec_context.width if video else 0
        height = video[0].codec_context.height if video else 0
        return MediaInfo(
            size=size, duration=duration, has_audio=bool(audio), has_video=bool(video), width=width, height=height
        )


def iter_audio(path: str, *, chunk_seconds: float = 30.0, max_seconds: float | None = None) -> Iterator[np.ndarray]:
    """Yield consecutive float32 chunks of 16 kHz mono audio, each `chunk_seconds` long except the last."""
    chunk = int(chunk_seconds * SAMPLE_RATE)
    limit = int(max_seconds * SAMPLE_RATE) if max_seconds else None
    buffer: list[np.ndarray] = []
    buffered = 0
    total = 0
    with _open(path) as container:
        if not container.streams.audio:
            raise AnalysisError("no_audio")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    buffer.append(samples)
                    buffered += samples.size
                    total += samples.size
                    if limit is not None and total > limit:
                        raise AnalysisError(
                            "too_long", minutes=round(total / SAMPLE_RATE / 60), max_minutes=round(max_seconds / 60)
                        )
                    while buffered >= chunk:
                        joined = np.concatenate(buffer)
                        yield joined[:chunk]
                        rest = joined[chunk:]
                        buffer, buffered = ([rest] if rest.size else []), rest.size
            for out in resampler.resample(None):
                buffer.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError:
            raise AnalysisError("decode_failed") from None
    if buffer:
        joined = np.concatenate(buffer)
        if joined.size:
            yield joined


@dataclass(frozen=True)
class VideoFrame:
    """One sampled frame: its time and a small greyscale picture (uint8, height x width)."""

    time: float
    grey: np.ndarray


def iter_video(path: str, *, fps: float = 2.0, width: int = 256, height: int = 144) -> Iterator[VideoFrame]:
    """Yield greyscale frames at about `fps` per second, scaled to width x height."""
    step = 1.0 / fps
    next_time = 0.0
    with _open(path) as container:
        streams = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
        if not streams:
            return
        stream = streams[0]
        stream.thread_type = "AUTO"
        try:
            for frame in container.decode(stream):
                if frame.time is None or frame.time + 1e-6 < next_time:
                    continue
                grey = frame.reformat(width=width, height=height, format="gray").to_ndarray()
                yield VideoFrame(time=float(frame.time), grey=np.ascontiguousarray(grey[:height, :width]))
                next_time = frame.time + step * 0.999
        except av.error.FFmpegError:
            raise AnalysisError("decode_failed") from None
