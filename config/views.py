"""The home page: what the signed-in person needs first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from care.selectors import for_instructor
from courses.selectors import course_summary, rectifications_overdue
from evaluations.results.selectors import action_list, moderation_queue
from instructors.selectors import registry_summary

CAP = 999


def _capped_count(qs) -> str:
    """A backlog tile: the exact number up to 999, else "999+". Counting a province's whole backlog (100,000
    proposals) took 44 ms of a 70 ms page; the list page it links to counts them exactly."""
    n = qs.select_related(None).order_by()[: CAP + 1].count()
    return f"{CAP}+" if n > CAP else str(n)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (expired page, blocked cookies): the portal's Chinese page with a way back, nothing saved."""
    return render(request, "403_csrf.html", status=403)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.can_manage_registry:
        context = {
            "summary": registry_summary(user),
            "courses": course_summary(user),
            "overdue": rectifications_overdue(user)[:10],
            "pending_comments": _capped_count(moderation_queue(user=user)),
            "pending_actions": _capped_count(action_list(user=user)),
        }
        return render(request, "home.html", context)
    instructor = getattr(user, "instructor", None)
    if instructor is not None:
        # What is *for* the instructor first: open study programmes, awards, greetings (the profile is one click on).
        return render(
            request, "home.html", {"summary": None, "instructor": instructor, "mine": for_instructor(instructor)}
        )
    return render(request, "home.html", {"summary": None})
