"""List filters declared as data: which form field filters by which lookup, instead of an ``if`` per field."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet


def apply_filters(qs: QuerySet, filters: Mapping, lookups: Mapping[str, str]) -> QuerySet:
    """Filter ``qs`` by every field of ``filters`` that has a value, using the lookup declared for it.

    ``apply_filters(qs, form.cleaned_data, {"status": "status", "date_from": "start__date__gte"})``. Empty values
    (None, "", 0, an empty list) do not filter. Each lookup is its own ``filter()`` call, as chained ``if``s were.
    """
    for field, lookup in lookups.items():
        value = filters.get(field)
        if value:
            qs = qs.filter(**{lookup: value})
    return qs
