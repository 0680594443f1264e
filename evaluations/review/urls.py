"""URLs of the admit/retire review, vetoes and notifications."""

from django.urls import path

from . import views

urlpatterns = [
    path("reviews/", views.review_cycle_list, name="review_cycle_list"),
    path("reviews/new/", views.review_cycle_create, name="review_cycle_create"),
    path("reviews/<int:pk>/", views.review_cycle_detail, name="review_cycle_detail"),
    path("reviews/<int:pk>/progress/", views.review_cycle_progress, name="review_cycle_progress"),
    path("reviews/<int:pk>/start/", views.review_cycle_start, name="review_cycle_start"),
    path("reviews/<int:pk>/approve/", views.review_proposals_approve, name="review_proposals_approve"),
    path("reviews/proposals/<int:pk>/", views.review_proposal_detail, name="review_proposal_detail"),
    path("reviews/proposals/<int:pk>/decide/", views.review_proposal_decide, name="review_proposal_decide"),
    path("reviews/vetoes/", views.review_veto_list, name="review_veto_list"),
    path("reviews/vetoes/new/", views.review_veto_create, name="review_veto_create"),
    path("reviews/vetoes/<int:pk>/revoke/", views.review_veto_revoke, name="review_veto_revoke"),
    path("reviews/mine/", views.review_my_outcomes, name="review_my_outcomes"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
]
