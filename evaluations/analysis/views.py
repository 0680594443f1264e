"""授课分析: upload on a lecture's or a session's page, the result page, the private recording, section marks."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_text
from core.files import serve_private_file
from courses.models import TrainingSession
from evaluations.analysis import selectors, services
from evaluations.analysis.forms import AnalysisUploadForm, SectionsForm
from evaluations.models import LectureAnalysis
from outreach.models import Lecture

CONTENT_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "wav": "audio/wav", "mp4": "video/mp4"}


def _get_analysis_for_user(request: HttpRequest, pk: int) -> LectureAnalysis:
    try:
        return selectors.analysis_for_user(user=request.user, pk=pk)
    except LectureAnalysis.DoesNotExist:
        raise Http404 from None


def _upload(request: HttpRequest, *, lecture: Lecture | None = None, session: TrainingSession | None = None):
    form = AnalysisUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            analysis = services.analysis_create(
                upload=form.cleaned_data["recording"],
                sections=form.cleaned_data["sections"],
                lecture=lecture,
                session=session,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error("recording", exc)
        else:
            messages.success(request, _("The recording is uploaded; the analysis runs in the background."))
            return redirect(analysis)
    return render(request, "evaluations/analysis/analysis_form.html", {"form": form, "subject": lecture or session})


@login_required
def analysis_lecture_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lecture = selectors.lecture_for_upload(user=request.user, pk=pk)
    except Lecture.DoesNotExist:
        raise Http404 from None
    return _upload(request, lecture=lecture)


@login_required
def analysis_session_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session = selectors.session_for_upload(user=request.user, pk=pk)
    except TrainingSession.DoesNotExist:
        raise Http404 from None
    return _upload(request, session=session)


@login_required
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _get_analysis_for_user(request, pk)
    context = {"analysis": analysis, "subject": analysis.subject}
    if analysis.status == LectureAnalysis.Status.DONE:
        trend = selectors.instructor_trend(analysis)
        context |= {
            "r": analysis.result,
            "ratings": selectors.ratings_beside(analysis),
            "chart": selectors.chart_data(analysis, trend),
            "sections_form": SectionsForm(initial={"sections": _sections_text(analysis.sections)}),
        }
    return render(request, "evaluations/analysis/analysis_detail.html", context)


def _sections_text(sections: list[dict]) -> str:
    return "\n".join(
        f"{int(s['start'] // 60)}:{int(s['start'] % 60):02d} {s['title']}" for s in sections if "start" in s
    )


@login_required
def analysis_recording(request: HttpRequest, pk: int) -> HttpResponse:
    """The private recording, to its viewers only. Served by nginx or S3 where so configured (both answer byte
    ranges); when Django serves it, it answers a byte range itself so that the player can jump to a moment."""
    analysis = _get_analysis_for_user(request, pk)
    content_type = CONTENT_TYPES.get(analysis.extension, "application/octet-stream")
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", request.headers.get("Range", ""))
    if settings.PRIVATE_FILES_SERVE != "django" or not analysis.recording or not match or not (match[1] or match[2]):
        response = serve_private_file(analysis.recording, filename=analysis.original_name, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    storage, name = analysis.recording.storage, analysis.recording.name
    try:
        size = storage.size(name)
    except FileNotFoundError:
        raise Http404 from None
    start = int(match[1]) if match[1] else max(size - int(match[2]), 0)
    end = min(int(match[2]), size - 1) if match[1] and match[2] else size - 1
    if start >= size or start > end:
        return HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
    response = StreamingHttpResponse(_file_range(storage, name, start, end), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-cache"
    return response


def _file_range(storage, name: str, start: int, end: int, block: int = 256 * 1024):
    """The bytes start..end of the file, a block at a time (a browser asks for `bytes=0-` of a whole video)."""
    with storage.open(name, "rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0:
            data = f.read(min(block, left))
            if not data:
                return
            left -= len(data)
            yield data


@login_required
@require_POST
def analysis_sections(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _get_analysis_for_user(request, pk)
    form = SectionsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["sections"]))
        return redirect(analysis)
    try:
        services.analysis_sections_set(analysis=analysis, sections=form.cleaned_data["sections"], by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The sections are saved."))
    return redirect(analysis)


@login_required
@require_POST
def analysis_retry(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _get_analysis_for_user(request, pk)
    try:
        services.analysis_retry(analysis=analysis, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(analysis)
