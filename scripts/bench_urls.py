"""URLs for the benchmark: the project's own, plus a bare view rendering the base template (the anchor)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path


@login_required
def bare(request):
    return render(request, "base.html", {})


urlpatterns = [path("__bench__/bare/", bare), path("", include("config.urls"))]
