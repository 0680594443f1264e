"""Django admin of the registry: for system administrators; non-superuser staff are held to their region
(core/admin.py), see ID and phone numbers masked and cannot grant privileges."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import PrivilegeGuardAdminMixin, RegionScopedAdminMixin, register_superuser_only_groups

from .models import (
    Instructor,
    InstructorStatusChange,
    InstructorYearFigures,
    Region,
    Specialty,
    TeachingGroup,
    TeachingNorm,
    User,
)
from .validators import mask_id_number, mask_phone

register_superuser_only_groups(admin.site)


@admin.register(User)
class UserAdmin(PrivilegeGuardAdminMixin, BaseUserAdmin):
    region_path_lookups = ("region__path", "instructor__region__path")
    list_display = ("username", "display_name", "role", "region", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")
    autocomplete_fields = ("region",)
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Role and scope"), {"fields": ("role", "region", "display_name")}))


@admin.register(Region)
class RegionAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("path",)
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


class StatusChangeInline(admin.TabularInline):
    model = InstructorStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "changed_by", "changed_at", "reason")

    def has_add_permission(self, request, obj=None) -> bool:
        # Status changes are made on the instructor's page through the audited service.
        return False


@admin.register(Instructor)
class InstructorAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("region__path",)
    masked_fields = {"id_number": mask_id_number, "phone": mask_phone}
    list_display = ("name", "tier", "status", "region", "employer", "updated_at")
    list_filter = ("tier", "status", "groups", "specialties")
    list_select_related = ("region",)
    search_fields = ("name", "pinyin_key", "pinyin_initials", "employer", "phone", "id_number")
    autocomplete_fields = ("region", "user")
    filter_horizontal = ("groups", "specialties")
    readonly_fields = ("status", "status_changed_at", "pinyin", "created_at", "updated_at")
    inlines = [StatusChangeInline]
    ordering = ("pinyin", "pk")


@admin.register(InstructorStatusChange)
class InstructorStatusChangeAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("instructor__region__path",)
    list_display = ("instructor", "from_status", "to_status", "changed_by", "changed_at")
    list_filter = ("to_status",)
    search_fields = ("instructor__name", "reason")
    list_select_related = ("instructor", "changed_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TeachingGroup)
class TeachingGroupAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("region__path",)
    list_display = ("name", "region", "leader")
    search_fields = ("name",)
    autocomplete_fields = ("region", "leader")


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(TeachingNorm)
class TeachingNormAdmin(admin.ModelAdmin):
    list_display = ("year", "tier", "min_lectures", "min_hours", "min_quality")
    list_filter = ("year", "tier")


@admin.register(InstructorYearFigures)
class InstructorYearFiguresAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    region_path_lookups = ("instructor__region__path",)
    list_display = ("instructor", "year", "lectures", "hours", "quality")
    list_filter = ("year",)
    search_fields = ("instructor__name",)
    list_select_related = ("instructor",)
