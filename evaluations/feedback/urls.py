"""URLs of the public's comments on column works, their moderation and reading, and forums and field visits."""

from django.urls import path

from . import views

urlpatterns = [
    path("works/<int:pk>/", views.work_public, name="work_public"),
    path("works/<int:pk>/comment/", views.work_comment, name="work_comment"),
    path("works/<int:pk>/danmaku.json", views.work_danmaku, name="work_danmaku"),
    path("works/<int:pk>/feedback/", views.work_feedback, name="work_feedback"),
    path("columns/<slug:slug>/feedback/", views.column_feedback, name="column_feedback"),
    path("public-comments/<int:pk>/moderate/", views.public_comment_moderate, name="public_comment_moderate"),
    path("courses/<int:pk>/feedback/", views.course_feedback, name="course_feedback"),
    path("courses/<int:pk>/visits/new/", views.field_visit_create, name="field_visit_create"),
]
