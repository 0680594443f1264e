from django.urls import path

from . import views

app_name = "alliance"

urlpatterns = [
    path("", views.library, name="library"),
    path("courses/<int:pk>/", views.remote_course_detail, name="remote_course_detail"),
    path("adopted/<int:pk>/update/", views.adoption_update, name="adoption_update"),
    path("shared/", views.shared_list, name="shared_list"),
    path("shared/<int:pk>/", views.course_share, name="course_share"),
    path("key/", views.our_key, name="our_key"),
    path("api/courses/", views.api_courses, name="api_courses"),
    path("api/courseware/<str:token>/", views.api_courseware, name="api_courseware"),
]
