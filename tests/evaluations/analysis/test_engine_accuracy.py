"""Accuracy of the engine on recordings whose truth is known (see conftest.py): speaking rate within 10 %, every
inserted pause of 1 s or more found within 0.2 s, monotone speech found, every slide change within 1 s on the right
page."""

import pytest

from evaluations.analysis.engine import AnalysisSettings, analyse


@pytest.fixture(scope="module")
def analysed(lecture_at):
    results = {}

    def run(rate):
        if rate not in results:
            path, truth = lecture_at(rate)
            results[rate] = (analyse(str(path)), truth)
        return results[rate]

    return run


@pytest.mark.parametrize("rate", [110, 160, 220])
def test_speaking_rate_is_within_ten_percent_of_truth(analysed, rate):
    result, truth = analysed(rate)
    true_rate = truth.syllables / truth.duration * 60
    assert result["pace"]["speaking_rate"] == pytest.approx(true_rate, rel=0.10)


def test_faster_speech_measures_faster(analysed):
    rates = [analysed(r)[0]["pace"]["speaking_rate"] for r in (110, 160, 220)]
    assert rates == sorted(rates)


def test_articulation_rate_is_above_speaking_rate(analysed):
    result, _ = analysed(160)
    assert result["pace"]["articulation_rate"] > result["pace"]["speaking_rate"]


@pytest.mark.parametrize("rate", [110, 160, 220])
def test_every_inserted_pause_of_a_second_or_more_is_found_within_a_fifth_of_a_second(analysed, rate):
    result, truth = analysed(rate)
    found = result["pauses"]["list"]
    misses = [
        (a, b)
        for a, b in truth.pauses
        if b - a >= 1.0 and not any(abs(p["start"] - a) <= 0.2 and abs(p["end"] - b) <= 0.2 for p in found)
    ]
    assert misses == []


def test_long_pause_of_six_seconds_is_listed(analysed):
    result, truth = analysed(160)
    start, end = truth.pauses[5]
    assert [round(p["start"]) for p in result["pauses"]["long"]] == [round(start)]


@pytest.fixture(scope="module")
def flat_result(flat_then_varied):
    path, truth = flat_then_varied
    return analyse(str(path)), truth


def test_monotone_stretch_is_found_in_flat_speech_only(flat_result):
    result, truth = flat_result
    flat_end = max(end for _, end, kind in truth.parts if kind == "flat")
    stretches = result["intonation"]["monotone"]
    assert len(stretches) == 1
    assert stretches[0]["start"] < 10 and stretches[0]["end"] >= 60
    assert stretches[0]["end"] <= flat_end + 15


def test_flat_speech_varies_less_than_lively_speech(flat_result):
    minutes = flat_result[0]["intonation"]["per_minute"]
    assert minutes[0]["variation"] < minutes[-1]["variation"]


def test_monotone_suggestion_points_at_the_stretch(flat_result):
    result, _ = flat_result
    found = [(s["start"], s["end"]) for s in result["suggestions"] if s["code"] == "monotone"]
    stretch = result["intonation"]["monotone"][0]
    assert found == [(stretch["start"], stretch["end"])]


@pytest.fixture(scope="module")
def video_result(slide_video):
    video, pdf, changes = slide_video
    sections = [{"title": "一", "first_page": 1}, {"title": "二", "first_page": 2}, {"title": "三", "first_page": 4}]
    return analyse(str(video), pdf_path=str(pdf), sections=sections), changes


def test_every_slide_change_is_found_within_a_second(video_result):
    result, changes = video_result
    found = [s["start"] for s in result["slides"]["segments"][1:]]
    assert len(found) == len(changes)
    assert all(abs(f - c) <= 1.0 for f, c in zip(found, changes, strict=True))


def test_every_slide_segment_is_matched_to_the_page_shown(video_result):
    from .conftest import SHOWS

    result, _ = video_result
    assert [s["page"] for s in result["slides"]["segments"]] == [page for page, _ in SHOWS]


def test_time_per_section_follows_the_pages(video_result):
    result, _ = video_result
    assert [round(s["seconds"]) for s in result["sections"]] == [9, 18, 19]


def test_motion_is_found_while_the_speaker_moves_and_not_after(video_result):
    result, _ = video_result
    motion = result["motion"]
    assert motion["method"] == "frame_difference"
    assert 0.35 <= motion["moving_share"] <= 0.65  # the block waves for 20 of 46 seconds


def test_without_an_outline_each_page_is_timed_and_an_unshown_page_is_flagged(slide_video):
    video, pdf, _ = slide_video
    from evaluations.analysis import synth

    bigger = pdf.parent / "deck6.pdf"
    synth.build_pdf(bigger, 6)  # the same five pages and a sixth never shown
    result = analyse(str(video), pdf_path=str(bigger))
    skipped = [x["params"]["title"] for x in result["suggestions"] if x["code"] == "section_skipped"]
    assert ([round(x["seconds"]) for x in result["sections"]], skipped) == ([9, 6, 12, 8, 11, 0], ["第 6 页"])


def test_sections_marked_by_hand_on_audio_are_timed(lecture_at):
    path, truth = lecture_at(160)
    result = analyse(str(path), sections=[{"title": "甲", "start": 0.0}, {"title": "乙", "start": 20.0}])
    assert [s["seconds"] for s in result["sections"]] == [20.0, round(truth.duration - 20.0, 1)]


def test_rushed_section_gets_a_suggestion(lecture_at):
    path, _ = lecture_at(160)
    settings = AnalysisSettings(section_rushed_seconds=15)
    result = analyse(
        str(path), settings=settings, sections=[{"title": "甲", "start": 0.0}, {"title": "乙", "start": 30.0}]
    )
    assert [s["params"]["title"] for s in result["suggestions"] if s["code"] == "section_rushed"] == ["乙"]
