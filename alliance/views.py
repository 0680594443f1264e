"""Pages of the alliance for organizers (library, adoption, sharing) and the signed API partner portals call."""

from __future__ import annotations

import json
import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.errors import error_codes, error_text
from core.permissions import require_manager
from core.views import paginate
from courses.models import Course
from instructors.models import Instructor
from outreach.forms import CancelForm, DeliverForm

from . import keys, selectors, services, signing
from .forms import AdoptForm, ExchangeAnswerForm, ExchangeRequestForm, ExchangeResultForm
from .models import AdoptedCourse, ExchangeRequest, OutboxMessage, Partner, RemoteCourse, RemoteInstructor

# --- the signed API ---------------------------------------------------------------------------------------------


def partner_api(view):
    """Answer only requests a registered, active partner signed (a JSON refusal with a code otherwise)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            partner = signing.verify(request)
        except signing.Refusal as refusal:
            return JsonResponse({"code": refusal.code, "error": str(refusal.message)}, status=refusal.status)
        return view(request, partner, *args, **kwargs)

    return wrapper


def _base_url(request: HttpRequest) -> str:
    return settings.ALLIANCE_BASE_URL.rstrip("/") or f"{request.scheme}://{request.get_host()}"


@require_GET
@partner_api
def api_courses(request: HttpRequest, partner: Partner) -> HttpResponse:
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        return JsonResponse({"code": "bad_since", "error": _("since must be a whole number.")}, status=400)
    services.feed_refresh()
    page = selectors.feed_page(
        partner=partner, since=since, limit=settings.ALLIANCE_FEED_PAGE, base_url=_base_url(request)
    )
    return JsonResponse(page, json_dumps_params={"ensure_ascii": False})


@require_GET
@partner_api
def api_courseware(request: HttpRequest, partner: Partner, token: str) -> HttpResponse:
    version = selectors.courseware_for_token(token=token, partner=partner)
    if version is None:
        return JsonResponse({"code": "not_shared", "error": _("This courseware is not shared.")}, status=404)
    return FileResponse(version.file.open("rb"), content_type="application/octet-stream")


# --- organizer pages ----------------------------------------------------------------------------------------------


@login_required
def library(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    partner_id = request.GET.get("partner", "")
    partner_id = int(partner_id) if partner_id.isdigit() else None
    page, query = paginate(request, selectors.library(partner_id=partner_id))
    context = {
        "page": page,
        "query": query,
        "partners": Partner.objects.active(),
        "partner_id": partner_id,
        "adoptions": [a for a in selectors.adoptions_for(request.user) if a.update_available],
    }
    return render(request, "alliance/remotecourse_list.html", context)


def _get_remote_for_user(request: HttpRequest, pk: int) -> RemoteCourse:
    require_manager(request)
    return get_object_or_404(RemoteCourse.objects.listed().select_related("partner"), pk=pk)


@login_required
def remote_course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    remote = _get_remote_for_user(request, pk)
    form = AdoptForm(request.POST or None, user=request.user, topic_name=remote.topic)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.remote_course_adopt(remote=remote, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The course was copied into our catalogue as a draft."))
            return redirect(course.get_absolute_url())
    adoption = AdoptedCourse.objects.filter(source=remote).select_related("course").first()
    return render(request, "alliance/remotecourse_detail.html", {"remote": remote, "form": form, "adoption": adoption})


@login_required
@require_POST
def adoption_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    adoption = get_object_or_404(selectors.adoptions_for(request.user), pk=pk)
    try:
        version = services.adoption_update(adoption=adoption, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The source's update is now version %(n)d of our copy.") % {"n": version.number})
    return redirect(adoption.course.get_absolute_url())


@login_required
def shared_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    page, query = paginate(request, selectors.shareable_courses(request.user))
    return render(request, "alliance/sharedcourse_list.html", {"page": page, "query": query})


@login_required
@require_POST
def course_share(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    course = get_object_or_404(Course.objects.managed_by(request.user), pk=pk)
    shared = request.POST.get("shared") == "1"
    try:
        services.course_share(course=course, shared=shared, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Shared with the alliance.") if shared else _("No longer shared."))
    return redirect("alliance:shared_list")


@login_required
def our_key(request: HttpRequest) -> HttpResponse:
    """What an administrator gives a partner city: our public key, its id and our address."""
    if not request.user.is_admin:
        raise PermissionDenied
    context = {"public_key": keys.public_key_text(), "key_id": keys.key_id(), "base_url": _base_url(request)}
    return render(request, "alliance/our_key.html", context)


# --- 师资交流互访: the signed API -----------------------------------------------------------------------------------


def _json_body(request: HttpRequest) -> dict | None:
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _refused(exc: ValidationError) -> JsonResponse:
    code = next((c for c in error_codes(exc) if c), "invalid")
    status = 404 if code == "unknown_exchange" else 409 if code == "transition_not_allowed" else 400
    return JsonResponse({"code": code, "error": error_text(exc)}, status=status)


@require_GET
@partner_api
def api_instructors(request: HttpRequest, partner: Partner) -> HttpResponse:
    return JsonResponse(selectors.instructors_feed(), json_dumps_params={"ensure_ascii": False})


@require_POST
@partner_api
def api_exchanges(request: HttpRequest, partner: Partner) -> HttpResponse:
    """A partner asks for one of our shared instructors (the same request sent again answers the same)."""
    payload = _json_body(request)
    if payload is None:
        return JsonResponse({"code": "bad_message", "error": _("The message is not a JSON object.")}, status=400)
    try:
        exchange = services.exchange_receive_request(partner=partner, payload=payload)
    except ValidationError as exc:
        return _refused(exc)
    return JsonResponse({"uuid": str(exchange.uuid), "status": exchange.status})


@require_POST
@partner_api
def api_exchange_message(request: HttpRequest, partner: Partner, key: uuid.UUID, kind: str) -> HttpResponse:
    """A partner's answer, delivery record, evaluation result or cancellation of an exchange (applied once)."""
    payload = _json_body(request)
    if payload is None or kind not in OutboxMessage.Kind.values or kind == OutboxMessage.Kind.REQUEST:
        return JsonResponse({"code": "bad_message", "error": _("The message is not a JSON object.")}, status=400)
    try:
        exchange = services.exchange_receive(partner=partner, key=key, kind=kind, payload=payload)
    except ValidationError as exc:
        return _refused(exc)
    return JsonResponse({"uuid": str(exchange.uuid), "status": exchange.status})


# --- 师资交流互访: organizer pages ----------------------------------------------------------------------------------


@login_required
def instructor_shared_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    page, query = paginate(request, selectors.shareable_instructors(request.user))
    return render(request, "alliance/sharedinstructor_list.html", {"page": page, "query": query})


@login_required
@require_POST
def instructor_share(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    instructor = get_object_or_404(Instructor.objects.managed_by(request.user), pk=pk)
    shared = request.POST.get("shared") == "1"
    try:
        services.instructor_share(instructor=instructor, shared=shared, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Shared with the alliance.") if shared else _("No longer shared."))
    return redirect("alliance:instructor_shared_list")


@login_required
def remote_instructor_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    page, query = paginate(request, selectors.remote_instructors())
    return render(request, "alliance/remoteinstructor_list.html", {"page": page, "query": query})


@login_required
def exchange_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    remote = get_object_or_404(RemoteInstructor.objects.listed().select_related("partner"), pk=pk)
    form = ExchangeRequestForm(request.POST or None, courses=remote.courses)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exchange = services.exchange_request(
                remote=remote,
                course_remote_id=data["course"],
                start=data["start"],
                end=data["end"],
                place=data["place"],
                audience_expected=data["audience_expected"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The request is on its way to %(partner)s.") % {"partner": remote.partner})
            return redirect(exchange.get_absolute_url())
    return render(request, "alliance/exchange_form.html", {"remote": remote, "form": form})


@login_required
def exchange_list(request: HttpRequest) -> HttpResponse:
    if not (request.user.can_manage_registry or request.user.role == request.user.Role.INSTRUCTOR):
        raise PermissionDenied
    page, query = paginate(request, selectors.exchanges_for(request.user))
    return render(request, "alliance/exchange_list.html", {"page": page, "query": query})


def _get_exchange_for_user(request: HttpRequest, pk: int) -> ExchangeRequest:
    return get_object_or_404(selectors.exchanges_for(request.user), pk=pk)


@login_required
def exchange_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = _get_exchange_for_user(request, pk)
    context = {
        "exchange": exchange,
        "history": exchange.status_changes.select_related("changed_by"),
        "outbox": exchange.outbox.all(),
        "can_act": request.user.can_manage_registry,
        "answer_form": ExchangeAnswerForm(),
        "deliver_form": DeliverForm(),
        "result_form": ExchangeResultForm(),
        "cancel_form": CancelForm(),
    }
    return render(request, "alliance/exchange_detail.html", context)


_ACTIONS = {
    "answer": (ExchangeAnswerForm, services.exchange_answer),
    "deliver": (DeliverForm, services.exchange_deliver),
    "result": (ExchangeResultForm, services.exchange_record_result),
    "cancel": (CancelForm, services.exchange_cancel),
}


@login_required
@require_POST
def exchange_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Answer (home side), or record delivery, result or cancellation (requesting side) of an exchange."""
    exchange = _get_exchange_for_user(request, pk)
    require_manager(request)
    if action not in _ACTIONS:
        raise Http404
    form_class, service = _ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(exchange.get_absolute_url())
    try:
        service(exchange=exchange, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Saved; the partner portal is told (待发送 until it answers)."))
    return redirect(exchange.get_absolute_url())
