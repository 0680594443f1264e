"""Pages of the course catalog, the premium library, rectifications, online columns and training."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_text
from core.files import serve_private_file
from core.params import year_param
from core.permissions import require_manager, visible_or_404
from core.views import status_form_submit
from core.xlsx import xlsx_response
from instructors.models import Instructor

from . import exports, selectors, services
from .forms import (
    AttendanceForm,
    CourseFilterForm,
    CourseForm,
    CourseStatusForm,
    CoursewareUploadForm,
    MenuFilterForm,
    PremiumAddForm,
    RectificationDecideForm,
    RectificationFilterForm,
    RectificationOpenForm,
    RectificationSubmitForm,
)
from .models import Column, Course, PremiumLibraryEntry, Rectification, Series, TrainingProgramme, TrainingSession

PAGE_SIZE = 50


# --- access helpers ---------------------------------------------------------------------------------------------


def _get_course_for_user(request: HttpRequest, pk: int) -> Course:
    """The course with its page data, or 404 when the user may not see it (so existence does not leak)."""
    return visible_or_404(selectors.course_detail, request, pk)


def _may_manage(user, course: Course) -> bool:
    return Course.objects.managed_by(user).filter(pk=course.pk).exists()


def _may_edit_courseware(user, course: Course) -> bool:
    """Managers of the course and the instructors who teach it (their own courses only)."""
    return _may_manage(user, course) or Course.objects.taught_by_user(user).filter(pk=course.pk).exists()


def _may_download_courseware(user, course: Course) -> bool:
    """Courseware of a course on the shelf goes to everyone who may see the course; while it is withdrawn
    (draft, in review, under rectification, retired) only to its managers and the instructors who teach it."""
    return course.is_orderable or _may_edit_courseware(user, course)


def _get_rectification_for_user(request: HttpRequest, pk: int) -> Rectification:
    return visible_or_404(selectors.rectification_detail, request, pk)


def _get_programme_for_user(request: HttpRequest, pk: int) -> TrainingProgramme:
    return visible_or_404(selectors.training_programme_detail, request, pk)


def _get_session_for_user(request: HttpRequest, pk: int) -> TrainingSession:
    return visible_or_404(selectors.training_session_detail, request, pk)


def _own_instructor(request: HttpRequest) -> Instructor | None:
    return Instructor.objects.filter(user=request.user).first() if request.user.is_authenticated else None


def _errors(exc: ValidationError) -> str:
    return error_text(exc)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- catalog -----------------------------------------------------------------------------------------------------


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    form = CourseFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.course_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "courses/course_list.html", context)


@login_required
def course_menu(request: HttpRequest) -> HttpResponse:
    form = MenuFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.course_menu(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "courses/course_menu.html", context)


@login_required
def course_export(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = CourseFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    data = exports.catalog_export(selectors.course_export_rows(user=request.user, filters=filters))
    return xlsx_response(data, exports.export_filename("课程目录"))


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = _get_course_for_user(request, pk)
    manage = _may_manage(request.user, course)
    edit_courseware = manage or _may_edit_courseware(request.user, course)
    context = {
        "course": course,
        "can_manage": manage,
        "can_edit_courseware": edit_courseware,
        "can_download_courseware": edit_courseware or course.is_orderable,
        "status_form": CourseStatusForm(course=course) if manage else None,
    }
    return render(request, "courses/course_detail.html", context)


@login_required
def course_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = CourseForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(data=form.service_data(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The course was added as a draft."))
            return redirect(course)
    return render(request, "courses/course_form.html", {"form": form, "title": _("Add course")})


@login_required
def course_update(request: HttpRequest, pk: int) -> HttpResponse:
    course = _get_course_for_user(request, pk)
    if not _may_manage(request.user, course):
        raise PermissionDenied
    form = CourseForm(request.POST or None, request.FILES or None, instance=course, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(course=course, data=form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The course was saved."))
            return redirect(course)
    title = _("Edit %(title)s") % {"title": course.title}
    return render(request, "courses/course_form.html", {"form": form, "course": course, "title": title})


@login_required
@require_POST
def course_status_change(request: HttpRequest, pk: int) -> HttpResponse:
    course = _get_course_for_user(request, pk)
    if not _may_manage(request.user, course):
        raise PermissionDenied
    form = CourseStatusForm(request.POST, course=course)
    status_form_submit(request, form, partial(services.course_change_status, course=course))
    return redirect(course)


@login_required
def courseware_upload(request: HttpRequest, pk: int) -> HttpResponse:
    course = _get_course_for_user(request, pk)
    if not _may_edit_courseware(request.user, course):
        raise Http404
    form = CoursewareUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.courseware_upload(
                course=course, upload=form.cleaned_data["file"], note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Version %(number)d was uploaded.") % {"number": version.number})
            return redirect(course)
    return render(request, "courses/courseware_form.html", {"form": form, "course": course})


def courseware_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The current version, through core/files.py; 404 for anonymous people, other scopes and withdrawn files."""
    course = _get_course_for_user(request, pk)
    version = services.courseware_current(course=course)
    if version is None or not _may_download_courseware(request.user, course):
        raise Http404
    name = f"{course.title}_v{version.number}.{version.kind}"
    return serve_private_file(version.file, filename=name, as_attachment=True)


def course_cover(request: HttpRequest, pk: int) -> HttpResponse:
    """The cover picture, only for people who may see the course."""
    course = get_object_or_404(Course.objects.visible_to(request.user).only("pk", "cover"), pk=pk)
    return serve_private_file(course.cover, max_age=300)


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/topic_list.html", {"topics": selectors.topic_list()})


@login_required
def series_list(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/series_list.html", {"series_list": selectors.series_list()})


@login_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=pk)
    courses = selectors.series_courses(series=series, user=request.user)
    return render(request, "courses/series_detail.html", {"series": series, "courses": courses})


# --- rectification -----------------------------------------------------------------------------------------------


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    form = RectificationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.rectification_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "query": _query_without_page(request), "today": timezone.localdate()}
    return render(request, "courses/rectification_list.html", context)


@login_required
def rectification_create(request: HttpRequest, pk: int) -> HttpResponse:
    course = _get_course_for_user(request, pk)
    if not _may_manage(request.user, course):
        raise PermissionDenied
    form = RectificationOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rectification = services.rectification_open(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The course was taken off the shelf for rectification."))
            return redirect(rectification)
    return render(request, "courses/rectification_form.html", {"form": form, "course": course})


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _get_rectification_for_user(request, pk)
    course = rectification.course
    manage = _may_manage(request.user, course)
    context = {
        "rectification": rectification,
        "course": course,
        "can_manage": manage,
        "submit_form": RectificationSubmitForm()
        if rectification.can_submit and _may_edit_courseware(request.user, course)
        else None,
        "decide_form": RectificationDecideForm(rectification=rectification)
        if manage and rectification.is_pending
        else None,
    }
    return render(request, "courses/rectification_detail.html", context)


@login_required
@require_POST
def rectification_submit(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _get_rectification_for_user(request, pk)
    if not _may_edit_courseware(request.user, rectification.course):
        raise Http404
    form = RectificationSubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.rectification_submit(
                rectification=rectification,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Your revision was submitted for re-approval."))
    else:
        messages.error(request, _("The revision was not submitted: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(rectification)


@login_required
@require_POST
def rectification_decide(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _get_rectification_for_user(request, pk)
    if not _may_manage(request.user, rectification.course):
        raise PermissionDenied
    form = RectificationDecideForm(request.POST, rectification=rectification)
    if form.is_valid():
        try:
            services.rectification_decide(
                rectification=rectification,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The decision was recorded."))
    else:
        messages.error(request, _("No decision was recorded: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(rectification)


# --- premium library ---------------------------------------------------------------------------------------------


@login_required
def premium_list(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    entries = selectors.premium_library(user=request.user, year=year)
    years = sorted({*selectors.premium_years(), timezone.localdate().year}, reverse=True)
    form = PremiumAddForm(user=request.user) if request.user.can_manage_registry else None
    context = {"entries": entries, "year": year, "years": years, "form": form}
    return render(request, "courses/premium_list.html", context)


@login_required
@require_POST
def premium_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    year = year_param(request)
    form = PremiumAddForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.premium_library_add(
                course=form.cleaned_data["course"],
                year=year,
                reason=PremiumLibraryEntry.Reason.ORGANIZER_SELECTION,
                by=request.user,
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The course was added to the %(year)d library.") % {"year": year})
    else:
        messages.error(request, _("Nothing was added: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(f"{reverse('courses:premium_list')}?year={year}")


@login_required
def premium_export(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    year = year_param(request)
    data = exports.premium_export(selectors.premium_library(user=request.user, year=year))
    return xlsx_response(data, exports.export_filename(f"{year}年精品课程库"))


# --- online columns ----------------------------------------------------------------------------------------------


@login_required
def column_list(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/column_list.html", {"columns": selectors.column_list()})


def column_public(request: HttpRequest, slug: str) -> HttpResponse:
    """A column's public page: no login, and nothing about instructors beyond their names."""
    column = get_object_or_404(Column, slug=slug, is_public=True)
    return render(request, "courses/column_public.html", {"column": column, "works": selectors.column_works(column)})


# --- training (以训提能) -----------------------------------------------------------------------------------------


@login_required
def training_programme_list(request: HttpRequest) -> HttpResponse:
    programmes = selectors.training_programme_list(user=request.user)
    return render(request, "courses/training_programme_list.html", {"programmes": programmes})


@login_required
def training_programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get_programme_for_user(request, pk)
    instructor = _own_instructor(request)
    manage = TrainingProgramme.objects.managed_by(request.user).filter(pk=programme.pk).exists()
    context = {
        "programme": programme,
        "instructor": instructor,
        "sessions": selectors.training_sessions(programme=programme, instructor=instructor),
        "demand": selectors.training_demand(programme=programme) if manage else None,
        "wished": selectors.training_wished_topic_ids(programme=programme, instructor=instructor),
        "topics": programme.topics.order_by("name"),
        "can_manage": manage,
    }
    return render(request, "courses/training_programme_detail.html", context)


@login_required
@require_POST
def training_wish_toggle(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    programme = _get_programme_for_user(request, pk)
    instructor = _own_instructor(request)
    if instructor is None:
        raise PermissionDenied
    topic = get_object_or_404(programme.topics, pk=topic_pk)
    try:
        services.training_wish_toggle(programme=programme, topic=topic, instructor=instructor)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(programme)


@login_required
def training_session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request, pk)
    if not TrainingProgramme.objects.managed_by(request.user).filter(pk=session.programme_id).exists():
        raise Http404
    signups = selectors.training_session_signups(session)
    form = AttendanceForm(signups=signups, initial={"attended": [s for s in signups if s.attended]})
    return render(
        request, "courses/training_session_detail.html", {"session": session, "signups": signups, "form": form}
    )


@login_required
@require_POST
def training_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request, pk)
    if not TrainingProgramme.objects.managed_by(request.user).filter(pk=session.programme_id).exists():
        raise Http404
    form = AttendanceForm(request.POST, signups=selectors.training_session_signups(session))
    if form.is_valid():
        count = services.training_record_attendance(
            session=session, attended_ids={s.pk for s in form.cleaned_data["attended"]}
        )
        messages.success(request, _("Attendance recorded: %(count)d attended.") % {"count": count})
    return redirect(session)


@login_required
@require_POST
def training_signup(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request, pk)
    instructor = _own_instructor(request)
    if instructor is None:
        raise PermissionDenied
    try:
        services.training_signup(session=session, instructor=instructor)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You are signed up for %(session)s.") % {"session": session.title})
    return redirect(session.programme)


@login_required
@require_POST
def training_signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request, pk)
    instructor = _own_instructor(request)
    if instructor is None:
        raise PermissionDenied
    try:
        services.training_signup_cancel(session=session, instructor=instructor)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Your sign-up was cancelled."))
    return redirect(session.programme)
