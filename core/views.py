"""The import page every app uses, the progress page of a background import, and the record of exports with full
numbers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .errors import error_text
from .imports import ImportForm, ImportResult, import_job_create
from .models import ExportRecord, ImportJob


def _finished_message(result: ImportResult) -> str:
    return _("Import finished: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.") % {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def import_page(
    request: HttpRequest, *, importer: str, title: str, success_url: str, template_url: str | None = None
) -> HttpResponse:
    """Upload, check and import (a worker takes files over ``IMPORT_ASYNC_ROWS`` rows); the caller checks access."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if form.stats.rows - 1 > settings.IMPORT_ASYNC_ROWS:  # the header row is not data
            job = import_job_create(
                importer=importer,
                title=title,
                success_url=reverse(success_url),
                upload=upload,
                by=request.user,
                total=max(form.stats.rows - 1, 0),
            )
            return redirect(job)
        try:
            result = import_string(importer)(by=request.user).run(upload)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            if result.ok:
                messages.success(request, _finished_message(result))
                return redirect(success_url)
    context = {"form": form, "result": result, "title": title, "template_url": template_url}
    return render(request, "core/import.html", context)


@login_required
def import_job(request: HttpRequest, pk) -> HttpResponse:
    """A background import's progress (the partial with ?partial=1 or JSON with ?format=json), then its result."""
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": job.status, "total": job.total, "processed": job.processed})
    result = ImportResult.from_dict(job.result) if job.is_finished else None
    context = {"job": job, "result": result, "message": _finished_message(result) if result and result.ok else ""}
    template = "core/_import_progress.html" if request.GET.get("partial") else "core/import_job.html"
    return render(request, template, context)


def form_errors(form) -> str:
    """Every error of a bound form in one line, for a message after a POST."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def status_form_submit(request: HttpRequest, form, change) -> None:
    """Run a status form: ``change(to_status=..., by=..., reason=...)`` moves the record; a message either way."""
    if not form.is_valid():
        messages.error(request, _("The status was not changed: %(errors)s") % {"errors": form_errors(form)})
        return
    try:
        change(to_status=form.cleaned_data["to_status"], by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The status was changed and recorded."))


def paginate(request: HttpRequest, qs, per_page: int = 50):
    """The requested page of ``qs`` (a bad ``?page=`` gives the first or last page) and the query string without
    ``page``, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return Paginator(qs, per_page).get_page(request.GET.get("page")), query.urlencode()


@login_required
def export_record_list(request: HttpRequest) -> HttpResponse:
    """Every export that carried full ID card and phone numbers, newest first: administrators only."""
    if not (request.user.is_active and getattr(request.user, "is_admin", False)):
        raise PermissionDenied
    page, query = paginate(request, ExportRecord.objects.all(), 50)
    return render(request, "core/export_record_list.html", {"page": page, "query": query})
