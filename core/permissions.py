"""Who may manage: the one check every app's pages use before they show or change a region's registry."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest


def require_manager(request: HttpRequest) -> None:
    """403 unless the user manages a region (an organizer with a region) or is an administrator."""
    if not getattr(request.user, "can_manage_registry", False):
        raise PermissionDenied


def visible_or_404(selector, request: HttpRequest, pk):
    """``selector(user=..., pk=...)`` for the signed-in user, or 404 when the user may not see the record (so that
    its existence does not leak)."""
    try:
        return selector(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
