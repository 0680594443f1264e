"""Query parameters of list and calendar pages: years, months, weeks and ids, read one way everywhere.

Bad input has one behaviour: the page shows a clear message and the default period (never a 500, never a silent
clamp to something absurd). Only plain ASCII digits are numbers: ``"²".isdigit()`` is true but ``int("²")`` fails,
and years outside 2000–2100 are bad input rather than a page about the year 9999.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

YEAR_MIN, YEAR_MAX = 2000, 2100
_DIGITS = re.compile(r"[0-9]{1,9}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def ascii_int(text: str | None) -> int | None:
    """The number in ``text`` if it is made of ASCII digits only (at most nine), else None."""
    text = (text or "").strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def _refuse(request: HttpRequest, name: str, value: str, shown: str) -> None:
    messages.warning(
        request,
        _("“%(value)s” is not a valid %(name)s; showing %(shown)s instead.")
        % {"value": value[:40], "name": name, "shown": shown},
    )


def _year_ok(year: int | None) -> bool:
    return year is not None and YEAR_MIN <= year <= YEAR_MAX


def year_param(request: HttpRequest, name: str = "year", default: int | None = None) -> int:
    """``?year=2025``; the current year (or ``default``) when absent, with a message when invalid."""
    default = default or timezone.localdate().year
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    year = ascii_int(raw)
    if _year_ok(year):
        return year
    _refuse(request, _("year"), raw, str(default))
    return default


def month_param(request: HttpRequest, name: str = "month") -> tuple[int, int]:
    """``?month=2025-03`` as (year, month); this month when absent, with a message when invalid."""
    today = timezone.localdate()
    raw = request.GET.get(name, "")
    if raw == "":
        return today.year, today.month
    match = _MONTH.fullmatch(raw.strip())
    if match and _year_ok(int(match[1])) and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    _refuse(request, _("month"), raw, f"{today:%Y-%m}")
    return today.year, today.month


def week_param(request: HttpRequest, name: str = "week") -> dt.date | None:
    """``?week=2025-03-10`` as a date; None when absent or invalid (with a message: the month is shown)."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        day = None
    if day is not None and _year_ok(day.year):
        return day
    _refuse(request, _("week"), raw, _("the month"))
    return None


def id_param(request: HttpRequest, name: str) -> int | None:
    """``?instructor=12`` as an id; None when absent or not a plain number."""
    return ascii_int(request.GET.get(name))
