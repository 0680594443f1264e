"""URLs for the benchmark: the project's own, plus bare views (the anchors) rendering the base template."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import include, path
from django.views.decorators.http import require_http_methods


@login_required
def bare(request):
    return render(request, "base.html", {})


@require_http_methods(["GET", "POST"])
def bare_post(request):
    """The floor of a survey submission: the same middleware (sessions, CSRF), a form page, a redirect; no work."""
    if request.method == "POST":
        return redirect("/__bench__/post/")
    return render(request, "base.html", {})


urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/post/", bare_post),
    path("", include("config.urls")),
]
