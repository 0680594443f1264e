#!/usr/bin/env python
"""Speed and memory of the lecture analysis (issue 16) on a 45-minute lecture; `make bench BENCH_ARGS=--analysis`.

Builds, once, under var/bench-analysis/: a 45-minute MP3 (synthetic Mandarin speech with pauses, looped) and a
45-minute 720p, 25 fps MP4 of 20 courseware pages with that sound and a moving 'speaker'. Each analysis runs in a
child process of its own, so its peak resident memory (ru_maxrss) is its own. Goals: audio ≤ 0.2× real time,
video ≤ 0.5× real time, peak memory ≤ 600 MB."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MINUTES = 45
WORK = ROOT / "var" / "bench-analysis"


def _build() -> tuple[Path, Path, Path]:
    from evaluations.analysis import synth

    WORK.mkdir(parents=True, exist_ok=True)
    audio, video, pdf = WORK / "lecture-45min.mp3", WORK / "lecture-45min-720p.mp4", WORK / "deck.pdf"
    if not audio.exists():
        pauses = [0.4, 0.8, 1.5, 0.3, 2.5, 0.6, 6.0]
        base = WORK / "base.wav"
        plan = [(s, pauses[i % len(pauses)]) for i, s in enumerate(synth.SENTENCES * 4)]
        truth = synth.build_speech(base, plan, rate=190)
        repeats = int(MINUTES * 60 // truth.duration) + 1
        looped = WORK / "looped.wav"
        subprocess.run(
            ["sox", str(base), str(looped), "repeat", str(repeats - 1), "trim", "0", str(MINUTES * 60)], check=True
        )
        subprocess.run(
            ["ffmpeg", "-y", "-v", "error", "-i", str(looped), "-c:a", "libmp3lame", "-b:a", "64k", str(audio)],
            check=True,
        )
        looped.unlink()
    if not video.exists():
        synth.build_pdf(pdf, 20)
        shows = [(n % 20 + 1, MINUTES * 60 / 20) for n in range(20)]
        synth.build_video(video, pdf, shows, audio, fps=25, moving_until=MINUTES * 60 / 2)
    return audio, video, pdf


def _child(path: str, pdf: str | None) -> None:
    from evaluations.analysis.engine import analyse

    started = time.perf_counter()
    result = analyse(path, pdf_path=pdf)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mb": usage.ru_maxrss / 1024,
                "duration": result["duration"],
                "rate": result["pace"]["speaking_rate"],
                "pauses": result["pauses"]["count"],
                "slides": len(result["slides"]["segments"]) if result["slides"] else None,
            }
        )
    )


def run(write: bool = True) -> str:
    audio, video, pdf = _build()
    rows = []
    for label, path, deck, goal in (("audio (MP3)", audio, None, 0.2), ("video (720p MP4)", video, pdf, 0.5)):
        args = [sys.executable, __file__, "--child", str(path)] + ([str(deck)] if deck else [])
        out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        factor = figures["wall"] / figures["duration"]
        rows.append(
            f"| {label} | {figures['duration'] / 60:.0f} min | {figures['wall']:.0f} s | {figures['cpu']:.0f} s | "
            f"{factor:.3f}× (goal ≤ {goal}×) | {figures['peak_mb']:.0f} MB (goal ≤ 600) |"
        )
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine (2 cores shared with other work), "
            f"Python {sys.version.split()[0]}.",
            "",
            "| recording | length | wall time | CPU time | × real time | peak memory |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )
    if write:
        _write(table)
    return table


def _write(table: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- bench:analysis:start -->", "<!-- bench:analysis:end -->"
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + f"\n\n## Lecture analysis, 45 minutes (issue 16)\n\n{block}\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        print(run(write="--no-write" not in sys.argv))
