"""Forms of outreach: validation and layout only; views hand cleaned data to services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.params import YEAR_MAX, YEAR_MIN
from courses.models import Course
from instructors.models import Instructor, Region, User

from .models import Campaign, CourseRequest, Lecture, Organization
from .selectors import counties_for, scope_regions


class _CountyFilter(forms.Form):
    county = forms.ModelChoiceField(label=_("County"), required=False, queryset=Region.objects.none())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties_for(user)
        self.fields["county"].empty_label = _("All counties")


class OrganizationFilterForm(_CountyFilter):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Organization.Type.choices]
    )


class LectureFilterForm(_CountyFilter):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Lecture.Status.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *CourseRequest.Status.choices]
    )


class CourseRequestForm(forms.Form):
    """An organizer enters an organization's order (点单) from the course menu."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    preferred_from = forms.DateField(label=_("Preferred from"), widget=forms.DateInput(attrs={"type": "date"}))
    preferred_to = forms.DateField(label=_("Preferred until"), widget=forms.DateInput(attrs={"type": "date"}))
    expected_audience = forms.IntegerField(label=_("Expected audience"), min_value=1, max_value=5000)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.visible_to(user).order_by("name")
        # The user's course menu: orderable courses they may see (never another county's catalogue).
        visible = Course.objects.visible_to(user).values("pk")
        self.fields["course"].queryset = Course.objects.orderable().filter(pk__in=visible).order_by("title")
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("preferred_from") and data.get("preferred_to") and data["preferred_to"] < data["preferred_from"]:
            self.add_error("preferred_to", _("The last preferred day is before the first."))
        return data


def _iso_date() -> forms.DateInput:
    """A date picker: the browser's date input reads only ISO dates, whatever the locale's display format."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _clock() -> forms.TimeInput:
    return forms.TimeInput(format="%H:%M", attrs={"type": "time"})


class DispatchTimeForm(forms.Form):
    """The time a lecture is to take place, for 查看空闲师资 (sent by GET: it only reads)."""

    date = forms.DateField(label=_("Date"), widget=_iso_date())
    start_time = forms.TimeField(label=_("Starts"), widget=_clock())
    end_time = forms.TimeField(label=_("Ends"), widget=_clock())

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.") % {"first": YEAR_MIN, "last": YEAR_MAX},
                code="date_range",
            )
        return day

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date") and data.get("start_time") and data.get("end_time"):
            tz = timezone.get_current_timezone()
            data["start"] = timezone.make_aware(dt.datetime.combine(data["date"], data["start_time"]), tz)
            data["end"] = timezone.make_aware(dt.datetime.combine(data["date"], data["end_time"]), tz)
            if data["end"] <= data["start"]:
                self.add_error("end_time", _("The lecture must end after it starts."))
        return data

    def interval(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """(start, end) of the time entered, or of the proposed one before anything is entered; (None, None) for a
        time that is not valid: suggestions are then ranked without a time."""
        data = self.data if self.is_bound else {key: str(value) for key, value in self.initial.items()}
        check = DispatchTimeForm(data)
        if check.is_valid():
            return check.cleaned_data["start"], check.cleaned_data["end"]
        return None, None

    def chosen(self) -> dict:
        """The time as entered (or proposed), to carry into the dispatch form."""
        if self.is_bound and self.is_valid():
            return {key: self.cleaned_data[key] for key in ("date", "start_time", "end_time")}
        return dict(self.initial)


class DispatchForm(DispatchTimeForm):
    """The organizer's choice of instructor for a request, at the time checked above it (carried as hidden fields)."""

    instructor = forms.ModelChoiceField(label=_("Instructor"), queryset=Instructor.objects.none())
    venue = forms.CharField(label=_("Venue (room, address)"), required=False, max_length=120)
    field_order = ["instructor", "date", "start_time", "end_time", "venue"]

    def __init__(self, *args, candidates, **kwargs) -> None:
        # Its own element ids: the time form above it on the same page has fields of the same names.
        kwargs.setdefault("auto_id", "dispatch_%s")
        super().__init__(*args, **kwargs)
        self.fields["instructor"].queryset = candidates.select_related("region").order_by("pinyin", "pk")
        self.fields["instructor"].label_from_instance = self._label
        self.fields["instructor"].empty_label = _("Choose an instructor of this course")
        for name in ("date", "start_time", "end_time"):
            self.fields[name].widget = forms.HiddenInput(attrs={"data-dispatch-time": name})

    def dispatch_data(self) -> dict:
        """What services.request_dispatch takes from the form."""
        return {key: self.cleaned_data[key] for key in ("instructor", "start", "end", "venue")}

    @staticmethod
    def _label(instructor: Instructor) -> str:
        return f"{instructor.name}（{instructor.get_tier_display()} · {instructor.region.name}）"


class DeliverForm(forms.Form):
    attendance = forms.IntegerField(label=_("Actual attendance"), min_value=0, max_value=5000)
    hours = forms.DecimalField(label=_("Teaching hours"), min_value=0.5, max_value=12, decimal_places=1)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.none())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scope_regions(user)
        self.fields["region"].empty_label = _("Everything I am responsible for")
