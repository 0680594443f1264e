"""Forms of the review pages: cycles, decisions, vetoes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from evaluations.models import ReviewCycle, ReviewProposal
from instructors.models import Region


class CycleForm(forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("Region"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ReviewCycle.Kind.choices)
    period_start = forms.DateField(label=gettext_lazy("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=gettext_lazy("Period until"), widget=forms.DateInput(attrs={"type": "date"}))
    due_at = forms.DateTimeField(
        label=gettext_lazy("Runs at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(level__lte=Region.Level.COUNTY)
        if not user.is_admin:
            regions = regions.within(user.region)
        self.fields["region"].queryset = regions


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[("", gettext_lazy("As proposed"))] + ReviewProposal.Outcome.choices,
        required=False,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class VetoForm(forms.Form):
    instructor = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for lifting"), max_length=1000)
