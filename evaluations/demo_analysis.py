"""Demo data for 授课分析: one analysed lecture of the demo instructor, from synthetic Mandarin speech (espeak-ng)
run through the real engine. Skipped, with a note, where espeak-ng, sox or ffmpeg is missing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.analysis import services, synth
from evaluations.models import LectureAnalysis
from instructors.models import User
from outreach.models import Lecture

DEMO_NAME = "演示授课录音.wav"


def _recording(path: Path) -> None:
    """About two and a half minutes: a lively opening, a flat middle, a fast close, a long silence between."""
    s = synth.SENTENCES
    plan = [(t, 0.6) for t in s] + [(t, 0.4) for t in s * 3] + [(s[0], 7.0)] + [(t, 0.3) for t in s * 2]
    kinds = ["varied"] * len(s) + ["flat"] * (len(s) * 3) + ["normal"] * (1 + len(s) * 2)
    synth.build_speech(path, plan, rate=175, intonation=kinds)


def seed(*, scale: str = "city", seed: int = 2024, stdout=None) -> dict:
    write = stdout.write if stdout else print
    if LectureAnalysis.objects.filter(original_name=DEMO_NAME).exists():
        return {"analyses": 0}
    missing = synth.tools_missing()
    if missing:
        write(f"  analysis demo skipped: {', '.join(missing)} not installed (apt-get install espeak-ng sox ffmpeg)")
        return {"analyses": 0}
    user = User.objects.filter(username="instructor").first()
    lecture = (
        Lecture.objects.filter(instructor__user=user, status__in=Lecture.DONE).order_by("-start").first()
        if user
        else None
    )
    if lecture is None:
        write("  analysis demo skipped: the demo instructor has no delivered lecture")
        return {"analyses": 0}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.wav"
        _recording(path)
        upload = SimpleUploadedFile(DEMO_NAME, path.read_bytes())
    sections = [
        {"title": "一、导入", "start": 0.0},
        {"title": "二、理论讲解", "start": 30.0},
        {"title": "三、小结", "start": 110.0},
    ]
    analysis = services.analysis_create(upload=upload, lecture=lecture, sections=sections, by=user)
    services.analysis_run(analysis_id=analysis.pk)
    return {"analyses": 1}
