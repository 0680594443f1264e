"""Django admin of the catalog: for system administrators; non-superuser staff see their region only
(core/admin.py)."""

from django.contrib import admin

from core.admin import RegionScopedAdminMixin

from .models import (
    Column,
    ColumnWork,
    Course,
    CourseStatusChange,
    CoursewareVersion,
    PremiumLibraryEntry,
    Rectification,
    Series,
    Topic,
    TrainingProgramme,
    TrainingSession,
    TrainingSignup,
    TrainingWish,
)


class ReadOnlyAdminMixin:
    """Audit rows and immutable versions are written by services only; admin shows them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "created_at")
    search_fields = ("name",)
    autocomplete_fields = ("owner",)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "created_at")
    search_fields = ("name",)
    autocomplete_fields = ("owner",)


class CourseStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CourseStatusChange
    extra = 0
    fields = ("from_status", "to_status", "changed_by", "changed_at", "reason")
    readonly_fields = fields


class CoursewareVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CoursewareVersion
    extra = 0
    fields = ("number", "kind", "size", "original_name", "uploaded_by", "uploaded_at", "note")
    readonly_fields = fields


@admin.register(Course)
class CourseAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("lead_instructor__region__path",)
    list_display = ("title", "topic", "format", "status", "lead_instructor", "group", "updated_at")
    list_filter = ("status", "format", "topic", "series")
    list_select_related = ("topic", "lead_instructor", "group")
    search_fields = ("title", "lead_instructor__name")
    autocomplete_fields = ("topic", "series", "lead_instructor", "co_instructors", "group")
    readonly_fields = ("status", "status_changed_at", "created_at", "updated_at")
    inlines = [CoursewareVersionInline, CourseStatusChangeInline]


@admin.register(CourseStatusChange)
class CourseStatusChangeAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("course__lead_instructor__region__path",)
    list_display = ("course", "from_status", "to_status", "changed_by", "changed_at")
    list_filter = ("to_status",)
    search_fields = ("course__title", "reason")
    list_select_related = ("course", "changed_by")


@admin.register(CoursewareVersion)
class CoursewareVersionAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("course__lead_instructor__region__path",)
    list_display = ("course", "number", "kind", "size", "uploaded_by", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("course__title", "original_name")
    list_select_related = ("course", "uploaded_by")
    readonly_fields = [f.name for f in CoursewareVersion._meta.fields]

    def has_add_permission(self, request) -> bool:
        # Uploads go through the content check of services.courseware_upload.
        return False


@admin.register(Rectification)
class RectificationAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("course__lead_instructor__region__path",)
    list_display = ("course", "status", "deadline", "opened_by", "opened_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("course__title", "reason", "findings")
    list_select_related = ("course", "opened_by")
    raw_id_fields = ("course", "revised_version")
    readonly_fields = ("status",)


@admin.register(PremiumLibraryEntry)
class PremiumLibraryEntryAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("course__lead_instructor__region__path",)
    list_display = ("year", "course", "reason", "source", "added_by", "added_at")
    list_filter = ("year", "reason")
    search_fields = ("course__title", "source")
    list_select_related = ("course", "added_by")
    autocomplete_fields = ("course",)


class ColumnWorkInline(admin.TabularInline):
    model = ColumnWork
    extra = 0
    fields = ("title", "format", "course", "published_on", "is_published", "view_count", "link")
    autocomplete_fields = ("course",)


@admin.register(Column)
class ColumnAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_public", "owner")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
    inlines = [ColumnWorkInline]


@admin.register(ColumnWork)
class ColumnWorkAdmin(admin.ModelAdmin):
    list_display = ("title", "column", "format", "published_on", "is_published", "view_count")
    list_filter = ("column", "format", "is_published")
    search_fields = ("title",)
    list_select_related = ("column",)
    autocomplete_fields = ("course",)


class TrainingSessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 0
    fields = ("title", "topic", "starts_at", "ends_at", "place", "teacher", "capacity")


@admin.register(TrainingProgramme)
class TrainingProgrammeAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("region__path",)
    list_display = ("title", "year", "region", "signup_open", "starts_on", "ends_on")
    list_filter = ("year", "signup_open")
    search_fields = ("title",)
    filter_horizontal = ("topics",)
    autocomplete_fields = ("region",)
    inlines = [TrainingSessionInline]


@admin.register(TrainingSession)
class TrainingSessionAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("programme__region__path",)
    list_display = ("title", "programme", "topic", "starts_at", "place", "teacher", "capacity")
    list_filter = ("programme", "topic")
    search_fields = ("title", "teacher", "place")
    list_select_related = ("programme", "topic")


@admin.register(TrainingSignup)
class TrainingSignupAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("instructor__region__path",)
    list_display = ("session", "instructor", "created_at", "attended")
    list_filter = ("attended", "session__programme")
    search_fields = ("instructor__name", "session__title")
    list_select_related = ("session", "instructor")
    autocomplete_fields = ("instructor",)
    raw_id_fields = ("session",)


@admin.register(TrainingWish)
class TrainingWishAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("instructor__region__path",)
    list_display = ("programme", "topic", "instructor", "created_at")
    list_filter = ("programme", "topic")
    list_select_related = ("programme", "topic", "instructor")
    autocomplete_fields = ("instructor",)
