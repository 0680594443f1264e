"""Django admin for the care app. What decides something (money paid, applications decided, terms ended) is
read-only here: those changes go through the services, which keep the ledger and the audit fields; the admin's own
history (LogEntry) records any edit that remains. Counselling details are never shown in the admin."""

from django.contrib import admin

from . import models as m


class ReadOnlyDecisionsMixin:
    """Decisions are made on the portal's pages (through the services), not by editing rows."""

    decision_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.decision_fields)


class FundEntryInline(admin.TabularInline):
    model = m.FundEntry
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "amount", "balance_after", "nomination", "note", "by", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.AwardFund)
class AwardFundAdmin(ReadOnlyDecisionsMixin, admin.ModelAdmin):
    list_display = ("name", "region", "year", "budget", "balance")
    list_filter = ("year",)
    decision_fields = ("budget", "balance", "created_by")
    inlines = [FundEntryInline]


@admin.register(m.FundEntry)
class FundEntryAdmin(admin.ModelAdmin):
    list_display = ("fund", "kind", "amount", "balance_after", "by", "at")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = m.AwardCriterion
    extra = 0


@admin.register(m.AwardRound)
class AwardRoundAdmin(admin.ModelAdmin):
    list_display = ("name", "fund", "status", "default_amount")
    list_filter = ("status",)
    inlines = [CriterionInline]


@admin.register(m.AwardCriterion)
class AwardCriterionAdmin(admin.ModelAdmin):
    list_display = ("round", "figure", "minimum")


@admin.register(m.Nomination)
class NominationAdmin(ReadOnlyDecisionsMixin, admin.ModelAdmin):
    list_display = ("instructor", "round", "status", "amount", "decided_by", "decided_at")
    list_filter = ("status",)
    search_fields = ("instructor__name",)
    decision_fields = ("status", "amount", "decided_by", "decided_at", "reason", "figures")


@admin.register(m.Honour)
class HonourAdmin(admin.ModelAdmin):
    list_display = ("instructor", "title", "level", "conferred_on", "recorded_by")
    list_filter = ("level",)
    search_fields = ("instructor__name", "title")


class PriorityEntryInline(admin.TabularInline):
    model = m.PriorityEntry
    extra = 0
    readonly_fields = ("instructor", "rank", "points", "reasons")


@admin.register(m.PriorityList)
class PriorityListAdmin(ReadOnlyDecisionsMixin, admin.ModelAdmin):
    list_display = ("region", "year", "kind", "generated_at")
    decision_fields = ("generated_by", "generated_at")
    inlines = [PriorityEntryInline]


@admin.register(m.PriorityEntry)
class PriorityEntryAdmin(admin.ModelAdmin):
    list_display = ("priority_list", "rank", "instructor", "points")


@admin.register(m.StudyProgramme)
class StudyProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "year", "seats", "approved_count", "apply_until")
    list_filter = ("kind", "year")


@admin.register(m.StudyApplication)
class StudyApplicationAdmin(ReadOnlyDecisionsMixin, admin.ModelAdmin):
    list_display = ("instructor", "programme", "status", "decided_by", "credits")
    list_filter = ("status",)
    decision_fields = ("status", "decided_by", "decided_at", "reason")


@admin.register(m.InternalPost)
class InternalPostAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "group", "term_years")


@admin.register(m.Appointment)
class AppointmentAdmin(ReadOnlyDecisionsMixin, admin.ModelAdmin):
    list_display = ("post", "instructor", "starts_on", "term_ends_on", "ended_on")
    decision_fields = ("post", "instructor", "ended_on", "end_reason", "appointed_by", "ended_by")


class GoalInline(admin.TabularInline):
    model = m.CareerGoal
    extra = 0


@admin.register(m.CareerPlan)
class CareerPlanAdmin(admin.ModelAdmin):
    list_display = ("instructor", "year", "agreed_by", "agreed_on")
    inlines = [GoalInline]


@admin.register(m.CareerGoal)
class CareerGoalAdmin(admin.ModelAdmin):
    list_display = ("plan", "figure", "target")


@admin.register(m.Counsellor)
class CounsellorAdmin(admin.ModelAdmin):
    list_display = ("user", "region", "active")


@admin.register(m.CounsellingTalk)
class CounsellingTalkAdmin(admin.ModelAdmin):
    list_display = ("title", "counsellor", "starts_at", "place", "capacity")


@admin.register(m.CounsellingBooking)
class CounsellingBookingAdmin(admin.ModelAdmin):
    """Counts and scheduling only: who booked and what they said stay between the instructor and the counsellor."""

    list_display = ("pk", "kind", "counsellor", "wanted_at", "status")
    list_filter = ("kind", "status")
    fields = ("kind", "counsellor", "talk", "wanted_at", "status")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(m.GreetingText)
class GreetingTextAdmin(admin.ModelAdmin):
    list_display = ("occasion", "subject", "updated_by", "updated_at")


@admin.register(m.Greeting)
class GreetingAdmin(admin.ModelAdmin):
    list_display = ("instructor", "occasion", "year", "sent_on", "emailed")
    list_filter = ("occasion", "year")

    def has_change_permission(self, request, obj=None) -> bool:
        return False
