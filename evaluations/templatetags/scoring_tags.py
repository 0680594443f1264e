"""Filters that print scoring figures the way the pages explain them: a rate as "83 %", a year as 2026."""

from __future__ import annotations

from django import template

from evaluations.scoring.review_rules import percent as _percent

register = template.Library()


@register.filter
def percent(value, digits: int = 0) -> str:
    """0.8333 → "83 %" (``|percent:1`` → "83.3 %"); "—" when unknown."""
    try:
        return _percent(float(value), int(digits))
    except (TypeError, ValueError):
        return "—"
