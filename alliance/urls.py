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
    path("instructors/", views.remote_instructor_list, name="remote_instructor_list"),
    path("instructors/<int:pk>/request/", views.exchange_create, name="exchange_create"),
    path("instructors/shared/", views.instructor_shared_list, name="instructor_shared_list"),
    path("instructors/shared/<int:pk>/", views.instructor_share, name="instructor_share"),
    path("exchanges/", views.exchange_list, name="exchange_list"),
    path("exchanges/<int:pk>/", views.exchange_detail, name="exchange_detail"),
    path("exchanges/<int:pk>/<str:action>/", views.exchange_act, name="exchange_act"),
    path("api/instructors/", views.api_instructors, name="api_instructors"),
    path("api/exchanges/", views.api_exchanges, name="api_exchanges"),
    path("api/exchanges/<uuid:key>/<str:kind>/", views.api_exchange_message, name="api_exchange_message"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_update, name="event_update"),
    path("events/<int:pk>/publish/", views.event_publish, name="event_publish"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/registrations/", views.registration_list, name="registration_list"),
    path("events/<int:pk>/registrations/export/", views.registration_export, name="registration_export"),
    path("api/events/", views.api_events, name="api_events"),
    path("api/events/<int:pk>/register/", views.api_event_register, name="api_event_register"),
    path("api/courses/", views.api_courses, name="api_courses"),
    path("api/courseware/<str:token>/", views.api_courseware, name="api_courseware"),
]
