"""Calendar entries from apps above outreach (the alliance's guest lectures), without outreach importing them.

An app registers a provider in its AppConfig.ready(); the outreach calendar asks every provider for the entries a user
may see in a date range and draws them beside its own lectures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CalendarEntry:
    """One item drawn on the calendar that is not an outreach lecture."""

    start: dt.datetime
    end: dt.datetime
    title: str
    place: str
    url: str
    label: str


Provider = Callable[..., Iterable[CalendarEntry]]
_providers: list[Provider] = []


def calendar_provider_register(provider: Provider) -> Provider:
    """Add a provider called as ``provider(user=..., start=..., end=...)`` (registering twice adds it once)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def calendar_entries(*, user, start: dt.datetime, end: dt.datetime) -> list[CalendarEntry]:
    """Every provider's entries for ``user`` starting in [start, end), soonest first."""
    found = [entry for provider in _providers for entry in provider(user=user, start=start, end=end)]
    return sorted(found, key=lambda entry: (entry.start, entry.title))
