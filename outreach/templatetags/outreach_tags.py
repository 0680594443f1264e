"""Small template helpers of outreach."""

from django import template

register = template.Library()


@register.filter
def percent_of(value, target) -> int:
    """Progress in whole percent, capped at 100 (0 when there is no target)."""
    try:
        return min(100, int((value or 0) * 100 / target)) if target else 0
    except (TypeError, ValueError):
        return 0
