"""URL patterns of the review and the competition; evaluations/urls.py appends them (app_name "evaluations")."""

from django.urls import path

from . import views_competition, views_review

urlpatterns_extra = [
    path("reviews/", views_review.review_cycle_list, name="review_cycle_list"),
    path("reviews/new/", views_review.review_cycle_create, name="review_cycle_create"),
    path("reviews/<int:pk>/", views_review.review_cycle_detail, name="review_cycle_detail"),
    path("reviews/<int:pk>/progress/", views_review.review_cycle_progress, name="review_cycle_progress"),
    path("reviews/<int:pk>/start/", views_review.review_cycle_start, name="review_cycle_start"),
    path("reviews/<int:pk>/approve/", views_review.review_proposals_approve, name="review_proposals_approve"),
    path("reviews/proposals/<int:pk>/", views_review.review_proposal_detail, name="review_proposal_detail"),
    path("reviews/proposals/<int:pk>/decide/", views_review.review_proposal_decide, name="review_proposal_decide"),
    path("reviews/vetoes/", views_review.review_veto_list, name="review_veto_list"),
    path("reviews/vetoes/new/", views_review.review_veto_create, name="review_veto_create"),
    path("reviews/vetoes/<int:pk>/revoke/", views_review.review_veto_revoke, name="review_veto_revoke"),
    path("reviews/mine/", views_review.review_my_outcomes, name="review_my_outcomes"),
    path("notifications/", views_review.notification_list, name="notification_list"),
    path("notifications/read/", views_review.notification_read, name="notification_read"),
    path("competitions/", views_competition.competition_list, name="competition_list"),
    path("competitions/<int:pk>/", views_competition.competition_detail, name="competition_detail"),
    path("competitions/<int:pk>/score/", views_competition.competition_score, name="competition_score"),
    path("competitions/<int:pk>/rank/", views_competition.competition_rank, name="competition_rank"),
    path("competitions/<int:pk>/advance/", views_competition.competition_advance, name="competition_advance"),
    path("competitions/<int:pk>/judges/", views_competition.competition_judge_assign, name="competition_judge_assign"),
    path("competitions/<int:pk>/peer/", views_competition.competition_peer, name="competition_peer"),
    path("competitions/<int:pk>/audience/", views_competition.competition_audience, name="competition_audience"),
    path("competitions/<int:pk>/results/", views_competition.competition_results, name="competition_results"),
    path("certificates/<int:pk>/", views_competition.competition_certificate, name="competition_certificate"),
]
