"""Uploading, running, repairing and expiring lecture analyses (evaluations/analysis/services.py)."""

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations.analysis import services
from evaluations.models import LectureAnalysis
from tests import factories as f
from tests.conftest import refused
from tests.evaluations.factories import lecture_with_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    tree = f.region_tree()
    county = tree["county_a"]
    teacher = f.instructor(region=county, user=f.user(region=county))
    return {
        "tree": tree,
        "county": county,
        "teacher": teacher,
        "lecture": lecture_with_result(instructor=teacher).lecture,
    }


def upload_of(path, name=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or os.path.basename(path), open(path, "rb").read())


def test_analysis_create_runs_the_analysis_and_keeps_the_figures(
    people, lecture_at, django_capture_on_commit_callbacks
):
    path, truth = lecture_at(160)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=people["teacher"].user)
    analysis = LectureAnalysis.objects.get(pk=created.pk)
    assert (analysis.status, analysis.progress) == ("done", 1.0)
    assert analysis.speaking_rate == pytest.approx(truth.syllables / truth.duration * 60, rel=0.1)


def test_recording_is_stored_under_an_unguessable_private_name(people, lecture_at, settings):
    path, _ = lecture_at(160)
    analysis = services.analysis_create(upload=upload_of(path, "王老师讲课.wav"), lecture=people["lecture"], by=None)
    stored = analysis.recording.path
    assert stored.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert "王老师" not in stored and len(os.path.basename(stored)) == 36


def test_recording_has_no_public_url(people, lecture_at):
    path, _ = lecture_at(160)
    analysis = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    with pytest.raises(ValueError):
        analysis.recording.url  # noqa: B018


def test_renamed_text_file_is_refused_and_nothing_is_stored(people, settings):
    upload = SimpleUploadedFile("lecture.mp3", "这不是录音。".encode() * 100)
    with refused("not_media"):
        services.analysis_create(upload=upload, lecture=people["lecture"], by=None)
    assert (LectureAnalysis.objects.count(), os.path.exists(settings.PRIVATE_MEDIA_ROOT + "/recordings")) == (0, False)


def test_wav_that_is_not_decodable_is_refused_at_upload(people):
    upload = SimpleUploadedFile("lecture.wav", b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk" * 4)
    with refused("not_media"):
        services.analysis_create(upload=upload, lecture=people["lecture"], by=None)


def test_over_size_upload_is_refused(people, lecture_at, settings):
    settings.ANALYSIS_MAX_UPLOAD_MB = 0.1
    path, _ = lecture_at(160)
    with refused("too_large"):
        services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)


def test_video_without_sound_is_refused_at_upload_and_nothing_is_stored(people, silent_video, settings):
    with refused("no_audio"):
        services.analysis_create(upload=upload_of(silent_video), lecture=people["lecture"], by=None)
    assert os.listdir(settings.PRIVATE_MEDIA_ROOT + "/recordings") == []


def test_silence_fails_with_its_message_and_stores_no_figures(people, media_dir, django_capture_on_commit_callbacks):
    from .conftest import sox

    path = media_dir / "quiet.wav"
    sox("-n", "-r", 16000, "-c", 1, path, "trim", 0, 20)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    analysis = LectureAnalysis.objects.get(pk=created.pk)
    assert (analysis.status, analysis.error_code, analysis.result, analysis.speaking_rate) == (
        "failed",
        "no_speech",
        {},
        None,
    )


def _stuck(people, lecture_at, *, attempts: int) -> LectureAnalysis:
    """An analysis whose worker was killed at 60 %: running, no heartbeat for an hour."""
    path, _ = lecture_at(160)
    analysis = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    LectureAnalysis.objects.filter(pk=analysis.pk).update(
        status="running", progress=0.6, heartbeat_at=an_hour_ago, attempts=attempts
    )
    return analysis


def test_analysis_abandoned_by_a_killed_worker_is_requeued_and_finishes(people, lecture_at):
    analysis = _stuck(people, lecture_at, attempts=1)
    services.analyses_repair()
    analysis.refresh_from_db()
    assert (analysis.status, analysis.progress) == ("done", 1.0)


def test_analysis_that_keeps_dying_fails_as_interrupted_and_can_be_retried(people, lecture_at):
    analysis = _stuck(people, lecture_at, attempts=3)
    services.analyses_repair()
    analysis.refresh_from_db()
    assert (analysis.status, analysis.error_code, analysis.can_retry) == ("failed", "interrupted", True)


def test_retry_of_an_interrupted_analysis_runs_it_again(people, lecture_at, django_capture_on_commit_callbacks):
    analysis = _stuck(people, lecture_at, attempts=3)
    services.analyses_repair()
    analysis.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.analysis_retry(analysis=analysis, by=None)
    analysis.refresh_from_db()
    assert analysis.status == "done"


def test_retry_of_a_finished_analysis_is_refused(people, lecture_at, django_capture_on_commit_callbacks):
    path, _ = lecture_at(160)
    with django_capture_on_commit_callbacks(execute=True):
        analysis = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    analysis.refresh_from_db()
    with refused("retry"):
        services.analysis_retry(analysis=analysis, by=None)


def test_running_analysis_with_a_fresh_heartbeat_is_not_taken_by_a_second_worker(people, lecture_at):
    path, _ = lecture_at(160)
    analysis = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    LectureAnalysis.objects.filter(pk=analysis.pk).update(status="running", heartbeat_at=timezone.now())
    assert services.analysis_run(analysis_id=analysis.pk) is None


def test_recordings_past_retention_are_deleted_and_figures_kept(
    people, lecture_at, settings, django_capture_on_commit_callbacks
):
    path, _ = lecture_at(160)
    with django_capture_on_commit_callbacks(execute=True):
        analysis = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    stored = LectureAnalysis.objects.get(pk=analysis.pk).recording.path
    later = timezone.now() + dt.timedelta(days=settings.ANALYSIS_RETENTION_DAYS + 1)
    assert services.recordings_delete_expired(now=later) == 1
    analysis.refresh_from_db()
    assert (os.path.exists(stored), analysis.recording.name, analysis.speaking_rate is not None) == (False, "", True)


def test_recordings_within_retention_are_kept(people, lecture_at):
    path, _ = lecture_at(160)
    services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    assert services.recordings_delete_expired() == 0


def test_section_marks_recompute_time_per_section(people, lecture_at, django_capture_on_commit_callbacks):
    path, truth = lecture_at(160)
    with django_capture_on_commit_callbacks(execute=True):
        analysis = services.analysis_create(upload=upload_of(path), lecture=people["lecture"], by=None)
    analysis.refresh_from_db()
    marks = services.parse_sections("0:00 导入\n0:20 第一部分")
    services.analysis_sections_set(analysis=analysis, sections=marks, by=None)
    assert [s["seconds"] for s in analysis.result["sections"]] == [20.0, round(truth.duration - 20, 1)]


def test_section_line_without_a_time_is_refused():
    with refused("section_time"):
        services.parse_sections("导入部分")


def test_analysis_of_a_session_has_no_lecture(lecture_at):
    from tests.courses import factories as cf

    tree = f.region_tree()
    session = cf.session(programme_obj=cf.programme(region=tree["city"]), topic_obj=cf.topic())
    path, _ = lecture_at(160)
    analysis = services.analysis_create(upload=upload_of(path), session=session, by=f.organizer(tree["city"]))
    assert (analysis.lecture_id, analysis.session_id, analysis.instructor_id) == (None, session.pk, None)
