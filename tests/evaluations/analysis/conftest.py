"""Synthetic lectures with known truth, built once per test session (espeak-ng, sox and ffmpeg; .ci/run installs
them)."""

import shutil
import subprocess

import pytest

from evaluations.analysis import synth
from tests.conftest import need


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    missing = synth.tools_missing()
    need(not missing, f"needs {', '.join(missing)} (Debian packages; .ci/run installs them)")
    return tmp_path_factory.mktemp("analysis-media")


PAUSES = [1.0, 0.4, 1.5, 3.0, 0.3, 6.0, 0.0]


@pytest.fixture(scope="session")
def lecture_at(media_dir):
    """rate -> (path, truth): all sentences at that espeak rate with silences of known length between them."""
    built = {}

    def make(rate: int):
        if rate not in built:
            path = media_dir / f"lecture-{rate}.wav"
            truth = synth.build_speech(path, list(zip(synth.SENTENCES, PAUSES, strict=True)), rate=rate)
            built[rate] = (path, truth)
        return built[rate]

    return make


@pytest.fixture(scope="session")
def flat_then_varied(media_dir):
    """About 75 s of nearly monotone speech followed by about 75 s of lively speech."""
    plan = [(s, 0.3) for s in synth.SENTENCES * 6]
    kinds = ["flat"] * (len(synth.SENTENCES) * 3) + ["varied"] * (len(synth.SENTENCES) * 3)
    path = media_dir / "flat-varied.wav"
    truth = synth.build_speech(path, plan, rate=160, intonation=kinds)
    return path, truth


SHOWS = [(1, 9.0), (3, 12.0), (2, 6.0), (5, 11.0), (4, 8.0)]


@pytest.fixture(scope="session")
def slide_video(media_dir, lecture_at):
    audio, _ = lecture_at(160)
    pdf = media_dir / "deck.pdf"
    synth.build_pdf(pdf, 5)
    video = media_dir / "lecture.mp4"
    changes = synth.build_video(video, pdf, SHOWS, audio, moving_until=20.0)
    return video, pdf, changes


@pytest.fixture(scope="session")
def silent_video(media_dir):
    path = media_dir / "silent.mp4"
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=10", "-t", "5", str(path)],
        check=True,
    )
    return path


def sox(*args):
    subprocess.run([shutil.which("sox"), *map(str, args)], check=True, capture_output=True)
