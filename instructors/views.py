"""Pages of the instructor registry."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import FullExportForm, filters_display
from core.files import serve_private_file
from core.permissions import require_manager, visible_or_404
from core.views import import_page, paginate, status_form_submit
from core.xlsx import xlsx_response

from . import roster, selectors, services
from .forms import InstructorFilterForm, InstructorForm, InstructorSelfForm, StatusChangeForm
from .models import Instructor, TeachingGroup

PAGE_SIZE = 50


def _get_instructor_for_user(request: HttpRequest, pk: int) -> Instructor:
    """The instructor, or 404 when the user may not see them (so existence does not leak)."""
    return visible_or_404(selectors.instructor_detail, request, pk)


def _may_see_full_identity(user, instructor: Instructor) -> bool:
    return user.can_manage_registry or instructor.user_id == user.pk


@login_required
def instructor_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = InstructorFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page, query = paginate(request, selectors.instructor_list(user=request.user, filters=filters), PAGE_SIZE)
    return render(
        request,
        "instructors/instructor_list.html",
        {"form": form, "page": page, "query": query},
    )


@login_required
def instructor_me(request: HttpRequest) -> HttpResponse:
    instructor = Instructor.objects.filter(user=request.user).first()
    if instructor is None:
        raise Http404
    return redirect(instructor)


@login_required
def instructor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instructor = _get_instructor_for_user(request, pk)
    context = {
        "instructor": instructor,
        "progress": selectors.instructor_norm_progress(instructor),
        "full_identity": _may_see_full_identity(request.user, instructor),
        "can_manage": request.user.can_manage_registry,
        "status_form": StatusChangeForm(instructor=instructor) if request.user.can_manage_registry else None,
    }
    return render(request, "instructors/instructor_detail.html", context)


def _photo_owner(request: HttpRequest, pk: int) -> Instructor:
    """The instructor whose picture is asked for, or 404 (anonymous people and other scopes alike)."""
    visible = Instructor.objects.visible_to(request.user).only("pk", "photo", "photo_thumbnail")
    return get_object_or_404(visible, pk=pk)


def instructor_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo, only for people who may see the instructor (personal data: never a public URL)."""
    return serve_private_file(_photo_owner(request, pk).photo, max_age=300)


def instructor_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    """The thumbnail, or the photo while the worker has not made it yet."""
    instructor = _photo_owner(request, pk)
    return serve_private_file(instructor.photo_thumbnail or instructor.photo, max_age=300)


@login_required
def instructor_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = InstructorForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            instructor = services.instructor_create(data=form.service_data(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Instructor %(name)s was added as a candidate.") % {"name": instructor.name})
            return redirect(instructor)
    return render(request, "instructors/instructor_form.html", {"form": form, "title": _("Add instructor")})


@login_required
def instructor_update(request: HttpRequest, pk: int) -> HttpResponse:
    instructor = _get_instructor_for_user(request, pk)
    own = instructor.user_id == request.user.pk and not request.user.can_manage_registry
    if not own:
        require_manager(request)
    form_class = InstructorSelfForm if own else InstructorForm
    kwargs = {} if own else {"user": request.user}
    form = form_class(request.POST or None, request.FILES or None, instance=instructor, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.instructor_update(instructor=instructor, data=form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect(instructor)
    return render(
        request,
        "instructors/instructor_form.html",
        {"form": form, "instructor": instructor, "title": _("Edit %(name)s") % {"name": instructor.name}},
    )


@login_required
@require_POST
def instructor_status_change(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    instructor = _get_instructor_for_user(request, pk)
    form = StatusChangeForm(request.POST, instructor=instructor)
    status_form_submit(request, form, partial(services.instructor_change_status, instructor=instructor))
    return redirect(instructor)


@login_required
def instructor_import(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return import_page(
        request,
        importer="instructors.roster.RosterImporter",
        title=_("Import the roster"),
        success_url="instructors:instructor_list",
        template_url=reverse("instructors:instructor_export_full"),
    )


@login_required
def instructor_export(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = InstructorFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    data = roster.roster_export(selectors.instructor_list(user=request.user, filters=filters))
    return xlsx_response(data, roster.export_filename(), fallback="roster.xlsx")


@login_required
def instructor_export_full(request: HttpRequest) -> HttpResponse:
    """The roster with full numbers: the filter of the list (query string), an explicit choice and a purpose (POST)."""
    require_manager(request)
    filter_form = InstructorFilterForm(request.GET or None, user=request.user)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    form = FullExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = roster.roster_export_full(by=request.user, filters=filters, purpose=form.cleaned_data["purpose"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return xlsx_response(data, roster.export_filename("师资名册_完整证件号"), fallback="roster-full.xlsx")
    context = {"form": form, "filters": filters_display(filter_form), "query": request.GET.urlencode()}
    return render(request, "instructors/instructor_export_full.html", context)


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.group_list(user=request.user)
    return render(request, "instructors/group_list.html", {"groups": groups})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(TeachingGroup.objects.visible_to(request.user).select_related("leader", "region"), pk=pk)
    members = selectors.group_members(group, request.user)
    return render(request, "instructors/group_detail.html", {"group": group, "members": members})
