"""URLs of opening evaluations and of the survey pages trainees and named raters answer on."""

from django.urls import path

from . import views

urlpatterns = [
    path("lectures/", views.lecture_list, name="lecture_list"),
    path("lectures/<int:lecture_pk>/open/", views.evaluation_open, name="evaluation_open"),
    path("training/<int:session_pk>/open/", views.session_evaluation_open, name="session_evaluation_open"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/poster/", views.evaluation_poster, name="evaluation_poster"),
    path("<int:pk>/assign/", views.evaluation_assign, name="evaluation_assign"),
    path("<int:pk>/live/", views.evaluation_live, name="evaluation_live"),
    path("<int:pk>/link/rotate/", views.evaluation_link_rotate, name="evaluation_link_rotate"),
    path("<int:pk>/link/poster/", views.evaluation_poster_link, name="evaluation_poster_link"),
    path("<int:pk>/attendance/", views.evaluation_attendance, name="evaluation_attendance"),
    path("<int:pk>/held/accept/", views.evaluation_held_accept, name="evaluation_held_accept"),
    path("q/<int:pk>/<str:code>/", views.survey_short, name="survey_short"),
    path("assignments/", views.my_assignments, name="my_assignments"),
    path("s/<str:token>/", views.survey, name="survey"),
    path("s/<str:token>/thanks/", views.survey_thanks, name="survey_thanks"),
    path("rate/<str:token>/", views.rate, name="rate"),
]
