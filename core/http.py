"""Facts about the HTTP request that several apps need, read one way everywhere."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The client's address: the peer, or, when the peer is one of our proxies, the address nginx appended last to
    X-Forwarded-For (anything before it the client could have written itself)."""
    if request is None:
        return "unknown"
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and peer in settings.TRUSTED_PROXIES:
        return forwarded.split(",")[-1].strip() or peer
    return peer
