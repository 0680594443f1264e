"""Filters, moderation, follow-ups and decisions on consequences."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import Comment


class ModerationForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in Comment.State.choices if c[0] != Comment.State.PENDING],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class DecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=_("Decision"), choices=[(1, _("Confirm")), (0, _("Dismiss"))], coerce=lambda v: v in (1, "1", True)
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class FollowUpForm(forms.Form):
    feedback = forms.CharField(label=_("Feedback given to the instructor"), widget=forms.Textarea(attrs={"rows": 3}))
    improvement = forms.CharField(label=_("Improvement agreed"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Check again by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ResultFilterForm(forms.Form):
    q = forms.CharField(label=_("Instructor or course"), required=False, max_length=60)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    # Set by the profile's link "all results of this instructor"; the list's own scope still applies.
    instructor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    flag = forms.ChoiceField(
        label=_("Flag"), required=False, choices=[("", _("All")), ("yellow", _("Yellow")), ("red", _("Red"))]
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-date", _("Newest first")),
            ("date", _("Oldest first")),
            ("-score", _("Highest score")),
            ("score", _("Lowest score")),
        ],
    )
