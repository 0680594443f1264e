"""In-app messages to a user; written by the review and the competition, read on the notifications page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A short in-app message to one user (review outcomes, competition results)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read = models.BooleanField(_("read"), default=False)
    # When the e-mail copy went out (a Celery task sends them in batches; set once, so a retried task skips it).
    mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read"])]

    def __str__(self) -> str:
        return self.text[:40]
