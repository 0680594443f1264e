"""Formsets of the competition's multi-row pages: a judge's scores, a group's peer scores, the audience's votes.

Each row carries the id of its entry (or assignment) in a hidden field, so a row is matched by id, never by its
position on the page; a row that names an id outside the page's own list is refused. Rows left empty are skipped.
The 0–100 range is the services' one check (``score_in_range``); the forms only turn text into numbers.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from evaluations.competition.services import score_in_range
from evaluations.models import Entry, JudgeAssignment, JudgeScore


def _score_field(label: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=6,
        decimal_places=2,
        validators=[score_in_range],
        error_messages={"invalid": _l("Enter a number."), "max_decimal_places": _l("At most two decimals.")},
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 100, "step": "0.01"}),
    )


class _RowFormSet(forms.BaseFormSet):
    """A formset whose rows each name one object of ``objects`` (by pk, in the hidden field ``key``)."""

    key = "entry"

    def __init__(self, *args, objects: list, editable=True, **kwargs):
        """``editable``: True/False for every row, or a function of the row's object (a judge's closed round)."""
        self.objects = {obj.pk: obj for obj in objects}
        self.editable = editable
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if callable(self.editable):
            obj = self.objects.get((self.initial or [{}] * (index + 1))[index].get(self.key))
            kwargs["editable"] = obj is not None and self.editable(obj)
        else:
            kwargs["editable"] = self.editable
        return kwargs

    def clean(self) -> None:
        seen = set()
        for form in self.forms:
            pk = form.cleaned_data.get(self.key)
            if pk not in self.objects or pk in seen:
                raise ValidationError(_("The page is out of date; please reload it."), code="stale_rows")
            seen.add(pk)
            form.obj = self.objects[pk]

    def filled(self) -> list:
        """(object, cleaned data) of the rows that were filled in."""
        return [(form.obj, form.cleaned_data) for form in self.forms if form.editable and form.is_filled()]

    def row_errors(self) -> list[str]:
        """Every error, each named by its row (No. 3 course: …)."""
        named = []
        for form in self.forms:
            obj = self.objects.get(_int(form, self.key))
            for errors in form.errors.values():
                named += [f"{_row_name(obj)}: {error}" if obj else str(error) for error in errors]
        return named + list(self.non_form_errors())


def _int(form: forms.Form, name: str) -> int | None:
    try:
        return int(form.data.get(form.add_prefix(name), ""))
    except ValueError:
        return None


def _row_name(obj) -> str:
    entry = obj.entry if isinstance(obj, JudgeAssignment) else obj
    return _("No. %(n)s %(course)s") % {"n": entry.number, "course": entry.course}


class _RowForm(forms.Form):
    def __init__(self, *args, editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.editable = editable
        self._disable()

    def _disable(self) -> None:
        """A row that cannot be changed shows its stored values and ignores what the browser sends."""
        if not self.editable:
            for name, field in self.fields.items():
                if name not in ("entry", "assignment"):
                    field.disabled = True


class PeerScoreForm(_RowForm):
    """One group's score of one other group's entry."""

    entry = forms.IntegerField(widget=forms.HiddenInput)
    value = _score_field(_l("Score (0–100)"))

    def is_filled(self) -> bool:
        return self.cleaned_data.get("value") is not None


class AudienceScoreForm(_RowForm):
    """How many in the audience voted for one entry and their mean score; both or neither."""

    entry = forms.IntegerField(widget=forms.HiddenInput)
    n = forms.IntegerField(
        label=_l("Votes"),
        required=False,
        min_value=0,
        error_messages={"invalid": _l("Enter a whole number."), "min_value": _l("The number cannot be negative.")},
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 0, "step": 1}),
    )
    mean = _score_field(_l("Mean score"))

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("n") is None) != (data.get("mean") is None) and not self.errors:
            raise ValidationError(
                _("Give both the number of votes (a whole number) and their mean."), code="votes_incomplete"
            )
        return data

    def is_filled(self) -> bool:
        return self.cleaned_data.get("n") is not None


class JudgeScoreForm(_RowForm):
    """A judge's scores of one entry, one field per criterion; all criteria or none."""

    assignment = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion, label in JudgeScore.Criterion.choices:
            self.fields[criterion] = _score_field(label)
        self._disable()

    def clean(self) -> dict:
        data = super().clean()
        given = [data.get(c) is not None for c in JudgeScore.Criterion.values]
        if any(given) and not all(given) and not self.errors:
            raise ValidationError(_("Please score every criterion."), code="criteria_incomplete")
        return data

    def is_filled(self) -> bool:
        return all(self.cleaned_data.get(c) is not None for c in JudgeScore.Criterion.values)

    def scores(self) -> dict[str, Decimal]:
        return {c: self.cleaned_data[c] for c in JudgeScore.Criterion.values}


class _AssignmentFormSet(_RowFormSet):
    key = "assignment"


PeerScoreFormSet = forms.formset_factory(PeerScoreForm, formset=_RowFormSet, extra=0)
AudienceScoreFormSet = forms.formset_factory(AudienceScoreForm, formset=_RowFormSet, extra=0)
JudgeScoreFormSet = forms.formset_factory(JudgeScoreForm, formset=_AssignmentFormSet, extra=0)


def rows_initial(objects: list[Entry | JudgeAssignment], values: dict, key: str = "entry") -> list[dict]:
    """Initial data of a formset: one row per object, with its stored values."""
    return [{key: obj.pk, **values.get(obj.pk, {})} for obj in objects]
