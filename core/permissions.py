"""Who may manage: the one check every app's pages use before they show or change a region's registry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def require_manager(request: HttpRequest) -> None:
    """403 unless the user manages a region (an organizer with a region) or is an administrator."""
    if not getattr(request.user, "can_manage_registry", False):
        raise PermissionDenied
