"""Django admin for system administrators, safe for staff accounts that are not superusers.

The admin is for system administrators (superusers), who see and change everything. A staff account that is not a
superuser (an organizer given some admin permissions, say) is held to what the portal itself allows it:

- **Region scope**: every admin that uses ``RegionScopedAdminMixin`` shows such a user only the rows under the
  user's own region (``request.user.region.path``, a materialised path "51/5111/…/"); a staff account without a
  region sees no rows at all. Choices of foreign keys and many-to-many fields are cut to the same scope wherever
  the related model's admin is scoped too, so a row cannot be moved out of scope or pointed at another county's.
- **Masked numbers**: ID card and mobile numbers are shown masked and are not editable; they cannot be searched.
- **No privileges**: fields that grant power (superuser, staff, roles, regions, groups, permissions) are read-only,
  staff and superuser accounts are not listed at all (nobody can change a more powerful account's password), and
  groups (bundles of permissions) are changed by superusers only.

Each app's admin declares where its region path is (``region_path_lookups``) and which fields hold personal
numbers (``masked_fields``, with the app's own masking functions), so this module imports no app.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core.models import ExportRecord, ImportJob

Mask = Callable[[str], str]


def is_system_admin(request: HttpRequest) -> bool:
    """Full admin rights: active superusers only."""
    return bool(request.user.is_active and request.user.is_superuser)


def staff_region_path(request: HttpRequest) -> str | None:
    """The region path a non-superuser staff account is held to, or None when it has no region."""
    region = getattr(request.user, "region", None)
    return getattr(region, "path", None) or None


class RegionScopedAdminMixin:
    """Region-scoped querysets, masked personal numbers and cut foreign-key choices for non-superuser staff.

    ``region_path_lookups``: lookups to a region's materialised path (``"region__path"``,
    ``"course__lead_instructor__region__path"``); a row is in scope when any of them starts with the user's path.
    An empty tuple means the model is not regional (topics, norms …): its rows are governed by permissions only.
    ``masked_fields``: ``{"id_number": mask_id_number}``: shown masked, never editable or searchable.
    """

    region_path_lookups: tuple[str, ...] = ()
    masked_fields: dict[str, Mask] = {}

    # --- rows -------------------------------------------------------------------------------------------------------

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if is_system_admin(request) or not self.region_path_lookups:
            return queryset
        path = staff_region_path(request)
        if path is None:
            return queryset.none()
        condition = Q()
        for lookup in self.region_path_lookups:
            condition |= Q(**{f"{lookup}__startswith": path})
        scoped = queryset.filter(condition)
        return scoped.distinct() if len(self.region_path_lookups) > 1 else scoped

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    # --- choices of related rows ------------------------------------------------------------------------------------

    def _scoped_choices(self, db_field, request: HttpRequest) -> QuerySet | None:
        if is_system_admin(request):
            return None
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if isinstance(related_admin, RegionScopedAdminMixin) and related_admin.region_path_lookups:
            return related_admin.get_queryset(request)
        return None

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        choices = self._scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        choices = self._scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- masked numbers ---------------------------------------------------------------------------------------------

    def _masked_display(self, field_name: str) -> Callable:
        """One callable per field and admin (the admin's templates compare readonly fields by identity)."""
        cache = self.__dict__.setdefault("_masked_displays", {})
        if field_name not in cache:
            mask = self.masked_fields[field_name]

            def display(obj) -> str:
                return mask(getattr(obj, field_name, "") or "")

            display.short_description = self.model._meta.get_field(field_name).verbose_name
            display.__name__ = f"masked_{field_name}"
            cache[field_name] = display
        return cache[field_name]

    def get_exclude(self, request: HttpRequest, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not is_system_admin(request):
            exclude += [name for name in self.masked_fields if name not in exclude]
        return exclude or None

    def get_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_fields(request, obj))
        if is_system_admin(request) or not self.masked_fields:
            return fields
        return [field for field in fields if field not in self.masked_fields]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_system_admin(request):
            readonly += [self._masked_display(name) for name in self.masked_fields]
        return readonly

    def get_list_display(self, request: HttpRequest):
        shown = list(super().get_list_display(request))
        if is_system_admin(request):
            return shown
        return [self._masked_display(item) if item in self.masked_fields else item for item in shown]

    def get_search_fields(self, request: HttpRequest):
        fields = list(super().get_search_fields(request))
        if is_system_admin(request):
            return fields
        return [field for field in fields if field.lstrip("^=@").split("__")[-1] not in self.masked_fields]


class PrivilegeGuardAdminMixin(RegionScopedAdminMixin):
    """For the user admin: non-superusers never see staff or superuser accounts and cannot change what grants
    power (``privilege_fields``), neither on themselves nor on anyone else; they cannot add accounts either."""

    privilege_fields: tuple[str, ...] = ("is_superuser", "is_staff", "groups", "user_permissions", "role", "region")

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        queryset = super().scope_queryset(request, queryset)
        if is_system_admin(request):
            return queryset
        return queryset.filter(is_staff=False, is_superuser=False)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_system_admin(request):
            readonly += [name for name in self.privilege_fields if name not in readonly]
        return readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request) and super().has_add_permission(request)


class SuperuserOnlyChangesAdminMixin:
    """Only superusers add, change or delete these rows (auth groups: bundles of permissions)."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_system_admin(request)


def register_superuser_only_groups(site: admin.AdminSite) -> None:
    """Re-register django.contrib.auth's Group admin so that only superusers change groups."""
    from django.contrib.auth.admin import GroupAdmin
    from django.contrib.auth.models import Group

    if site.is_registered(Group):
        site.unregister(Group)

    class GuardedGroupAdmin(SuperuserOnlyChangesAdminMixin, GroupAdmin):
        pass

    site.register(Group, GuardedGroupAdmin)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Large imports run by a worker: read-only, for an administrator who wants to see what ran and how it ended.

    The uploaded file can hold ID and phone numbers: only superusers see these rows."""

    list_display = ("title", "status", "processed", "total", "created_by", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Exports that carried full ID card and phone numbers: read-only (a record nobody may edit or delete), for
    superusers; administrators of the portal also read them at /exports/full/."""

    list_display = ("created_at", "created_by_name", "title", "row_count", "purpose")
    list_filter = ("export",)
    search_fields = ("created_by_name", "purpose")
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
