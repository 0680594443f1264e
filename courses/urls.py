from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("menu/", views.course_menu, name="course_menu"),
    path("new/", views.course_create, name="course_create"),
    path("export.xlsx", views.course_export, name="course_export"),
    path("<int:pk>/", views.course_detail, name="course_detail"),
    path("<int:pk>/edit/", views.course_update, name="course_update"),
    path("<int:pk>/status/", views.course_status_change, name="course_status_change"),
    path("<int:pk>/courseware/", views.courseware_upload, name="courseware_upload"),
    path("<int:pk>/courseware/download/", views.courseware_download, name="courseware_download"),
    path("<int:pk>/cover/", views.course_cover, name="course_cover"),
    path("<int:pk>/rectify/", views.rectification_create, name="rectification_create"),
    path("topics/", views.topic_list, name="topic_list"),
    path("series/", views.series_list, name="series_list"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/submit/", views.rectification_submit, name="rectification_submit"),
    path("rectifications/<int:pk>/decide/", views.rectification_decide, name="rectification_decide"),
    path("premium/", views.premium_list, name="premium_list"),
    path("premium/add/", views.premium_create, name="premium_create"),
    path("premium/export.xlsx", views.premium_export, name="premium_export"),
    path("columns/", views.column_list, name="column_list"),
    path("columns/<slug:slug>/", views.column_public, name="column_public"),
    path("training/", views.training_programme_list, name="training_programme_list"),
    path("training/<int:pk>/", views.training_programme_detail, name="training_programme_detail"),
    path("training/<int:pk>/wish/<int:topic_pk>/", views.training_wish_toggle, name="training_wish_toggle"),
    path("training/sessions/<int:pk>/", views.training_session_detail, name="training_session_detail"),
    path("training/sessions/<int:pk>/attendance/", views.training_attendance, name="training_attendance"),
    path("training/sessions/<int:pk>/signup/", views.training_signup, name="training_signup"),
    path("training/sessions/<int:pk>/cancel/", views.training_signup_cancel, name="training_signup_cancel"),
]
