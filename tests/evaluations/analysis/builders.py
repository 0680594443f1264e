"""A finished analysis without running the engine: a one-second WAV and a small but complete result."""

import io
import wave

from django.core.files.base import ContentFile
from django.utils import timezone

from evaluations.models import LectureAnalysis


def tiny_wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


def result(duration: float = 120.0, rate: float = 210.0) -> dict:
    minutes = [
        {"start": 0.0, "end": 60.0, "syllables": 200, "rate": rate + 80, "articulation": 330.0, "talk_share": 0.9},
        {"start": 60.0, "end": duration, "syllables": 150, "rate": rate - 40, "articulation": 250.0, "talk_share": 0.7},
    ]
    return {
        "version": 1,
        "duration": duration,
        "kind": "audio",
        "settings": {"pace_low": 180.0, "pace_high": 260.0},
        "pace": {"syllables": 350, "speaking_rate": rate, "articulation_rate": 280.0, "per_minute": minutes},
        "pauses": {
            "count": 2,
            "total": 9.0,
            "mean": 4.5,
            "longest": 7.0,
            "talk_time": 100.0,
            "talk_share": 0.83,
            "per_minute": [1.0, 1.0],
            "list": [{"start": 30.0, "end": 32.0, "length": 2.0}, {"start": 70.0, "end": 77.0, "length": 7.0}],
            "long": [{"start": 70.0, "end": 77.0, "length": 7.0}],
            "histogram": [{"from": 1.0, "to": 2.0, "count": 1}, {"from": 5.0, "to": None, "count": 1}],
        },
        "intonation": {
            "median_hz": 120.0,
            "variation": 2.4,
            "loudness": 5.0,
            "per_minute": [{"start": 0.0, "end": 60.0, "variation": 2.5, "loudness": 5.1}],
            "monotone": [{"start": 0.0, "end": 65.0, "variation": 1.1}],
            "track": [[0.0, 0.5], [0.5, -1.0]],
        },
        "speech": [[0.5, 30.0], [32.0, 70.0], [77.0, 119.0]],
        "slides": None,
        "motion": None,
        "sections": [{"title": "导入", "start": 0.0, "seconds": 40.0}],
        "suggestions": [
            {"code": "long_pause", "start": 70.0, "end": 77.0, "params": {}, "text": "1:10 处停顿 7.0 秒。"}
        ],
    }


def finished_analysis(*, lecture=None, session=None, instructor=None, **extra) -> LectureAnalysis:
    data = result()
    analysis = LectureAnalysis(
        lecture=lecture,
        session=session,
        instructor=instructor if instructor is not None else (lecture.instructor if lecture else None),
        kind="audio",
        extension="wav",
        original_name="课堂录音.wav",
        size=16044,
        status=LectureAnalysis.Status.DONE,
        progress=1.0,
        result=data,
        duration=data["duration"],
        speaking_rate=data["pace"]["speaking_rate"],
        articulation_rate=data["pace"]["articulation_rate"],
        pitch_variation=data["intonation"]["variation"],
        talk_share=data["pauses"]["talk_share"],
        finished_at=timezone.now(),
        **extra,
    )
    analysis.recording.save("x", ContentFile(tiny_wav()), save=False)
    analysis.save()
    return analysis
