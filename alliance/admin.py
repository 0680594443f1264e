"""Django admin of the alliance: administrators register partner portals, suspend them and see how pulls went."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import keys, services
from .models import (
    AdoptedCourse,
    EventSession,
    ExchangeRequest,
    ExchangeStatusChange,
    JointEvent,
    OutboxMessage,
    Partner,
    Registration,
    RemoteCourse,
    RemoteInstructor,
    SharedCourse,
    SharedInstructor,
)


class SuperuserOnly:
    """Partners and what came from them concern the whole portal, not a region: superusers only."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(Partner)
class PartnerAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("name", "base_url", "status", "last_success_at", "failures", "next_pull_at")
    list_filter = ("status",)
    readonly_fields = (
        "key_id",
        "feed_stamp",
        "events_stamp",
        "last_pull_at",
        "last_success_at",
        "last_error",
        "failures",
        "next_pull_at",
    )
    fields = ("name", "base_url", "public_key", "status", *readonly_fields)
    actions = ("suspend", "reactivate")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "our_public_key": keys.public_key_text(), "our_key_id": keys.key_id()}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description=_("Suspend the selected partners"))
    def suspend(self, request, queryset):
        for partner in queryset:
            services.partner_set_status(partner=partner, status=Partner.Status.SUSPENDED)

    @admin.action(description=_("Make the selected partners active again"))
    def reactivate(self, request, queryset):
        for partner in queryset:
            services.partner_set_status(partner=partner, status=Partner.Status.ACTIVE)


class ReadOnly(SuperuserOnly, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RemoteCourse)
class RemoteCourseAdmin(ReadOnly):
    list_display = ("title", "partner", "courseware_version", "withdrawn", "updated_at")
    list_filter = ("partner", "withdrawn")


@admin.register(SharedCourse)
class SharedCourseAdmin(ReadOnly):
    list_display = ("course", "shared", "stamp", "shared_at")
    list_select_related = ("course",)


@admin.register(AdoptedCourse)
class AdoptedCourseAdmin(ReadOnly):
    list_display = ("course", "source", "source_version", "adopted_at")
    list_select_related = ("course", "source__partner")


@admin.register(JointEvent)
class JointEventAdmin(ReadOnly):
    """Organizers manage events on the portal's pages; the admin only looks."""

    list_display = ("title", "partner", "starts_on", "status", "capacity", "stamp")
    list_filter = ("status", "partner")
    list_select_related = ("partner",)


@admin.register(EventSession)
class EventSessionAdmin(ReadOnly):
    list_display = ("title", "event", "starts_at", "speaker", "room")
    list_select_related = ("event",)


@admin.register(Registration)
class RegistrationAdmin(ReadOnly):
    """Without the contact: the registrations page shows it masked, the admin not at all."""

    list_display = ("name", "unit", "event", "portal", "status", "attempts", "created_at")
    list_filter = ("status", "portal")
    list_select_related = ("event", "portal")
    exclude = ("contact",)


@admin.register(SharedInstructor)
class SharedInstructorAdmin(ReadOnly):
    list_display = ("instructor", "shared", "shared_at")
    list_select_related = ("instructor",)


@admin.register(RemoteInstructor)
class RemoteInstructorAdmin(ReadOnly):
    list_display = ("name", "partner", "tier", "withdrawn", "updated_at")
    list_filter = ("partner", "withdrawn")
    list_select_related = ("partner",)


@admin.register(ExchangeRequest)
class ExchangeRequestAdmin(ReadOnly):
    """Exchanges change only through their pages and the partners' signed messages, every change audited."""

    list_display = ("uuid", "partner", "direction", "status")
    list_filter = ("direction", "status", "partner")
    list_select_related = ("partner",)


@admin.register(ExchangeStatusChange)
class ExchangeStatusChangeAdmin(ReadOnly):
    list_display = ("exchange", "from_status", "to_status", "changed_at")
    list_select_related = ("exchange",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly):
    list_display = ("exchange", "kind", "attempts", "next_attempt_at", "sent_at", "refused")
    list_filter = ("kind", "refused")
    list_select_related = ("exchange",)
