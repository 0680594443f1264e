"""Forms of the care pages: validation and layout only; the views hand cleaned data to the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instructors.models import Instructor, Region, TeachingGroup, User

from .models import (
    AwardFund,
    CareerPlan,
    Counsellor,
    Figure,
    GreetingText,
    Honour,
    InternalPost,
    PriorityList,
    StudyProgramme,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _regions(user: User):
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    return qs if user.is_admin else qs.within(user.region)


def _instructors(user: User):
    return Instructor.objects.visible_to(user).in_pool().select_related("region")


class FundForm(forms.ModelForm):
    class Meta:
        model = AwardFund
        fields = ["region", "year", "name", "budget"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)
        self.fields["year"].initial = timezone.localdate().year


class AmountForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("E.g. 年度优秀师资, 课程创新奖, 学员满意奖."))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    default_amount = forms.DecimalField(label=_("Default amount (yuan)"), max_digits=10, decimal_places=2)


class CriterionForm(forms.Form):
    figure = forms.ChoiceField(label=_("Figure"), choices=[("", "—"), *Figure.choices], required=False)
    minimum = forms.DecimalField(label=_("At least"), max_digits=8, decimal_places=2, required=False)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=4, max_num=8)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Award")), ("0", _("Do not award"))],
        coerce=lambda value: value == "1",
    )
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=10, decimal_places=2, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class HonourForm(forms.ModelForm):
    class Meta:
        model = Honour
        fields = ["instructor", "title", "level", "conferred_by", "conferred_on"]
        widgets = {"conferred_on": DATE}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructor"].queryset = _instructors(user)


class PriorityForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("List"), choices=PriorityList.Kind.choices)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)
        self.fields["year"].initial = timezone.localdate().year


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = StudyProgramme
        fields = [
            "region",
            "name",
            "kind",
            "partner",
            "description",
            "year",
            "seats",
            "credits",
            "apply_until",
            "min_quality",
            "min_years_in_pool",
        ]
        widgets = {"apply_until": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)
        self.fields["year"].initial = timezone.localdate().year


class ApplyForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why you want to take part"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class ApplicationDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda value: value == "1"
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
    credits = forms.DecimalField(label=_("Credits earned"), max_digits=5, decimal_places=1)
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=40, required=False)


class PostForm(forms.ModelForm):
    class Meta:
        model = InternalPost
        fields = ["region", "name", "group", "term_years", "duties"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)
        self.fields["group"].queryset = TeachingGroup.objects.visible_to(user).filter(leader_post__isnull=True)


class AppointForm(forms.Form):
    instructor = forms.ModelChoiceField(label=_("Instructor"), queryset=Instructor.objects.none())
    starts_on = forms.DateField(label=_("Term starts"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, post: InternalPost, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        qs = _instructors(user)
        if post.group_id:
            qs = qs.filter(groups=post.group_id)
        self.fields["instructor"].queryset = qs


class EndTermForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_("E.g. term expired, resigned."))


class PlanForm(forms.Form):
    instructor = forms.ModelChoiceField(label=_("Instructor"), queryset=Instructor.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    direction = forms.CharField(
        label=_("Development direction"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user: User, plan: CareerPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructor"].queryset = _instructors(user)
        self.fields["year"].initial = timezone.localdate().year
        if plan is not None:
            self.fields["instructor"].disabled = True
            self.fields["year"].disabled = True


class GoalForm(forms.Form):
    figure = forms.ChoiceField(label=_("Figure"), choices=[("", "—"), *Figure.choices], required=False)
    target = forms.DecimalField(label=_("Target"), max_digits=8, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


GoalFormSet = forms.formset_factory(GoalForm, extra=3, max_num=8)


class BookingForm(forms.Form):
    counsellor = forms.ModelChoiceField(label=_("Counsellor"), queryset=Counsellor.objects.none())
    wanted_at = forms.DateTimeField(
        label=_("Preferred time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    concern = forms.CharField(
        label=_("What you would like to talk about (only the counsellor reads this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, instructor: Instructor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = (
            Counsellor.objects.open_to(instructor).filter(active=True).select_related("user")
        )


class BookingUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[])
    note = forms.CharField(label=_("Counsellor's note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class GreetingTextForm(forms.ModelForm):
    class Meta:
        model = GreetingText
        fields = ["subject", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"text": _("{name} is replaced by the instructor's name, {years} by the years in the pool.")}
