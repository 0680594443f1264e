"""智能教学分析: upload a recording, run the engine on it (in a Celery task), repair abandoned runs, delete old
recordings. Every write of the sub-domain is here."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.queue import enqueue
from courses.models import CoursewareVersion, TrainingSession
from evaluations.analysis.engine import AnalysisError, AnalysisSettings, analyse, check_input
from evaluations.analysis.engine import slides as engine_slides
from evaluations.analysis.engine import suggestions as engine_suggestions
from evaluations.models import LectureAnalysis
from outreach.models import Lecture

log = logging.getLogger(__name__)

TASK = "evaluations.tasks.analysis_run_task"

# The engine's refusal codes, in the portal's words (the engine's own Chinese texts are for logs).
ERROR_MESSAGES = {
    "empty_file": gettext_lazy("The file is empty. Upload the recording of the lecture."),
    "not_media": gettext_lazy("This file is not a recording: upload MP3, M4A or WAV audio or an MP4 video."),
    "no_audio": gettext_lazy("The video has no sound, so pace and intonation cannot be measured."),
    "zero_length": gettext_lazy("The recording lasts 0 seconds."),
    "too_short": gettext_lazy("The recording is too short (under %(min_seconds)s seconds) for a reliable analysis."),
    "too_long": gettext_lazy("The recording lasts %(minutes)s minutes, over the limit of %(max_minutes)s minutes."),
    "too_large": gettext_lazy("The file is %(size_mb)s MB, over the limit of %(max_mb)s MB."),
    "no_speech": gettext_lazy("Almost no speech was found in the recording (silence or music only)."),
    "decode_failed": gettext_lazy("The file is damaged or its encoding is not supported."),
    "interrupted": gettext_lazy("The analysis was interrupted several times. Try again."),
}

# What a recording's first bytes look like, per accepted extension.
_SIGNATURES = {
    "mp3": lambda head: head[:3] == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0),
    "wav": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE",
    "m4a": lambda head: head[4:8] == b"ftyp",
    "mp4": lambda head: head[4:8] == b"ftyp",
}


def engine_settings() -> AnalysisSettings:
    return AnalysisSettings.from_mapping(
        {
            **settings.ANALYSIS_RULES,
            "max_bytes": settings.ANALYSIS_MAX_UPLOAD_MB * 1024 * 1024,
            "max_seconds": settings.ANALYSIS_MAX_MINUTES * 60,
        }
    )


def refusal(error: AnalysisError) -> str:
    message = ERROR_MESSAGES.get(error.code)
    return str(message) % error.params if message is not None else error.message


def _check_upload(upload: UploadedFile) -> str:
    """The extension, once the size and the content agree with it."""
    if upload.size == 0:
        raise ValidationError(ERROR_MESSAGES["empty_file"], code="empty_file")
    limit = settings.ANALYSIS_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            str(ERROR_MESSAGES["too_large"])
            % {"size_mb": round(upload.size / 1024**2), "max_mb": round(limit / 1024**2)},
            code="too_large",
        )
    extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension not in _SIGNATURES or len(head) < 12 or not _SIGNATURES[extension](head):
        raise ValidationError(ERROR_MESSAGES["not_media"], code="not_media")
    return extension


def parse_sections(text: str) -> list[dict]:
    """Lines of `m:ss title` (or `h:mm:ss title`, or seconds) into section marks."""
    marks = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        stamp, _sep, title = line.partition(" ")
        try:
            parts = [float(p) for p in stamp.split(":")]
            if len(parts) > 3 or any(p < 0 for p in parts):
                raise ValueError
        except ValueError:
            raise ValidationError(
                _("Line %(number)s: start with a time such as 12:30, then the section title.") % {"number": number},
                code="section_time",
            ) from None
        seconds = sum(p * 60**i for i, p in enumerate(reversed(parts)))
        marks.append({"title": title.strip() or _("Section %(number)s") % {"number": len(marks) + 1}, "start": seconds})
    return sorted(marks, key=lambda m: m["start"])


def _current_pdf(lecture: Lecture | None) -> CoursewareVersion | None:
    if lecture is None:
        return None
    return (
        CoursewareVersion.objects.filter(course_id=lecture.course_id, kind=CoursewareVersion.Kind.PDF)
        .order_by("-number")
        .first()
    )


@transaction.atomic
def analysis_create(
    *,
    upload: UploadedFile,
    by,
    lecture: Lecture | None = None,
    session: TrainingSession | None = None,
    sections: list[dict] | None = None,
) -> LectureAnalysis:
    """Store the recording privately, check that it is media the engine can read, and queue the analysis."""
    extension = _check_upload(upload)
    instructor = lecture.instructor if lecture else getattr(by, "instructor", None)
    analysis = LectureAnalysis(
        lecture=lecture,
        session=session,
        instructor=instructor,
        courseware=_current_pdf(lecture),
        kind=LectureAnalysis.Kind.VIDEO if extension == "mp4" else LectureAnalysis.Kind.AUDIO,
        extension=extension,
        original_name=os.path.basename(upload.name)[:200],
        size=upload.size,
        sections=sections or [],
        created_by=by,
    )
    analysis.recording.save("upload", upload, save=False)
    try:
        info = check_input(analysis.recording.path, engine_settings())
    except AnalysisError as error:
        analysis.recording.delete(save=False)
        raise ValidationError(refusal(error), code=error.code) from None
    if extension == "mp4" and not info.has_video:
        analysis.kind = LectureAnalysis.Kind.AUDIO
    analysis.save()
    transaction.on_commit(lambda: enqueue(TASK, analysis.pk))
    return analysis


def _claim(analysis_id: int) -> bool:
    """Take the analysis for this worker: only one that is queued, or running without a recent heartbeat."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
    fresh = LectureAnalysis.objects.filter(pk=analysis_id, status=LectureAnalysis.Status.QUEUED)
    abandoned = LectureAnalysis.objects.filter(pk=analysis_id).stale(before=stale)
    for qs in (fresh, abandoned):
        if qs.update(status=LectureAnalysis.Status.RUNNING, heartbeat_at=now, progress=0.0):
            return True
    return False


def analysis_run(*, analysis_id: int) -> LectureAnalysis | None:
    """Run the engine on the recording; progress and heartbeat go to the row as it works. Figures are written
    only when the whole analysis succeeded; a refusal stores its code and message and nothing else."""
    if not _claim(analysis_id):
        return None
    analysis = LectureAnalysis.objects.select_related("courseware").get(pk=analysis_id)
    LectureAnalysis.objects.filter(pk=analysis_id).update(attempts=analysis.attempts + 1)
    last = [0.0]

    def progress(fraction: float) -> None:
        if time.monotonic() - last[0] >= 2.0:
            last[0] = time.monotonic()
            LectureAnalysis.objects.filter(pk=analysis_id, status=LectureAnalysis.Status.RUNNING).update(
                progress=round(min(fraction, 0.99), 3), heartbeat_at=timezone.now()
            )

    pdf = analysis.courseware.file.path if analysis.courseware and analysis.courseware.file else None
    sections = analysis.sections or None
    try:
        result = analyse(
            analysis.recording.path, settings=engine_settings(), pdf_path=pdf, sections=sections, progress=progress
        )
    except AnalysisError as error:
        LectureAnalysis.objects.filter(pk=analysis_id).update(
            status=LectureAnalysis.Status.FAILED,
            error_code=error.code,
            error_message=refusal(error)[:300],
            finished_at=timezone.now(),
        )
        log.info("analysis %s refused: %s", analysis_id, error.code)
        return LectureAnalysis.objects.get(pk=analysis_id)
    _store(analysis_id, result)
    return LectureAnalysis.objects.get(pk=analysis_id)


def _store(analysis_id: int, result: dict) -> None:
    LectureAnalysis.objects.filter(pk=analysis_id).update(
        status=LectureAnalysis.Status.DONE,
        progress=1.0,
        result=result,
        error_code="",
        error_message="",
        duration=result["duration"],
        speaking_rate=result["pace"]["speaking_rate"],
        articulation_rate=result["pace"]["articulation_rate"],
        pitch_variation=result["intonation"]["variation"],
        talk_share=result["pauses"]["talk_share"],
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def analyses_repair(*, now: dt.datetime | None = None) -> list[int]:
    """Re-queue analyses abandoned by their worker; after ANALYSIS_MAX_ATTEMPTS they fail as 'interrupted' and
    can be retried by hand."""
    now = now or timezone.now()
    stale = LectureAnalysis.objects.stale(before=now - dt.timedelta(seconds=settings.ANALYSIS_STALE_SECONDS))
    requeued = []
    for analysis in stale.only("pk", "attempts"):
        if analysis.attempts >= settings.ANALYSIS_MAX_ATTEMPTS:
            LectureAnalysis.objects.filter(pk=analysis.pk).update(
                status=LectureAnalysis.Status.FAILED,
                error_code="interrupted",
                error_message=str(ERROR_MESSAGES["interrupted"]),
                finished_at=now,
            )
            continue
        updated = LectureAnalysis.objects.filter(pk=analysis.pk, status__in=stale_statuses()).update(
            status=LectureAnalysis.Status.QUEUED, progress=0.0, heartbeat_at=now
        )
        if updated:
            requeued.append(analysis.pk)
            enqueue(TASK, analysis.pk)
    return requeued


def stale_statuses() -> list[str]:
    return [LectureAnalysis.Status.QUEUED, LectureAnalysis.Status.RUNNING]


def analysis_retry(*, analysis: LectureAnalysis, by) -> LectureAnalysis:
    """Start an interrupted analysis again from the beginning."""
    if not analysis.can_retry:
        raise ValidationError(_("Only an interrupted analysis whose recording is kept can be retried."), code="retry")
    LectureAnalysis.objects.filter(pk=analysis.pk).update(
        status=LectureAnalysis.Status.QUEUED, progress=0.0, attempts=0, error_code="", error_message=""
    )
    transaction.on_commit(lambda: enqueue(TASK, analysis.pk))
    analysis.refresh_from_db()
    return analysis


def analysis_sections_set(*, analysis: LectureAnalysis, sections: list[dict], by) -> LectureAnalysis:
    """Section marks set by hand on an audio recording: recompute time per section and the suggestions from the
    stored figures, without analysing the recording again."""
    if analysis.status != LectureAnalysis.Status.DONE:
        raise ValidationError(_("Sections can be marked once the analysis is done."), code="not_done")
    result = dict(analysis.result)
    result["sections"] = engine_slides.time_per_section(sections, result["duration"]) if sections else None
    result["suggestions"] = engine_suggestions.build(result, engine_settings())
    analysis.sections = sections
    analysis.result = result
    analysis.save(update_fields=["sections", "result"])
    return analysis


def recordings_delete_expired(*, now: dt.datetime | None = None) -> int:
    """Delete recordings older than the retention period; the figures stay."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ANALYSIS_RETENTION_DAYS)
    expired = LectureAnalysis.objects.filter(created_at__lt=cutoff, recording_deleted_at__isnull=True).exclude(
        recording=""
    )
    count = 0
    for analysis in expired.exclude(status=LectureAnalysis.Status.RUNNING):
        analysis.recording.delete(save=False)
        LectureAnalysis.objects.filter(pk=analysis.pk).update(recording="", recording_deleted_at=now)
        count += 1
    return count
