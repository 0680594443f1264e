"""Forms of the registry: validation and layout only; views hand cleaned data to services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.status import StatusChangeForm as BaseStatusChangeForm

from .images import clean_image_upload
from .models import Instructor, Region, Specialty, TeachingGroup, User
from .selectors import regions_for_filter


class InstructorFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Instructor.Tier.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            ("in_pool", _("In the pool (active or on probation)")),
            *Instructor.Status.choices,
        ],
    )
    group = forms.ModelChoiceField(label=_("Group"), required=False, queryset=TeachingGroup.objects.none())
    specialty = forms.ModelChoiceField(label=_("Specialty"), required=False, queryset=Specialty.objects.none())
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.none())
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("pinyin", _("Name (pinyin A–Z)")),
            ("-pinyin", _("Name (pinyin Z–A)")),
            ("tier", _("Tier")),
            ("-updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = TeachingGroup.objects.visible_to(user).order_by("name")
        self.fields["group"].empty_label = _("All groups")
        self.fields["specialty"].queryset = Specialty.objects.order_by("name")
        self.fields["specialty"].empty_label = _("All specialties")
        self.fields["region"].queryset = regions_for_filter(user)
        self.fields["region"].empty_label = _("All regions")
        self.fields["q"].widget.attrs["placeholder"] = _("Name, pinyin initials (zs) or employer")


class InstructorForm(forms.ModelForm):
    """The organizer's form for a registry record."""

    class Meta:
        model = Instructor
        fields = [
            "name",
            "gender",
            "id_number",
            "phone",
            "employer",
            "post",
            "tier",
            "region",
            "groups",
            "specialties",
            "joined_on",
            "biography",
            "photo",
        ]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}),
            "groups": forms.CheckboxSelectMultiple,
            "specialties": forms.CheckboxSelectMultiple,
            "biography": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        help_texts = {
            "photo": _("JPEG, PNG or WebP, at most 5 MB and 6000×6000 pixels. Location data (EXIF) is removed."),
            "id_number": _("18 characters; checked against the national check digit."),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.all() if user.is_admin else Region.objects.within(user.region)
        self.fields["region"].queryset = regions.order_by("path")
        self.fields["groups"].queryset = TeachingGroup.objects.visible_to(user).order_by("name")
        self.fields["specialties"].queryset = Specialty.objects.order_by("name")
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"

    def clean_id_number(self) -> str:
        return (self.cleaned_data.get("id_number") or "").strip().upper()

    def clean_photo(self):
        return _clean_photo(self)

    def service_data(self) -> dict:
        return _service_data(self)


class InstructorSelfForm(forms.ModelForm):
    """What an instructor may change on their own record."""

    class Meta:
        model = Instructor
        fields = ["post", "specialties", "biography", "photo"]
        widgets = {
            "specialties": forms.CheckboxSelectMultiple,
            "biography": forms.Textarea(attrs={"rows": 6}),
            "photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        help_texts = InstructorForm.Meta.help_texts

    def clean_photo(self):
        return _clean_photo(self)

    def service_data(self) -> dict:
        return _service_data(self)


def _clean_photo(form: forms.ModelForm):
    """Decode and clean a new upload; the instance keeps its stored photo until the service replaces it."""
    photo = form.cleaned_data.get("photo")
    form.new_photo = clean_image_upload(photo) if photo and hasattr(photo, "content_type") else None
    return form.instance.photo


def _service_data(form: forms.ModelForm) -> dict:
    data = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "photo"}
    data["photo"] = getattr(form, "new_photo", None)
    return data


class StatusChangeForm(BaseStatusChangeForm):
    def __init__(self, *args, instructor: Instructor, **kwargs) -> None:
        super().__init__(*args, obj=instructor, **kwargs)
