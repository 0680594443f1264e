"""The public page of a column work with its 弹幕 and 留言, the moderation of public comments, what instructors
read of them, and the organizer's record of forums and field visits."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import error_codes, error_text
from core.http import client_address
from core.permissions import require_manager
from courses.models import Column, ColumnWork, Course
from evaluations.feedback import selectors
from evaluations.feedback import services as feedback_services
from evaluations.feedback.forms import FieldVisitForm, PublicCommentForm
from evaluations.models import PublicComment
from evaluations.results import services as result_services
from evaluations.results.forms import ModerationForm
from evaluations.survey import services as survey_services
from evaluations.survey.views import DEVICE_COOKIE, DEVICE_SALT

# --- the public work page -----------------------------------------------------------------------------------------


def _public_work_or_404(pk: int) -> ColumnWork:
    try:
        return selectors.work_public(pk)
    except ColumnWork.DoesNotExist:
        raise Http404 from None


def _device_id(request: HttpRequest) -> str | None:
    try:
        return request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_SALT)
    except (KeyError, signing.BadSignature):
        return None


def _work_page(request: HttpRequest, work: ColumnWork, forms: dict | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    context = {
        "work": work,
        "danmaku_form": forms.get("danmaku") or PublicCommentForm(kind=PublicComment.Kind.DANMAKU),
        "message_form": forms.get("message") or PublicCommentForm(kind=PublicComment.Kind.MESSAGE),
        "messages_public": selectors.messages_public(work=work)[:100],
        "player": work.link if work.format in ("micro_video", "animation", "audio") else "",
    }
    response = render(request, "evaluations/feedback/work_public.html", context, status=status)
    if _device_id(request) is None:  # the phone's identity for the rate limit: the survey's device cookie
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            salt=DEVICE_SALT,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def work_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A work's public page: the clip with its approved 弹幕, the approved 留言, and forms for both. No login."""
    return _work_page(request, _public_work_or_404(pk))


@require_POST
def work_comment(request: HttpRequest, pk: int) -> HttpResponse:
    work = _public_work_or_404(pk)
    kind = request.POST.get("kind")
    if kind not in PublicComment.Kind.values:
        kind = PublicComment.Kind.DANMAKU
    form = PublicCommentForm(request.POST, kind=kind)
    if form.is_valid():
        try:
            feedback_services.public_comment_submit(
                work=work,
                kind=kind,
                text=form.cleaned_data["text"],
                at_seconds=form.cleaned_data.get("at_seconds"),
                device_id=_device_id(request) or "",
                address=client_address(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 429 if "comment_flood" in error_codes(exc) else 400
            return _work_page(request, work, {kind: form}, status=status)
        messages.success(request, _("Thank you: your comment will be shown once it has been reviewed."))
        return redirect("evaluations:work_public", pk=work.pk)
    return _work_page(request, work, {kind: form}, status=400)


@require_GET
def work_danmaku(request: HttpRequest, pk: int) -> JsonResponse:
    """The approved 弹幕 of a work for the player (text and second); the script shows them as text, never HTML."""
    work = _public_work_or_404(pk)
    return JsonResponse({"comments": selectors.danmaku_public(work=work)})


# --- moderation and reading ---------------------------------------------------------------------------------------


@login_required
@require_POST
def public_comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    comment = get_object_or_404(selectors.public_comments_managed(user=request.user), pk=pk)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            result_services.comment_moderate(comment=comment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The comment was moderated."))
    return redirect("evaluations:moderation_queue")


def _work_for_reader(request: HttpRequest, pk: int) -> ColumnWork:
    try:
        return selectors.work_for_reader(user=request.user, pk=pk)
    except ColumnWork.DoesNotExist:
        raise Http404 from None


@login_required
def work_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The comments on one work grouped by moment, its messages, and the delivery analysis of its course."""
    work = _work_for_reader(request, pk)
    manager = request.user.can_manage_registry
    context = {
        "work": work,
        "buckets": selectors.danmaku_by_moment(work=work, manager=manager),
        "work_messages": selectors.work_messages(work=work, manager=manager)[:200],
        "analysis": selectors.work_analysis(work=work, user=request.user),
        "manager": manager,
    }
    return render(request, "evaluations/feedback/work_feedback.html", context)


@login_required
def column_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """A column's works the user may read, with approved and pending comments per work."""
    column = get_object_or_404(Column, slug=slug)
    works = selectors.column_works_counts(user=request.user, column=column)
    if not request.user.can_manage_registry and not works.exists():
        raise Http404
    return render(request, "evaluations/feedback/column_feedback.html", {"column": column, "works": works})


# --- forums and field visits --------------------------------------------------------------------------------------


@login_required
def course_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """A course's qualitative feedback: forums, field visits and the public's comments on its works."""
    try:
        course = selectors.course_for_reader(user=request.user, pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None
    context = {
        "course": course,
        "visits": selectors.field_visits(courses=[course.pk]),
        "works": selectors.works_with_counts().filter(course=course),
        "can_record": request.user.can_manage_registry,
    }
    return render(request, "evaluations/feedback/course_feedback.html", context)


@login_required
def field_visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    try:
        course = selectors.course_for_recording(user=request.user, pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None
    dimensions = list(survey_services.indicator_system_current().dimensions.order_by("order"))
    lectures = selectors.lectures_for_recording(user=request.user, course=course)
    form = FieldVisitForm(request.POST or None, lectures=lectures, dimensions=dimensions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_services.field_visit_record(
                by=request.user,
                kind=data["kind"],
                course=course,
                lecture=data["lecture"],
                held_on=data["held_on"],
                place=data["place"],
                notes=data["notes"],
                participants=form.participants(),
                findings=form.findings(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The forum or field visit was recorded."))
            return redirect("evaluations:course_feedback", pk=course.pk)
    return render(request, "evaluations/feedback/field_visit_form.html", {"course": course, "form": form})
