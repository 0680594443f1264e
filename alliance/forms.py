"""Forms of the alliance pages: adopting a partner's course, joint events with their agenda, and registrations (the
member's form and the payload a partner portal posts)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Topic
from instructors.models import Instructor, User
from outreach.forms import DispatchTimeForm

from .models import EventSession, JointEvent, Registration


class AdoptForm(forms.Form):
    """Who leads our copy and under which of our topics it is filed."""

    lead_instructor = forms.ModelChoiceField(queryset=Instructor.objects.none(), label=_("Lead instructor here"))
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), label=_("Topic here"))

    def __init__(self, *args, user: User, topic_name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_instructor"].queryset = Instructor.objects.managed_by(user).order_by("name")
        if topic_name and not self.is_bound:
            self.fields["topic"].initial = Topic.objects.filter(name=topic_name).first()


class ExchangeRequestForm(DispatchTimeForm):
    """What we ask a partner's instructor for: one of the shared courses they give, when and where."""

    course = forms.TypedChoiceField(label=_("Course"), coerce=int)
    place = forms.CharField(label=_("Place (our venue and address)"), max_length=120)
    audience_expected = forms.IntegerField(label=_("Expected audience"), min_value=0, max_value=100000, initial=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["course", "date", "start_time", "end_time", "place", "audience_expected", "note"]

    def __init__(self, *args, courses: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [(c["id"], c["title"]) for c in courses]


class ExchangeAnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        coerce=lambda value: value == "1",
        choices=[("1", _("Accept")), ("0", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason or message"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExchangeResultForm(forms.Form):
    """The result of the evaluation we ran where the trainees sat: only the score and its explanation travel."""

    score = forms.DecimalField(label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=2)
    explanation = forms.CharField(label=_("Explanation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    trainees = forms.IntegerField(label=_("Trainees who answered"), min_value=0, max_value=100000)


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    """An event of ours: what partners list."""

    class Meta:
        model = JointEvent
        fields = ["title", "theme", "starts_on", "ends_on", "place", "description", "registration_deadline", "capacity"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "registration_deadline": DATETIME,
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class SessionForm(forms.ModelForm):
    """One agenda item."""

    class Meta:
        model = EventSession
        fields = ["starts_at", "title", "speaker", "room"]
        widgets = {"starts_at": DATETIME}


SessionFormSet = forms.formset_factory(SessionForm, extra=3, can_delete=True, max_num=100)


class RegistrationForm(forms.ModelForm):
    """A member's registration: who, from which unit, in which role, and a contact for the host only."""

    class Meta:
        model = Registration
        fields = ["name", "unit", "role", "contact"]
        help_texts = {"contact": _("Sent to the host portal only, and shown there masked.")}


class RegistrationPayloadForm(RegistrationForm):
    """What a partner portal posts for one of its members (checked like the member's own form)."""

    uid = forms.UUIDField()
    person_key = forms.CharField(max_length=64)

    class Meta(RegistrationForm.Meta):
        fields = [*RegistrationForm.Meta.fields, "person_key"]

    def validate_unique(self) -> None:
        """Duplicates are the service's business: a retry answers the stored registration."""
