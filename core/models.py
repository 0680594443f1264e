"""The tables of the ground floor: imports that run in the background, and the record of exports with full
personal numbers."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A large Excel import checked and written by a worker; the page polls its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Checking and importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Nothing was imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    importer = models.CharField(_("importer"), max_length=200)  # dotted path of a RowImporter subclass
    title = models.CharField(_("title"), max_length=100)
    success_url = models.CharField(max_length=200)
    file = models.FileField(_("file"), upload_to="imports/", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows checked"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:import_job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(99, self.processed * 100 // self.total) if self.total else 0


class ExportRecord(models.Model):
    """One export that carried full ID card and mobile numbers: who made it, when, which export, the filter that was
    applied, how many rows and why. Masked exports are not recorded (they show no more than the screen)."""

    export = models.CharField(_("export"), max_length=100)  # a stable key, e.g. "instructors.roster"
    title = models.CharField(_("title"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    # The account name as it was, so the record still says who after the account is gone.
    created_by_name = models.CharField(_("account"), max_length=150)
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    purpose = models.CharField(_("purpose"), max_length=200)

    class Meta:
        verbose_name = _("export with full numbers")
        verbose_name_plural = _("exports with full numbers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} · {self.created_by_name} · {self.created_at:%Y-%m-%d %H:%M}"
