"""Exports with full personal numbers: who may make one, the form that asks for it, and its record.

Every export shows ID card and mobile numbers masked, as the pages do. An export whose purpose needs the full
numbers (the roster used as the import file or reported to the province) is asked for explicitly, with a purpose,
by someone who manages a region's registry (an organizer, for the region they see; an administrator), and each
one is written down in ``ExportRecord``: who, when, which export, the filter that was applied, the row count and
the purpose. The app decides what goes in the file; this module knows nothing of apps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ExportRecord


def may_export_full_numbers(user) -> bool:
    """Organizers with a region and administrators (``can_manage_registry``); never an instructor or a judge."""
    return bool(getattr(user, "is_active", False) and getattr(user, "can_manage_registry", False))


def export_filters_record(filters: Mapping) -> dict:
    """The applied filter as JSON: empty values left out, an object as its id and name, a date in ISO form."""
    recorded = {}
    for name, value in filters.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, models.Model):
            value = {"id": value.pk, "name": str(value)[:100]}
        elif isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif not isinstance(value, bool | int | float):
            value = str(value)[:200]
        recorded[str(name)] = value
    return recorded


def full_export_check(*, by, purpose: str) -> None:
    """Refuse, before anything is written, a user who may not export full numbers or an export without a purpose."""
    if not may_export_full_numbers(by):
        raise ValidationError(_("You may not export full ID card and phone numbers."), code="full_export_not_allowed")
    if len((purpose or "").strip()) < 2:
        raise ValidationError(_("Please say what the full numbers are needed for."), code="full_export_purpose")


def export_record_create(
    *, export: str, title: str, by, filters: Mapping, row_count: int, purpose: str
) -> ExportRecord:
    """Write down one export with full numbers; refuses a user who may not make one."""
    full_export_check(by=by, purpose=purpose)
    purpose = purpose.strip()
    return ExportRecord.objects.create(
        export=export,
        title=title,
        created_by=by,
        created_by_name=by.get_username(),
        filters=export_filters_record(filters),
        row_count=row_count,
        purpose=purpose[:200],
    )


class CountedRows:
    """Rows handed to the XLSX writer, counted as they are written (the record says how many left the portal)."""

    def __init__(self, rows: Iterable) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator:
        for row in self.rows:
            self.count += 1
            yield row


class FullExportForm(forms.Form):
    """The explicit choice of full numbers, with the purpose that goes into the record."""

    full_numbers = forms.BooleanField(
        label=gettext_lazy("Include full ID card and phone numbers (for import or reporting)"), required=True
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        max_length=200,
        help_text=gettext_lazy("Recorded with your name, the time and the filter, e.g. “report to the province”."),
    )

    def clean_purpose(self) -> str:
        purpose = self.cleaned_data["purpose"].strip()
        if len(purpose) < 2:
            raise ValidationError(_("Please say what the full numbers are needed for."), code="full_export_purpose")
        return purpose


def filters_display(form: forms.Form) -> list[tuple[str, str]]:
    """The filter a valid form applies, as (label, shown value) pairs, so the user sees what will be exported."""
    if not form.is_bound or not form.is_valid():
        return []
    shown = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            continue
        choices = dict(getattr(field, "choices", []) or []) if not isinstance(value, models.Model) else {}
        shown.append((str(field.label), str(choices.get(value, value))))
    return shown
