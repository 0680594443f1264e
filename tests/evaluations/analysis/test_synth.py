"""The synthetic lectures are only a truth if espeak-ng speaks each character of the text as one syllable."""

import subprocess

from evaluations.analysis import synth


def test_synth_text_uses_only_characters_espeak_speaks_in_mandarin(media_dir):
    phonemes = subprocess.run(
        ["espeak-ng", "-v", "cmn", "-x", "-q", "".join(synth.SENTENCES)], capture_output=True, text=True, check=True
    ).stdout
    assert "(en)" not in phonemes


def test_synth_syllables_counts_chinese_characters_only():
    assert synth.syllables("示物证史，维持正直。") == 8


def test_synth_speech_has_the_planned_silences(lecture_at):
    _, truth = lecture_at(160)
    assert [round(b - a, 1) for a, b in truth.pauses] == [1.0, 0.4, 1.5, 3.0, 0.3, 6.0]
