"""URLs of results, 我的评价, moderation, consequences and training-session results."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.result_list, name="result_list"),
    path("results.xlsx", views.result_export, name="result_export"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/<int:pk>/follow-up/", views.follow_up_create, name="follow_up_create"),
    path("mine/", views.my_ratings, name="my_ratings"),
    path("rules/", views.scoring_rules, name="scoring_rules"),
    path("<int:pk>/compute/", views.evaluation_compute, name="evaluation_compute"),
    path("training/", views.session_list, name="session_list"),
    path("training/results/<int:pk>/", views.session_result_detail, name="session_result_detail"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/decide/", views.action_decide, name="action_decide"),
]
