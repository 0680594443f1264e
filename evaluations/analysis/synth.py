"""Synthetic lectures with known truth (Mandarin speech from espeak-ng, silences from sox, a slide video from
ffmpeg), for the tests, the benchmark and the demo data. Needs the Debian packages espeak-ng, sox and ffmpeg.
Imports no Django."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

# Debian's espeak-ng carries only part of the Mandarin dictionary: a character it lacks is spelled out as pinyin
# with the tone number read in English ("men five"), and it renders -n/-ng codas as a second loud vowel-like
# segment that natural speech does not have. These sentences use only characters it speaks as one syllable each,
# so the syllable count is exactly the character count (checked by tests/evaluations/analysis/test_synth.py).
SENTENCES = [
    "我说实事是为世事之始。",
    "知识只是手持之石。",
    "十五位众志治世，二月至五月，政事始于实。",
    "示物证史，维持正直。",
    "市委指示重质，适时育识。",
    "我受之于世，而志于收事。",
    "少说无值之事，务实为是。",
]

RATE = 16000


def syllables(text: str) -> int:
    """Mandarin: one character is one syllable."""
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def tools_missing() -> list[str]:
    return [tool for tool in ("espeak-ng", "sox", "ffmpeg") if shutil.which(tool) is None]


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def wav_seconds(path: str | Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def speak(text: str, path: str | Path, *, rate: int = 160, intonation: str = "normal") -> float:
    """One utterance as 16 kHz mono WAV with its leading and trailing silence trimmed; returns its length.
    intonation: normal, flat (pitch range x-low: almost monotone) or varied (range x-high)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        if intonation == "normal":
            _run("espeak-ng", "-v", "cmn", "-s", str(rate), "-w", str(raw), text)
        else:
            level = {"flat": "x-low", "varied": "x-high"}[intonation]
            ssml = f'<speak><prosody range="{level}">{text}</prosody></speak>'
            _run("espeak-ng", "-v", "cmn", "-m", "-s", str(rate), "-w", str(raw), ssml)
        _run(
            "sox",
            str(raw),
            "-r",
            str(RATE),
            "-c",
            "1",
            "-b",
            "16",
            str(path),
            "silence",
            "1",
            "0.01",
            "0.5%",
            "reverse",
            "silence",
            "1",
            "0.01",
            "0.5%",
            "reverse",
        )
    return wav_seconds(path)


@dataclass
class Truth:
    """What went into a synthetic recording."""

    duration: float = 0.0
    syllables: int = 0
    pauses: list[tuple[float, float]] = field(default_factory=list)  # inserted silences (start, end)
    parts: list[tuple[float, float, str]] = field(default_factory=list)  # (start, end, intonation)


def build_speech(
    path: str | Path,
    plan: list[tuple[str, float]],
    *,
    rate: int = 160,
    intonation: str | list[str] = "normal",
    lead: float = 0.5,
) -> Truth:
    """Utterances each followed by a silence of known length: plan = [(text, pause_after_seconds), ...]."""
    truth = Truth()
    with tempfile.TemporaryDirectory() as tmp:
        pieces: list[str] = []

        def silence(seconds: float) -> None:
            p = str(Path(tmp) / f"s{len(pieces)}.wav")
            _run("sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", p, "trim", "0", f"{seconds:.4f}")
            pieces.append(p)

        t = 0.0
        if lead:
            silence(lead)
            t = lead
        for i, (text, pause) in enumerate(plan):
            kind = intonation[i] if isinstance(intonation, list) else intonation
            p = str(Path(tmp) / f"u{len(pieces)}.wav")
            length = speak(text, p, rate=rate, intonation=kind)
            pieces.append(p)
            truth.parts.append((t, t + length, kind))
            truth.syllables += syllables(text)
            t += length
            if pause:
                silence(pause)
                truth.pauses.append((t, t + pause))
                t += pause
        _run("sox", *pieces, str(path))
    truth.duration = wav_seconds(path)
    return truth


def build_pdf(path: str | Path, pages: int, *, size: tuple[int, int] = (1280, 720)) -> None:
    """A courseware PDF whose pages look clearly different (bars, blocks and a page number in big digits)."""
    from PIL import Image, ImageDraw

    images = []
    for n in range(pages):
        image = Image.new("RGB", size, "white")
        draw = ImageDraw.Draw(image)
        w, h = size
        draw.rectangle([0, 0, w, h // 8], fill=(180, 20, 30))
        for k in range(6):
            x0 = (k * 37 * (n + 3)) % (w - 300) + 40
            y0 = h // 5 + ((k * 91 + n * 53) % (h // 2))
            shade = (40 + 30 * ((n + k) % 6), 60 + 25 * (n % 7), 200 - 20 * k)
            draw.rectangle([x0, y0, x0 + 120 + 40 * ((n + k) % 4), y0 + 50 + 30 * (n % 3)], fill=shade)
        draw.text((w // 2 - 40, h - 200), str(n + 1), fill="black", font_size=140)
        images.append(image)
    images[0].save(str(path), save_all=True, append_images=images[1:], resolution=96)


def render_pages(pdf_path: str | Path, out_dir: str | Path, size: tuple[int, int] = (1280, 720)) -> list[Path]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(pdf_path))
    paths = []
    for i in range(len(pdf)):
        page = pdf[i]
        scale = min(size[0] / page.get_width(), size[1] / page.get_height())
        image = page.render(scale=scale).to_pil().convert("RGB").resize(size)
        p = Path(out_dir) / f"page{i + 1}.png"
        image.save(p)
        paths.append(p)
    pdf.close()
    return paths


def build_video(
    path: str | Path,
    pdf_path: str | Path,
    shows: list[tuple[int, float]],
    audio_path: str | Path | None,
    *,
    fps: int = 10,
    size: tuple[int, int] = (1280, 720),
    moving_until: float | None = None,
) -> list[float]:
    """An MP4 showing pages for known durations: shows = [(page number, seconds), ...], with the audio (looped to
    the length) as sound. With `moving_until`, a 'speaker' block waves in the lower right until that second and
    then stands still. Returns the times of the slide changes."""
    with tempfile.TemporaryDirectory() as tmp:
        pages = render_pages(pdf_path, tmp, size)
        listing = Path(tmp) / "list.txt"
        lines = []
        for page, seconds in shows:
            lines += [f"file '{pages[page - 1]}'", f"duration {seconds:.3f}"]
        lines.append(f"file '{pages[shows[-1][0] - 1]}'")
        listing.write_text("\n".join(lines) + "\n")
        total = sum(s for _, s in shows)
        args = ["ffmpeg", "-y", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing)]
        if audio_path:
            args += ["-stream_loop", "-1", "-i", str(audio_path)]
        graph = f"[0:v]fps={fps},scale={size[0]}:{size[1]},format=yuv420p"
        if moving_until is not None:
            graph += (
                f"[bg];color=c=0x335577:s={size[0] // 10}x{size[1] // 3}:r={fps}[who];"
                f"[bg][who]overlay=x='{size[0] * 0.82:.0f}+if(lt(t,{moving_until}),{size[0] * 0.06:.0f}*sin(5*t),0)'"
                f":y={size[1] * 0.55:.0f}:shortest=1"
            )
        graph += "[v]"
        args += ["-filter_complex", graph, "-map", "[v]"]
        if audio_path:
            args += ["-map", "1:a", "-c:a", "aac", "-b:a", "64k"]
        args += ["-t", f"{total:.3f}", "-c:v", "libx264", "-preset", "ultrafast", "-g", str(fps * 10), str(path)]
        _run(*args)
    changes, t = [], 0.0
    for _, seconds in shows[:-1]:
        t += seconds
        changes.append(t)
    return changes
