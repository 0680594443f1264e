"""The phone survey, the named rater's form and the assignment of raters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from evaluations.models import Evaluation, Indicator, RaterRole
from evaluations.survey.selectors import rater_candidates
from instructors.models import Region, User
from outreach.models import Lecture

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
    # The time the form was served, signed by the server (``survey_started_token``); required by the service.
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
    user = forms.ModelChoiceField(
        label=_("Account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Organizers, instructors and judges of the lecture's city."),
    )
    name = forms.CharField(label=_("Name (rater without an account)"), max_length=60, required=False)

    def __init__(self, *args, evaluation: Evaluation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = rater_candidates(evaluation) if evaluation.lecture_id else User.objects.none()
        self.fields["user"].label_from_instance = lambda u: f"{u} · {u.get_role_display()}"

    def clean(self):
        data = super().clean()
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose an account or give the rater's name."), code="rater_identity")
        return data


class AttendanceForm(forms.Form):
    """How many people are in the room: sheets beyond 1.1 times it are held until the organizer accepts them."""

    attendance = forms.IntegerField(
        label=_("Attendance"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Sheets beyond 1.1 times it are held as 待核实 until you accept them."),
    )


class LectureFilterForm(forms.Form):
    """Search and filters of the lecture list of 评价."""

    STATES = [
        ("", _("Any state")),
        ("none", _("Evaluation not opened")),
        ("upcoming", _("Survey not yet open")),
        ("open", _("Survey open")),
        ("closed", _("Survey closed")),
    ]
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    county = forms.ModelChoiceField(label=_("County"), queryset=Region.objects.none(), required=False)
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none(), required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        lectures = Lecture.objects.visible_to(user)
        counties = Region.objects.filter(level=Region.Level.COUNTY)
        if not user.is_admin and user.region_id:
            counties = counties.within(user.region)
        self.fields["county"].queryset = counties.order_by("path")
        self.fields["course"].queryset = Course.objects.filter(pk__in=lectures.values("course")).order_by("title")
        self.fields["county"].empty_label = _("All counties")
        self.fields["course"].empty_label = _("All courses")
