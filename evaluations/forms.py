"""Forms of the evaluation app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from instructors.models import User

from .models import Comment, Indicator, RaterRole

SATISFACTION_CHOICES = [
    (4, _("Very satisfied")),
    (3, _("Satisfied")),
    (2, _("Fairly satisfied")),
    (1, _("Dissatisfied")),
]


class SurveyForm(forms.Form):
    """The trainee's phone form: 1–5 per indicator, overall satisfaction, an optional comment."""

    satisfaction = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with this lecture?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments or suggestions (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicators: list[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"i{indicator.pk}"] = forms.TypedChoiceField(
                label=indicator.question,
                choices=[(v, str(v)) for v in range(1, 6)],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )

    def values(self) -> dict[int, int]:
        return {i.pk: self.cleaned_data[f"i{i.pk}"] for i in self.indicators if self.cleaned_data.get(f"i{i.pk}")}


class RaterForm(forms.Form):
    """A named rater's 0–100 score per indicator."""

    def __init__(self, *args, indicators: list[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"i{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name}：{indicator.question}",
                min_value=0,
                max_value=100,
                decimal_places=2,
                required=False,
            )

    def values(self) -> dict:
        return {
            i.pk: self.cleaned_data[f"i{i.pk}"]
            for i in self.indicators
            if self.cleaned_data.get(f"i{i.pk}") is not None
        }


class AssignRaterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[c for c in RaterRole.choices if c[0] != RaterRole.TRAINEE])
    user = forms.ModelChoiceField(label=_("Account"), queryset=User.objects.none(), required=False)
    name = forms.CharField(label=_("Name (rater without an account)"), max_length=60, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")

    def clean(self):
        data = super().clean()
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose an account or give the rater's name."))
        return data


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
