"""The public's comment form on a work page, and the organizer's record of a forum or field visit."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import (
    DANMAKU_MAX_CHARS,
    MESSAGE_MAX_CHARS,
    Dimension,
    FieldVisit,
    FieldVisitParticipants,
    PublicComment,
)


class PublicCommentForm(forms.Form):
    """Length and moment are checked by the service (with codes), so that a form and a forged request meet the same
    rules; the form only carries the fields."""

    kind = forms.ChoiceField(choices=PublicComment.Kind.choices, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Comment"), required=False, strip=False)
    at_seconds = forms.CharField(label=_("Moment (seconds from the start)"), required=False)

    def __init__(self, *args, kind: str = PublicComment.Kind.DANMAKU, **kwargs):
        kwargs.setdefault("auto_id", f"{kind}-%s")  # both forms share one page: their ids must differ
        super().__init__(*args, **kwargs)
        self.initial.setdefault("kind", kind)
        limit = DANMAKU_MAX_CHARS if kind == PublicComment.Kind.DANMAKU else MESSAGE_MAX_CHARS
        self.fields["text"].widget = (
            forms.TextInput(attrs={"maxlength": limit, "autocomplete": "off"})
            if kind == PublicComment.Kind.DANMAKU
            else forms.Textarea(attrs={"rows": 3, "maxlength": limit})
        )
        if kind == PublicComment.Kind.MESSAGE:
            del self.fields["at_seconds"]
        else:
            self.fields["at_seconds"].widget = forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})


class FieldVisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldVisit.Kind.choices)
    lecture = forms.ModelChoiceField(label=_("Lecture"), queryset=None, required=False)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=120)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)

    def __init__(self, *args, lectures, dimensions: list[Dimension], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecture"].queryset = lectures
        self.fields["lecture"].label_from_instance = lambda lecture: (
            f"{timezone.localtime(lecture.start):%Y-%m-%d} {lecture.organization or ''}"
        )
        self.participant_fields = []
        for value, label in FieldVisitParticipants.Kind.choices:
            name = f"p_{value}"
            self.fields[name] = forms.IntegerField(label=label, required=False, min_value=1, max_value=100000)
            self.participant_fields.append(name)
        self.finding_fields = []
        for dimension in dimensions:
            name = f"d_{dimension.pk}"
            self.fields[name] = forms.CharField(
                label=dimension.name, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.finding_fields.append(name)

    def participant_rows(self) -> list:
        return [self[name] for name in self.participant_fields]

    def finding_rows(self) -> list:
        return [self[name] for name in self.finding_fields]

    def participants(self) -> dict[str, int | None]:
        return {name[2:]: self.cleaned_data.get(name) for name in self.participant_fields}

    def findings(self) -> dict[int, str]:
        return {int(name[2:]): self.cleaned_data.get(name) or "" for name in self.finding_fields}
