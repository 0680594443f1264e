from django.urls import path

from . import views

app_name = "instructors"

urlpatterns = [
    path("", views.instructor_list, name="instructor_list"),
    path("me/", views.instructor_me, name="instructor_me"),
    path("new/", views.instructor_create, name="instructor_create"),
    path("import/", views.instructor_import, name="instructor_import"),
    path("export.xlsx", views.instructor_export, name="instructor_export"),
    path("export/full/", views.instructor_export_full, name="instructor_export_full"),
    path("<int:pk>/", views.instructor_detail, name="instructor_detail"),
    path("<int:pk>/photo/", views.instructor_photo, name="instructor_photo"),
    path("<int:pk>/photo/thumbnail/", views.instructor_thumbnail, name="instructor_thumbnail"),
    path("<int:pk>/edit/", views.instructor_update, name="instructor_update"),
    path("<int:pk>/status/", views.instructor_status_change, name="instructor_status_change"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
]
