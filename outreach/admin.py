"""Django admin of outreach: for system administrators; non-superuser staff see their region only and contact
phone numbers masked (core/admin.py)."""

from django.contrib import admin

from core.admin import RegionScopedAdminMixin
from instructors.validators import mask_phone

from .models import (
    BroadcastProgramme,
    BroadcastSchedule,
    Campaign,
    CourseRequest,
    Lecture,
    LecturePhoto,
    Organization,
    PlayLog,
    Station,
)


@admin.register(Organization)
class OrganizationAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("region__path",)
    masked_fields = {"contact_phone": mask_phone}
    list_display = ("name", "type", "county", "region", "member_count")
    list_filter = ("type", "county")
    list_select_related = ("county", "region")
    search_fields = ("name", "contact_name")
    autocomplete_fields = ("region",)

    def save_model(self, request, obj, form, change) -> None:
        # The county is derived from the region; keep it right when an admin moves an organization.
        obj.fill_county()
        super().save_model(request, obj, form, change)


@admin.register(Campaign)
class CampaignAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("region__path",)
    list_display = ("name", "region", "starts_on", "ends_on", "target_lectures", "target_organizations")
    search_fields = ("name",)
    filter_horizontal = ("courses",)
    autocomplete_fields = ("region",)


@admin.register(CourseRequest)
class CourseRequestAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("organization__region__path",)
    list_display = ("organization", "course", "campaign", "preferred_from", "status")
    list_filter = ("status", "campaign")
    list_select_related = ("organization", "course", "campaign")
    raw_id_fields = ("organization", "course")


class LecturePhotoInline(admin.TabularInline):
    model = LecturePhoto
    extra = 0
    readonly_fields = ("uploaded_by", "uploaded_at")


@admin.register(Lecture)
class LectureAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("county__path",)
    """Read-mostly: scheduling and status changes go through the services, which enforce the clash rules."""

    list_display = ("start", "course", "instructor", "organization", "county", "status")
    list_filter = ("status", "county")
    list_select_related = ("course", "instructor", "organization", "county")
    search_fields = ("course__title", "instructor__name", "organization__name")
    date_hierarchy = "start"
    readonly_fields = [f.name for f in Lecture._meta.fields if f.name != "id"]
    inlines = [LecturePhotoInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Station)
class StationAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("region__path",)
    list_display = ("region", "county", "listeners", "installed_on")
    list_filter = ("county",)
    list_select_related = ("region", "county")
    search_fields = ("region__name", "region__code")
    raw_id_fields = ("region",)

    def save_model(self, request, obj, form, change) -> None:
        obj.county = obj.region.county
        super().save_model(request, obj, form, change)


@admin.register(BroadcastProgramme)
class BroadcastProgrammeAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "duration_minutes")
    search_fields = ("title",)
    raw_id_fields = ("work", "course")


@admin.register(PlayLog)
class PlayLogAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("station__region__path",)
    list_display = ("played_at", "station", "programme", "duration_minutes")
    list_select_related = ("station__region", "programme")
    raw_id_fields = ("station", "programme")
    date_hierarchy = "played_at"


@admin.register(LecturePhoto)
class LecturePhotoAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("lecture__county__path",)
    list_display = ("lecture", "uploaded_by", "uploaded_at")
    list_select_related = ("lecture__course", "uploaded_by")
    raw_id_fields = ("lecture",)


@admin.register(BroadcastSchedule)
class BroadcastScheduleAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("region__path",)
    list_display = ("region", "weekday", "time", "programme", "starts_on", "ends_on")
    list_filter = ("weekday",)
    list_select_related = ("region", "programme")
    autocomplete_fields = ("region",)
