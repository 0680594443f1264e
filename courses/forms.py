"""Forms of the catalog: validation and layout only; views hand cleaned data to services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.status import StatusChangeForm
from instructors.images import clean_image_upload
from instructors.models import Instructor, TeachingGroup, User

from .courseware import HELP_TEXT, clean_courseware_upload
from .models import Course, Rectification, Series, Topic, TrainingSignup

COURSEWARE_ACCEPT = ".pptx,.pdf,.docx,.mp4,.mp3"


class CourseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=Topic.objects.none())
    series = forms.ModelChoiceField(label=_("Series"), required=False, queryset=Series.objects.none())
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("All formats")), *Course.Format.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Course.Status.choices]
    )
    group = forms.ModelChoiceField(label=_("Group"), required=False, queryset=TeachingGroup.objects.none())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.order_by("name")
        self.fields["topic"].empty_label = _("All topics")
        self.fields["series"].queryset = Series.objects.order_by("name")
        self.fields["series"].empty_label = _("All series")
        self.fields["group"].queryset = TeachingGroup.objects.visible_to(user).order_by("name")
        self.fields["group"].empty_label = _("All groups")
        self.fields["q"].widget.attrs["placeholder"] = _("Title, summary or instructor")


class MenuFilterForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=Topic.objects.none())
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("All formats")), *Course.Format.choices]
    )
    min_minutes = forms.IntegerField(label=_("At least (minutes)"), required=False, min_value=0, max_value=1000)
    max_minutes = forms.IntegerField(label=_("At most (minutes)"), required=False, min_value=0, max_value=1000)
    tier = forms.ChoiceField(
        label=_("Instructor tier"), required=False, choices=[("", _("All tiers")), *Instructor.Tier.choices]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.order_by("name")
        self.fields["topic"].empty_label = _("All topics")


class CourseForm(forms.ModelForm):
    """The organizer's form for a catalog entry."""

    class Meta:
        model = Course
        fields = [
            "title",
            "summary",
            "topic",
            "series",
            "format",
            "duration_minutes",
            "audience",
            "lead_instructor",
            "co_instructors",
            "group",
            "cover",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "co_instructors": forms.SelectMultiple(attrs={"size": 6}),
            "cover": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        help_texts = {
            "cover": _("JPEG, PNG or WebP, at most 5 MB and 6000×6000 pixels. Location data (EXIF) is removed."),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = Instructor.objects.visible_to(user).in_pool().order_by("pinyin", "pk")
        self.fields["lead_instructor"].queryset = people
        self.fields["co_instructors"].queryset = people
        self.fields["co_instructors"].required = False
        self.fields["group"].queryset = TeachingGroup.objects.visible_to(user).order_by("name")
        self.fields["topic"].queryset = Topic.objects.order_by("name")
        self.fields["series"].queryset = Series.objects.order_by("name")

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        self.new_cover = clean_image_upload(cover) if cover and hasattr(cover, "content_type") else None
        return self.instance.cover

    def clean(self) -> dict:
        data = super().clean()
        lead, co = data.get("lead_instructor"), data.get("co_instructors")
        if lead and co and lead in co:
            self.add_error("co_instructors", _("The lead instructor cannot also be a co-instructor."))
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "cover"}
        data["cover"] = getattr(self, "new_cover", None)
        return data


class CourseStatusForm(StatusChangeForm):
    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, obj=course, **kwargs)

    def allowed(self, obj: Course) -> tuple[str, ...]:
        # Rectification is entered and left through its own pages (findings, deadline, decision).
        if obj.status == Course.Status.RECTIFICATION:
            return ()
        return tuple(value for value in obj.allowed_transitions() if value != Course.Status.RECTIFICATION)


class CoursewareUploadForm(forms.Form):
    file = forms.FileField(label=_("Courseware file"), help_text=HELP_TEXT)
    note = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = COURSEWARE_ACCEPT

    def clean_file(self):
        upload = self.cleaned_data["file"]
        clean_courseware_upload(upload)
        return upload


class RectificationOpenForm(forms.ModelForm):
    class Meta:
        model = Rectification
        fields = ["reason", "findings", "deadline"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.Textarea(attrs={"rows": 4}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."), code="deadline_past")
        return deadline


class RectificationSubmitForm(CoursewareUploadForm):
    note = forms.CharField(label=_("What you revised"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class RectificationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Re-approve: the course goes back on the menu")), ("retire", _("Retire the course"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, rectification: Rectification, **kwargs) -> None:
        # The submit form on the same page also has a "note": its own ids keep the page's ids unique.
        kwargs.setdefault("auto_id", "id_decide_%s")
        super().__init__(*args, **kwargs)
        if not rectification.can_decide:
            self.fields["decision"].choices = [("retire", _("Retire the course"))]


class RectificationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Rectification.Status.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class PremiumAddForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    source = forms.CharField(label=_("Why"), max_length=200, help_text=_("E.g. the selection meeting and its date."))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.managed_by(user).orderable().order_by("title")


class AttendanceForm(forms.Form):
    attended = forms.ModelMultipleChoiceField(
        label=_("Attended"),
        queryset=TrainingSignup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, signups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = signups
        self.fields["attended"].label_from_instance = lambda signup: str(signup.instructor)
