"""Pages of outreach: organizations, campaigns, requests and dispatch, lectures, calendars, loudspeakers, reports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.calendar import calendar_entries
from core.errors import error_text
from core.files import serve_private_file
from core.params import id_param, month_param, week_param, year_param
from core.permissions import require_manager, visible_or_404
from core.queue import enqueue
from core.views import import_page, paginate
from core.xlsx import xlsx_response
from instructors.models import Instructor, Region
from instructors.services import user_feed_token, user_reset_feed_token

from . import exports, ical, selectors, services
from .forms import (
    CancelForm,
    CourseRequestForm,
    DeliverForm,
    DispatchForm,
    DispatchTimeForm,
    LectureFilterForm,
    OrganizationFilterForm,
    ReportForm,
    RequestFilterForm,
)
from .models import Campaign, CourseRequest, Lecture, LecturePhoto


def _get_lecture_for_user(request: HttpRequest, pk: int) -> Lecture:
    """The lecture, or 404 when the user may not see it (so existence does not leak)."""
    return visible_or_404(selectors.lecture_detail, request, pk)


def _get_request_for_user(request: HttpRequest, pk: int) -> CourseRequest:
    return visible_or_404(selectors.request_detail, request, pk)


def _get_campaign_for_user(request: HttpRequest, pk: int) -> Campaign:
    return visible_or_404(selectors.campaign_detail, request, pk)


# --- Organizations ----------------------------------------------------------------------------------------------


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = OrganizationFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page, query = paginate(request, selectors.organization_list(user=request.user, filters=filters))
    return render(request, "outreach/organization_list.html", {"form": form, "page": page, "query": query})


@login_required
def organization_import(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return import_page(
        request,
        importer="outreach.imports.OrganizationImporter",
        title=_("Import organizations"),
        success_url="outreach:organization_list",
    )


# --- Campaigns and requests ---------------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return render(request, "outreach/campaign_list.html", {"campaigns": selectors.campaign_list(user=request.user)})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    campaign = _get_campaign_for_user(request, pk)
    context = {
        "campaign": campaign,
        "progress": [
            (_("Lectures"), campaign.lectures_done, campaign.target_lectures),
            (_("Organizations covered"), campaign.organizations_reached, campaign.target_organizations),
            (_("Members reached"), campaign.members_reached, campaign.target_members),
        ],
        "by_county": selectors.campaign_by_county(user=request.user, campaign=campaign),
    }
    return render(request, "outreach/campaign_detail.html", context)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = RequestFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page, query = paginate(request, selectors.request_list(user=request.user, filters=filters))
    return render(request, "outreach/request_list.html", {"form": form, "page": page, "query": query})


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = CourseRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The request was recorded. Now assign an instructor."))
            return redirect(created)
    return render(request, "outreach/request_form.html", {"form": form})


@login_required
def request_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """派课: pick a time, see who of the course's instructors is free then and why each is suggested, send one."""
    require_manager(request)
    course_request = _get_request_for_user(request, pk)
    course, organization = course_request.course, course_request.organization
    times = DispatchTimeForm(
        request.POST or request.GET or None, initial=selectors.dispatch_times(course_request=course_request)
    )
    candidates = selectors.dispatch_candidates(course=course, organization=organization)
    initial = {**times.chosen(), "instructor": request.GET.get("instructor")}
    form = DispatchForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lecture = services.request_dispatch(course_request=course_request, by=request.user, **form.dispatch_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The lecture was scheduled."))
            return redirect(lecture)
    start, end = times.interval()
    suggestions = selectors.dispatch_suggestions(course=course, organization=organization, start=start, end=end)
    context = {"req": course_request, "times": times, "form": form, "suggestions": suggestions, "checked": start}
    return render(request, "outreach/request_dispatch.html", context)


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    course_request = _get_request_for_user(request, pk)
    _run(request, services.request_cancel, _("The request was withdrawn."), course_request=course_request)
    return redirect("outreach:request_list")


# --- Lectures ---------------------------------------------------------------------------------------------------


@login_required
def lecture_list(request: HttpRequest) -> HttpResponse:
    form = LectureFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page, query = paginate(request, selectors.lecture_list(user=request.user, filters=filters))
    return render(request, "outreach/lecture_list.html", {"form": form, "page": page, "query": query})


@login_required
def lecture_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lecture = _get_lecture_for_user(request, pk)
    context = {
        "lecture": lecture,
        "can_manage": request.user.can_manage_registry,
        "next_step": selectors.lecture_next_step(lecture=lecture, user=request.user),
    }
    return render(request, "outreach/lecture_detail.html", context)


def lecture_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A photo of a lecture, only for people who may see the lecture (404 otherwise, also when anonymous)."""
    photo = get_object_or_404(
        LecturePhoto.objects.filter(lecture__in=Lecture.objects.visible_to(request.user)), pk=photo_pk, lecture_id=pk
    )
    return serve_private_file(photo.image, max_age=300)


def _run(request: HttpRequest, action, success: str, **kwargs) -> None:
    try:
        action(by=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)


@login_required
@require_POST
def lecture_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    lecture = _get_lecture_for_user(request, pk)
    _run(request, services.lecture_confirm, _("The lecture is confirmed."), lecture=lecture)
    return redirect(lecture)


@login_required
@require_POST
def lecture_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    lecture = _get_lecture_for_user(request, pk)
    _run(request, services.lecture_close, _("The lecture is closed."), lecture=lecture)
    return redirect(lecture)


@login_required
def lecture_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    lecture = _get_lecture_for_user(request, pk)
    require_manager(request)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lecture_cancel(lecture=lecture, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The lecture was cancelled and the time freed."))
            return redirect(lecture)
    return render(request, "outreach/lecture_cancel.html", {"lecture": lecture, "form": form})


@login_required
def lecture_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    lecture = _get_lecture_for_user(request, pk)
    form = DeliverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lecture_deliver(
                lecture=lecture,
                attendance=form.cleaned_data["attendance"],
                hours=form.cleaned_data["hours"],
                photos=request.FILES.getlist("photos"),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The lecture is recorded as delivered."))
            return redirect(lecture)
    return render(request, "outreach/lecture_deliver.html", {"lecture": lecture, "form": form})


# --- Calendars and the iCal feed ----------------------------------------------------------------------------------


def _weekdays() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Month or week view per instructor or per county, within the user's scope."""
    year, month = month_param(request)
    lectures = Lecture.objects.visible_to(request.user)
    subject = None
    instructor_id, county_id = id_param(request, "instructor"), id_param(request, "county")
    if instructor_id is not None:
        subject = get_object_or_404(Instructor.objects.all(), pk=instructor_id)
        lectures = lectures.filter(instructor=subject)
        if not lectures.exists() and not Instructor.objects.visible_to(request.user).filter(pk=subject.pk).exists():
            raise Http404
    elif county_id is not None:
        subject = get_object_or_404(selectors.counties_for(request.user), pk=county_id)
        lectures = lectures.filter(county=subject)
    week = week_param(request)
    # Other apps' entries (the alliance's guest lectures) belong to the region's calendar, not to one instructor's.
    start, end = selectors.week_bounds(week) if week else selectors.month_bounds(year, month)
    extras = [] if subject is not None else calendar_entries(user=request.user, start=start, end=end)
    context = {
        "grid": None if week else selectors.calendar_month(lectures=lectures, year=year, month=month, extras=extras),
        "week": selectors.calendar_week(lectures=lectures, day=week, extras=extras) if week else None,
        "today": timezone.localdate().isoformat(),
        "subject": subject,
        "counties": selectors.counties_for(request.user),
        "weekdays": _weekdays(),
        "feed_url": _feed_url(request) if request.user.can_manage_registry else None,
        "show_feed": request.user.can_manage_registry,
        "subject_query": "".join(
            f"{key}={value}&" for key, value in (("instructor", instructor_id), ("county", county_id)) if value
        ),
    }
    return render(request, "outreach/calendar.html", context)


def _own_instructor(request: HttpRequest) -> Instructor:
    instructor = Instructor.objects.filter(user=request.user).first()
    if instructor is None:
        raise Http404
    return instructor


@login_required
def my_schedule(request: HttpRequest) -> HttpResponse:
    instructor = _own_instructor(request)
    year, month = month_param(request)
    context = {
        "instructor": instructor,
        "upcoming": selectors.instructor_schedule(instructor=instructor, since=timezone.now())[:20],
        "grid": selectors.calendar_month(
            lectures=Lecture.objects.filter(instructor=instructor), year=year, month=month
        ),
        "weekdays": _weekdays(),
        "feed_url": _feed_url(request),
        "show_feed": True,
    }
    return render(request, "outreach/my_schedule.html", context)


def _feed_url(request: HttpRequest) -> str | None:
    """The user's private feed address, or None until they ask for one (a GET never writes)."""
    token = request.user.feed_token
    return request.build_absolute_uri(reverse("outreach:ical_feed", args=[token])) if token else None


@login_required
@require_POST
def ical_reset(request: HttpRequest) -> HttpResponse:
    """A new private feed address for the user; calendars subscribed to the old one stop receiving at once."""
    instructor = Instructor.objects.filter(user=request.user).first()
    if instructor is None and not request.user.can_manage_registry:
        raise Http404
    if request.user.feed_token:
        user_reset_feed_token(user=request.user)
        messages.success(request, _("Your calendar has a new private address; the old one no longer works."))
    else:
        user_feed_token(user=request.user)
        messages.success(request, _("Your private calendar address is ready."))
    return redirect("outreach:my_schedule" if instructor is not None else "outreach:calendar")


def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the token in the URL is the credential (a phone calendar cannot log in). An instructor's feed
    holds their own lectures, an organizer's the lectures of their region; 404 once reset or deactivated."""
    owner = ical.user_for_token(token)
    instructor = Instructor.objects.filter(user=owner).first() if owner is not None else None
    since = timezone.now() - dt.timedelta(days=90)
    if instructor is not None:
        lectures = selectors.instructor_schedule(instructor=instructor, since=since)
        name = _("Lectures of %(name)s") % {"name": instructor.name}
    elif owner is not None and owner.can_manage_registry:
        lectures = selectors.region_schedule(user=owner, since=since)
        name = _("Lectures in %(region)s") % {"region": owner.region or _("all regions")}
    else:
        raise Http404
    body = ical.lectures_ics(lectures=lectures, calendar_name=name, host=request.get_host().split(":")[0])
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- Loudspeakers -------------------------------------------------------------------------------------------------


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    year = year_param(request)
    form = OrganizationFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page, query = paginate(request, selectors.station_list(user=request.user, year=year, filters=filters))
    return render(request, "outreach/station_list.html", {"page": page, "query": query, "year": year, "form": form})


@login_required
def loudspeaker_report(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    year = year_param(request)
    context = {
        "year": year,
        "counties": selectors.loudspeaker_by_county(user=request.user, year=year),
        "months": selectors.loudspeaker_months(user=request.user, year=year),
        "schedules": selectors.broadcast_schedules(user=request.user, on=timezone.localdate()),
    }
    return render(request, "outreach/loudspeaker_report.html", context)


@login_required
def playlog_import(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return import_page(
        request,
        importer="outreach.imports.PlayLogImporter",
        title=_("Import play logs"),
        success_url="outreach:loudspeaker_report",
    )


# --- Coverage dashboard and annual report -------------------------------------------------------------------------


def _coverage_figures(request: HttpRequest, year: int, region: Region | None = None) -> dict:
    """The yearly figures the worker keeps (outreach/tasks.py); computed and kept now when none exist yet. Stored
    figures whose data changed are shown (marked ``stale``) while the worker recomputes them."""
    figures, current = selectors.coverage_figures_stored(user=request.user, year=year, region=region)
    if figures is None:
        allowed, scope = selectors.coverage_scope(user=request.user, region=region)
        if not allowed:
            return selectors.coverage_figures(user=request.user, year=year, region=region)
        services.coverage_figures_refresh(region=scope, year=year)
        figures, current = selectors.coverage_figures_stored(user=request.user, year=year, region=region)
    elif not current and cache.add("outreach:coverage-refresh-queued", True, timeout=30):
        enqueue("outreach.tasks.coverage_figures_refresh_task")
    figures["stale"] = not current
    return figures


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    figures = _coverage_figures(request, year_param(request))
    campaigns = selectors.campaign_list(user=request.user).filter(
        starts_on__year__lte=figures["year"], ends_on__year__gte=figures["year"]
    )
    context = {"figures": figures, "campaigns": campaigns, "chart": selectors.chart_data(figures)}
    return render(request, "outreach/dashboard.html", context)


def _report_figures(request: HttpRequest) -> tuple[ReportForm, dict]:
    form = ReportForm(request.GET or None, user=request.user, initial={"year": timezone.localdate().year})
    year, region = timezone.localdate().year, None
    if form.is_bound and form.is_valid():
        year, region = form.cleaned_data["year"], form.cleaned_data["region"]
    return form, _coverage_figures(request, year, region)


def _scope_name(request: HttpRequest, region: Region | None) -> str:
    if region is not None:
        return region.name
    return request.user.region.name if request.user.region_id else _("All regions")


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form, figures = _report_figures(request)
    query = request.GET.urlencode()
    context = {"form": form, "figures": figures, "scope_name": _scope_name(request, figures["region"]), "query": query}
    return render(request, "outreach/annual_report.html", context)


@login_required
def annual_report_export(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    _form, figures = _report_figures(request)
    data = exports.annual_report_xlsx(figures, _scope_name(request, figures["region"]))
    return xlsx_response(data, exports.report_filename(figures["year"], figures["region"]), fallback="report.xlsx")
