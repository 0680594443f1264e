from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.annual_report, name="annual_report"),
    path("report.xlsx", views.annual_report_export, name="annual_report_export"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/import/", views.organization_import, name="organization_import"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/dispatch/", views.request_dispatch, name="request_dispatch"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("lectures/", views.lecture_list, name="lecture_list"),
    path("lectures/<int:pk>/", views.lecture_detail, name="lecture_detail"),
    path("lectures/<int:pk>/photos/<int:photo_pk>/", views.lecture_photo, name="lecture_photo"),
    path("lectures/<int:pk>/confirm/", views.lecture_confirm, name="lecture_confirm"),
    path("lectures/<int:pk>/deliver/", views.lecture_deliver, name="lecture_deliver"),
    path("lectures/<int:pk>/close/", views.lecture_close, name="lecture_close"),
    path("lectures/<int:pk>/cancel/", views.lecture_cancel, name="lecture_cancel"),
    path("calendar/", views.calendar, name="calendar"),
    path("my/", views.my_schedule, name="my_schedule"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical_feed"),
    path("ical/reset/", views.ical_reset, name="ical_reset"),
    path("loudspeakers/", views.station_list, name="station_list"),
    path("loudspeakers/plays/", views.loudspeaker_report, name="loudspeaker_report"),
    path("loudspeakers/import/", views.playlog_import, name="playlog_import"),
]
