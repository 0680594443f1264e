"""The evaluation app's URLs: one list per sub-package, under the one namespace "evaluations"."""

from django.urls import include, path

app_name = "evaluations"

urlpatterns = [
    path("", include("evaluations.survey.urls")),
    path("", include("evaluations.results.urls")),
    path("", include("evaluations.review.urls")),
    path("", include("evaluations.competition.urls")),
    path("", include("evaluations.analysis.urls")),
    path("", include("evaluations.feedback.urls")),
]
