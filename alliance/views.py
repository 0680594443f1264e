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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.errors import error_codes, error_text
from core.permissions import require_manager
from core.views import paginate
from core.xlsx import Sheet, export_filename, xlsx_bytes, xlsx_response
from courses.models import Course
from instructors.models import Instructor
from outreach.forms import CancelForm, DeliverForm

from . import keys, selectors, services, signing
from .forms import (
    AdoptForm,
    EventForm,
    ExchangeAnswerForm,
    ExchangeRequestForm,
    ExchangeResultForm,
    RegistrationForm,
    RegistrationPayloadForm,
    SessionFormSet,
)
from .models import (
    AdoptedCourse,
    ExchangeRequest,
    JointEvent,
    OutboxMessage,
    Partner,
    Registration,
    RemoteCourse,
    RemoteInstructor,
)

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


# --- joint events (联合研讨峰会) ------------------------------------------------------------------------------------


@require_GET
@partner_api
def api_instructors(request: HttpRequest, partner: Partner) -> HttpResponse:
    return JsonResponse(selectors.instructors_feed(), json_dumps_params={"ensure_ascii": False})


@require_GET
@partner_api
def api_events(request: HttpRequest, partner: Partner) -> HttpResponse:
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        return JsonResponse({"code": "bad_since", "error": _("since must be a whole number.")}, status=400)
    page = selectors.event_feed_page(since=since, limit=settings.ALLIANCE_FEED_PAGE)
    return JsonResponse(page, json_dumps_params={"ensure_ascii": False})


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


@require_POST
@partner_api
def api_event_register(request: HttpRequest, partner: Partner, pk: int) -> HttpResponse:
    """A partner portal registers one of its members for an event we host (idempotent by the registration's uid)."""
    event = JointEvent.objects.ours().filter(pk=pk).first()
    if event is None:
        return JsonResponse({"code": "unknown_event", "error": _("No such event is hosted here.")}, status=404)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        data = None
    form = RegistrationPayloadForm(data if isinstance(data, dict) else None)
    if not form.is_valid():
        return JsonResponse({"code": "bad_registration", "error": form.errors.get_json_data()}, status=400)
    fields = form.cleaned_data
    try:
        registration = services.registration_receive(
            event=event, portal=partner, uid=fields["uid"], person_key=fields["person_key"], data=fields
        )
    except ValidationError as exc:
        code = exc.error_list[0].code
        return JsonResponse({"status": code, "code": code, "error": error_text(exc)}, status=409)
    return JsonResponse({"status": registration.status, "uid": str(registration.uid)})


def _get_event_for_user(request: HttpRequest, pk: int) -> JointEvent:
    return get_object_or_404(JointEvent.objects.visible_to(request.user).select_related("partner"), pk=pk)


def _get_managed_event(request: HttpRequest, pk: int) -> JointEvent:
    require_manager(request)
    return get_object_or_404(JointEvent.objects.managed_by(request.user), pk=pk)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, selectors.events_for(request.user))
    return render(request, "alliance/jointevent_list.html", {"page": page, "query": query})


def _member_initial(user) -> dict:
    instructor = getattr(user, "instructor", None)
    role = {"instructor": "instructor", "organizer": "organizer"}.get(user.role, Registration.Role.OTHER)
    return {
        "name": getattr(instructor, "name", "") or str(user),
        "unit": getattr(instructor, "employer", ""),
        "role": role,
    }


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_event_for_user(request, pk)
    mine = Registration.objects.filter(event=event, portal=None, person_key=f"user:{request.user.pk}").first()
    context = {
        "event": event,
        "sessions": selectors.event_agenda(event),
        "mine": mine,
        "form": RegistrationForm(initial=_member_initial(request.user)),
        "can_manage": JointEvent.objects.managed_by(request.user).filter(pk=event.pk).exists(),
    }
    return render(request, "alliance/jointevent_detail.html", context)


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
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_event_for_user(request, pk)
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please fill in your name and employer."))
        return redirect(event.get_absolute_url())
    try:
        registration = services.event_register(event=event, user=request.user, data=form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.info(request, _("Your registration: %(status)s") % {"status": registration.get_status_display()})
    return redirect(event.get_absolute_url())


def _event_form_page(request: HttpRequest, event: JointEvent | None) -> HttpResponse:
    initial = [{f: getattr(s, f) for f in services.SESSION_FIELDS} for s in event.sessions.all()] if event else []
    form = EventForm(request.POST or None, instance=event)
    sessions = SessionFormSet(request.POST or None, initial=initial, prefix="sessions")
    if request.method == "POST" and form.is_valid() and sessions.is_valid():
        rows = [f.cleaned_data for f in sessions.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            event = services.event_save(event=event, data=form.cleaned_data, sessions=rows, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The event was saved."))
            return redirect(event.get_absolute_url())
    return render(request, "alliance/jointevent_form.html", {"event": event, "form": form, "sessions": sessions})


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return _event_form_page(request, None)


@login_required
def event_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form_page(request, _get_managed_event(request, pk))


@login_required
@require_POST
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_managed_event(request, pk)
    try:
        services.event_publish(event=event)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The event is published; partner portals list it at their next pull."))
    return redirect(event.get_absolute_url())


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


@login_required
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_managed_event(request, pk)
    try:
        services.event_cancel(event=event)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The event is cancelled."))
    return redirect(event.get_absolute_url())


@login_required
def registration_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_managed_event(request, pk)
    page, query = paginate(request, selectors.event_registrations(event))
    return render(request, "alliance/registration_list.html", {"event": event, "page": page, "query": query})


@login_required
def registration_export(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_managed_event(request, pk)
    headers = [_("Portal"), _("Name"), _("Employer"), _("Role"), _("Contact"), _("Status"), _("Registered at")]
    rows = (
        [
            r.portal_name,
            r.name,
            r.unit,
            r.get_role_display(),
            r.masked_contact,
            r.get_status_display(),
            f"{timezone.localtime(r.created_at):%Y-%m-%d %H:%M}",
        ]
        for r in selectors.event_registrations(event)
    )
    data = xlsx_bytes(Sheet(title=str(_("Registrations")), headers=[str(h) for h in headers], rows=rows))
    return xlsx_response(data, export_filename(_("registrations")), fallback="registrations.xlsx")
