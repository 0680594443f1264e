"""URLs of 授课分析 (lecture-recording analysis)."""

from django.urls import path

from . import views

urlpatterns = [
    path("analysis/lecture/<int:pk>/new/", views.analysis_lecture_new, name="analysis_lecture_new"),
    path("analysis/session/<int:pk>/new/", views.analysis_session_new, name="analysis_session_new"),
    path("analysis/<int:pk>/", views.analysis_detail, name="analysis_detail"),
    path("analysis/<int:pk>/recording/", views.analysis_recording, name="analysis_recording"),
    path("analysis/<int:pk>/sections/", views.analysis_sections, name="analysis_sections"),
    path("analysis/<int:pk>/retry/", views.analysis_retry, name="analysis_retry"),
]
