from django.urls import path

from . import views, views_sessions
from .urls_extra import urlpatterns_extra

app_name = "evaluations"

urlpatterns = [
    path("", views.result_list, name="result_list"),
    path("results.xlsx", views.result_export, name="result_export"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/<int:pk>/follow-up/", views.follow_up_create, name="follow_up_create"),
    path("mine/", views.my_ratings, name="my_ratings"),
    path("assignments/", views.my_assignments, name="my_assignments"),
    path("lectures/", views.lecture_list, name="lecture_list"),
    path("lectures/<int:lecture_pk>/open/", views.evaluation_open, name="evaluation_open"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/poster/", views.evaluation_poster, name="evaluation_poster"),
    path("<int:pk>/assign/", views.evaluation_assign, name="evaluation_assign"),
    path("<int:pk>/compute/", views.evaluation_compute, name="evaluation_compute"),
    path("training/", views_sessions.session_list, name="session_list"),
    path("training/<int:session_pk>/open/", views_sessions.session_evaluation_open, name="session_evaluation_open"),
    path("training/results/<int:pk>/", views_sessions.session_result_detail, name="session_result_detail"),
    path("s/<str:token>/", views.survey, name="survey"),
    path("s/<str:token>/thanks/", views.survey_thanks, name="survey_thanks"),
    path("rate/<str:token>/", views.rate, name="rate"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/decide/", views.action_decide, name="action_decide"),
]

urlpatterns += urlpatterns_extra
