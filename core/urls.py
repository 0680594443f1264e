from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("imports/<uuid:pk>/", views.import_job, name="import_job"),
    path("exports/full/", views.export_record_list, name="export_record_list"),
]
