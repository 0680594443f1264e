"""URLs of the 十佳课程擂台赛."""

from django.urls import path

from . import views

urlpatterns = [
    path("competitions/", views.competition_list, name="competition_list"),
    path("competitions/<int:pk>/", views.competition_detail, name="competition_detail"),
    path("competitions/<int:pk>/score/", views.competition_score, name="competition_score"),
    path("competitions/assignments/<int:pk>/recuse/", views.competition_recuse, name="competition_recuse"),
    path("competitions/<int:pk>/rank/", views.competition_rank, name="competition_rank"),
    path("competitions/<int:pk>/advance/", views.competition_advance, name="competition_advance"),
    path("competitions/<int:pk>/judges/", views.competition_judge_assign, name="competition_judge_assign"),
    path("competitions/<int:pk>/peer/", views.competition_peer, name="competition_peer"),
    path("competitions/<int:pk>/audience/", views.competition_audience, name="competition_audience"),
    path("competitions/<int:pk>/results/", views.competition_results, name="competition_results"),
    path("certificates/<int:pk>/", views.competition_certificate, name="competition_certificate"),
]
