"""Pages of the alliance for organizers (library, adoption, sharing) and the signed API partner portals call."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.errors import error_text
from core.permissions import require_manager
from core.views import paginate
from courses.models import Course

from . import keys, selectors, services, signing
from .forms import AdoptForm
from .models import AdoptedCourse, Partner, RemoteCourse

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
