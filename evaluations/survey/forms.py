"""The phone survey, the named rater's form and the assignment of raters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import Indicator, RaterRole
from instructors.models import User

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
            raise forms.ValidationError(_("Choose an account or give the rater's name."), code="rater_identity")
        return data
