"""Scoring settings and indicator systems: the versioned numbers every score is computed with."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluations.scoring import DEFAULTS


class RaterRole(models.TextChoices):
    TRAINEE = "trainee", _("Trainee")
    EXPERT = "expert", _("Expert")
    PEER = "peer", _("Peer instructor")
    ORGANIZER = "organizer", _("Training organizer")
    GRASSROOTS = "grassroots", _("Grassroots member representative")
    MEDIA = "media", _("Media observer")


class ScoringSettings(models.Model):
    """One immutable version of every number in the scoring rules; results record the version they used."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    params = models.JSONField(_("parameters"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("scoring settings")
        verbose_name_plural = _("scoring settings")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_scoring_settings"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def value(self, key: str):
        return self.params.get(key, DEFAULTS[key])

    @property
    def merged(self) -> dict:
        return {**DEFAULTS, **self.params}


class IndicatorSystem(models.Model):
    """A versioned set of weighted indicators (教学内容 / 教学方式 / 培训效果 …); frozen once answers use it."""

    name = models.CharField(_("name"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="uniq_indicator_system_version"),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_indicator_system"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def in_use(self) -> bool:
        return self.evaluations.exists()


class Dimension(models.Model):
    """A group of indicators (教学内容, 教学方式, 培训效果)."""

    system = models.ForeignKey(IndicatorSystem, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("name"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One weighted question raters answer."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=40)
    question = models.CharField(_("question shown to raters"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=3)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__order", "order", "pk"]

    def __str__(self) -> str:
        return self.name
