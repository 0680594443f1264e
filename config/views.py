"""The home page: what the signed-in person needs first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from instructors.selectors import registry_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.can_manage_registry:
        return render(request, "home.html", {"summary": registry_summary(user)})
    if hasattr(user, "instructor"):
        return redirect("instructors:instructor_me")
    return render(request, "home.html", {"summary": None})
