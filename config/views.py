"""The home page: what the signed-in person needs first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from courses.selectors import course_summary, rectifications_overdue
from evaluations.selectors import action_list, moderation_queue
from instructors.selectors import registry_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.can_manage_registry:
        context = {
            "summary": registry_summary(user),
            "courses": course_summary(user),
            "overdue": rectifications_overdue(user)[:10],
            "pending_comments": moderation_queue(user=user).count(),
            "pending_actions": action_list(user=user).count(),
        }
        return render(request, "home.html", context)
    if hasattr(user, "instructor"):
        return redirect("instructors:instructor_me")
    return render(request, "home.html", {"summary": None})
