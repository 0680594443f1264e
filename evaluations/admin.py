"""Django admin for the evaluation app. Settings and indicator systems that results already use are read-only:
a change is made in a new version, so every stored result keeps pointing at the numbers that produced it."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from evaluations import models as m


class FrozenWhenUsedMixin:
    """Read-only once answers or results refer to the object."""

    def is_used(self, obj) -> bool:  # pragma: no cover - overridden
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj is not None and self.is_used(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and self.is_used(obj))


@admin.register(m.ScoringSettings)
class ScoringSettingsAdmin(FrozenWhenUsedMixin, admin.ModelAdmin):
    list_display = ("version", "is_current", "note", "created_at")

    def is_used(self, obj) -> bool:
        return obj.evaluations.exists()


class IndicatorInline(admin.TabularInline):
    model = m.Indicator
    extra = 0


@admin.register(m.Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ("name", "system", "order")
    list_filter = ("system",)
    inlines = [IndicatorInline]


class DimensionInline(admin.TabularInline):
    model = m.Dimension
    extra = 0
    show_change_link = True


class IndicatorSystemForm(forms.ModelForm):
    """A system can be made current only when its indicator weights add up to exactly 1."""

    class Meta:
        model = m.IndicatorSystem
        fields = ["name", "version", "is_current"]

    def clean(self):
        data = super().clean()
        if data.get("is_current") and self.instance.pk:
            from evaluations.survey.services import indicator_weights_check

            weights = list(m.Indicator.objects.filter(dimension__system=self.instance).values_list("weight", flat=True))
            try:
                indicator_weights_check(weights)
            except ValidationError as exc:
                raise ValidationError({"is_current": exc.messages}) from None
        return data


@admin.register(m.IndicatorSystem)
class IndicatorSystemAdmin(FrozenWhenUsedMixin, admin.ModelAdmin):
    form = IndicatorSystemForm
    list_display = ("name", "version", "is_current", "created_at")
    inlines = [DimensionInline]
    actions = ["copy_to_new_version"]

    def is_used(self, obj) -> bool:
        return obj.in_use

    @admin.action(description=_("Copy to a new version"))
    def copy_to_new_version(self, request, queryset) -> None:
        from evaluations.survey.services import indicator_system_copy

        for system in queryset:
            indicator_system_copy(system=system)


@admin.register(m.Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("lecture", "session", "opens_at", "closes_at", "system", "scoring")
    list_select_related = ("lecture__course", "lecture__instructor", "session", "system", "scoring")
    search_fields = ("lecture__course__title", "lecture__instructor__name", "session__title")
    readonly_fields = ("link_secret",)
    raw_id_fields = ("lecture", "session")


@admin.register(m.SessionResult)
class SessionResultAdmin(admin.ModelAdmin):
    list_display = ("session", "year", "score", "sr", "trainee_n", "insufficient")
    list_filter = ("year", "insufficient")
    list_select_related = ("session",)
    search_fields = ("session__title", "session__teacher")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # results are computed, never edited by hand


@admin.register(m.LectureResult)
class LectureResultAdmin(admin.ModelAdmin):
    list_display = ("lecture", "instructor", "year", "score", "sr", "flag", "insufficient")
    list_filter = ("year", "flag", "insufficient")
    list_select_related = ("lecture__course", "lecture__instructor", "instructor")
    search_fields = ("instructor__name", "course__title")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # results are computed, never edited by hand


@admin.register(m.Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("text", "state", "moderated_by", "moderated_at")
    list_filter = ("state",)
    search_fields = ("text",)


@admin.register(m.RaterAssignment)
class RaterAssignmentAdmin(admin.ModelAdmin):
    list_display = ("evaluation", "role", "user", "name", "score", "submitted_at")
    list_filter = ("role",)
    list_select_related = ("evaluation__lecture__course", "user")
    readonly_fields = ("token",)


@admin.register(m.ResultAction)
class ResultActionAdmin(admin.ModelAdmin):
    list_display = ("kind", "result", "status", "rule", "deadline", "decided_by")
    list_filter = ("kind", "status")
    list_select_related = ("result__lecture__course", "decided_by")


@admin.register(m.FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("lecture", "created_by", "created_at", "due_on", "done")
    list_filter = ("done",)


for model in (
    m.Notification,
    m.ReviewCycle,
    m.ReviewProposal,
    m.ReviewVeto,
    m.AudienceScore,
    m.Competition,
    m.CompetitionResult,
    m.Entry,
    m.JudgeAssignment,
    m.JudgeFlag,
    m.JudgeScore,
    m.PeerScore,
):
    admin.site.register(model)


@admin.register(m.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "dimension", "weight", "order")
    list_filter = ("dimension__system",)


@admin.register(m.LectureAnalysis)
class LectureAnalysisAdmin(admin.ModelAdmin):
    """Read-only: figures come from the engine, recordings are private (no file link here)."""

    list_display = ("pk", "lecture", "session", "instructor", "status", "progress", "speaking_rate", "created_at")
    list_filter = ("status", "kind")
    list_select_related = ("lecture__course", "lecture__instructor", "session", "instructor")
    exclude = ("recording", "result")
    readonly_fields = [f.name for f in m.LectureAnalysis._meta.fields if f.name not in ("recording", "result")]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.PublicComment)
class PublicCommentAdmin(admin.ModelAdmin):
    """The public's comments on column works; moderated in the portal's queue like survey comments."""

    list_display = ("text", "work", "kind", "at_seconds", "state", "moderated_by", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("work", "moderated_by")
    search_fields = ("text", "work__title")
    raw_id_fields = ("work", "moderated_by")


class FieldVisitParticipantsInline(admin.TabularInline):
    model = m.FieldVisitParticipants
    extra = 0


class FieldVisitFindingInline(admin.TabularInline):
    model = m.FieldVisitFinding
    extra = 0
    raw_id_fields = ("dimension",)


@admin.register(m.FieldVisit)
class FieldVisitAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "course", "place", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("course", "recorded_by")
    search_fields = ("place", "course__title")
    raw_id_fields = ("course", "lecture", "recorded_by")
    inlines = [FieldVisitParticipantsInline, FieldVisitFindingInline]


@admin.register(m.FieldVisitParticipants)
class FieldVisitParticipantsAdmin(admin.ModelAdmin):
    list_display = ("visit", "kind", "number")
    list_select_related = ("visit",)


@admin.register(m.FieldVisitFinding)
class FieldVisitFindingAdmin(admin.ModelAdmin):
    list_display = ("visit", "dimension", "text")
    list_select_related = ("visit", "dimension")
