"""Login throttling: after repeated failures an account (and, at a higher count, an address) is locked for a while.

Counters live in the cache (Redis in production, shared by every web node). The lock is checked before the
password, so a locked account answers the same whether the password is right or not. If the cache is unreachable
the counters are skipped and logged (failing open): Redis being down must not lock everybody out of the portal.
"""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.http import client_address

log = logging.getLogger(__name__)


def _keys(username: str, address: str) -> tuple[tuple[str, int], ...]:
    user = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    prefix = settings.LOGIN_THROTTLE_KEY_PREFIX
    return (
        (f"{prefix}login-fail:user:{user}", settings.LOGIN_FAILURE_LIMIT),
        (f"{prefix}login-fail:addr:{address}", settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS),
    )


_address = client_address


def login_locked(username: str, address: str) -> bool:
    try:
        counts = cache.get_many([key for key, _limit in _keys(username, address)])
    except Exception:
        log.warning("login throttle: cache unreachable, not checking", exc_info=True)
        return False
    return any(counts.get(key, 0) >= limit for key, limit in _keys(username, address))


def login_failed(username: str, address: str) -> None:
    window = settings.LOGIN_LOCKOUT_SECONDS
    try:
        for key, _limit in _keys(username, address):
            if not cache.add(key, 1, timeout=window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr: this failure starts a new window
                    cache.set(key, 1, timeout=window)
    except Exception:
        log.warning("login throttle: cache unreachable, failure not counted", exc_info=True)
    log.info("login failed for a username from %s", address)


def login_succeeded(username: str) -> None:
    try:
        cache.delete(_keys(username, "")[0][0])
    except Exception:
        log.warning("login throttle: cache unreachable, counter not reset", exc_info=True)


class ThrottledLoginMixin:
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed logins: this account is locked for %(minutes)d minutes. Please try again later or ask "
            "an administrator to reset your password."
        ),
    }

    def clean(self):
        username = self.data.get("username", "")
        address = _address(self.request)
        if login_locked(username, address):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(username, address)
            raise
        login_succeeded(username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    error_messages = {**AdminAuthenticationForm.error_messages, **ThrottledLoginMixin.error_messages}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a message of our own catalogue (Django's Chinese catalogue lacks this plural form)."""

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
