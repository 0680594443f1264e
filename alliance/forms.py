"""Forms of the alliance pages: adopting a partner's course."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Topic
from instructors.models import Instructor, User


class AdoptForm(forms.Form):
    """Who leads our copy and under which of our topics it is filed."""

    lead_instructor = forms.ModelChoiceField(queryset=Instructor.objects.none(), label=_("Lead instructor here"))
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), label=_("Topic here"))

    def __init__(self, *args, user: User, topic_name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_instructor"].queryset = Instructor.objects.managed_by(user).order_by("name")
        if topic_name and not self.is_bound:
            self.fields["topic"].initial = Topic.objects.filter(name=topic_name).first()
