"""The audited status machine shared by instructors and courses.

A model declares its table of allowed transitions (``TRANSITIONS``), the refusal message and a history model
(a subclass of ``StatusChangeBase`` with ``related_name="status_changes"``); ``status_change`` is the one service
that moves it: it checks the transition on a locked row and writes the new status and the history row (who, when,
from, to, why) in one transaction. The history is shown by ``templates/includes/_status_history.html``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import field_error


class AuditedStatusMixin:
    """For a model with ``status``/``status_changed_at`` fields whose changes go through ``status_change``."""

    TRANSITIONS: dict[str, tuple[str, ...]] = {}
    # "%(from)s" and "%(to)s" are the status labels.
    STATUS_REFUSAL = gettext_lazy("“%(from)s” cannot become “%(to)s”.")

    def allowed_transitions(self) -> tuple[str, ...]:
        return self.TRANSITIONS[self.status]

    def can_change_status_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def on_status_change(self, to_status: str, now) -> list[str]:
        """Hook: set fields that follow a status change; returns their names for ``save(update_fields=...)``."""
        return []


def status_fields(choices, max_length: int) -> tuple[models.CharField, models.CharField]:
    """The history's ``from_status`` and ``to_status`` columns with the subject's choices."""
    return (
        models.CharField(gettext_lazy("from"), max_length=max_length, choices=choices, blank=True),
        models.CharField(gettext_lazy("to"), max_length=max_length, choices=choices),
    )


class StatusChangeBase(models.Model):
    """One audited change of a status: who, when, from what to what, and why (subclasses add the subject and
    the two status fields with their choices)."""

    from_status = models.CharField(gettext_lazy("from"), max_length=16, blank=True)
    to_status = models.CharField(gettext_lazy("to"), max_length=16)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("changed by"),
    )
    changed_at = models.DateTimeField(gettext_lazy("changed at"), default=timezone.now)
    reason = models.TextField(gettext_lazy("reason"))

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject}: {self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def subject(self) -> models.Model:
        """The record whose status changed (the foreign key whose related name is ``status_changes``)."""
        field = next(f for f in self._meta.fields if f.is_relation and f.remote_field.related_name == "status_changes")
        return getattr(self, field.name)


def status_history_start(*, obj: models.Model, by, reason: str, at=None) -> models.Model:
    """The first history row of a new record (from nothing to its initial status)."""
    return obj.status_changes.create(
        from_status="", to_status=obj.status, changed_by=by, changed_at=at or timezone.now(), reason=reason
    )


@transaction.atomic
def status_change(*, obj: models.Model, to_status: str, by, reason: str) -> models.Model:
    """Move ``obj`` to ``to_status`` if its transition table allows it, with a history row; returns the locked row.

    Refusals: ``reason_missing``, ``unknown_status``, ``transition_not_allowed``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Please give the reason for this status change."), "reason_missing")
    model = type(obj)
    if to_status not in model.Status.values:
        raise field_error("to_status", _("Unknown status."), "unknown_status")
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if not locked.can_change_status_to(to_status):
        labels = {"from": locked.get_status_display(), "to": model.Status(to_status).label}
        raise field_error("to_status", str(model.STATUS_REFUSAL) % labels, "transition_not_allowed")
    now = timezone.now()
    locked.status_changes.create(
        from_status=locked.status, to_status=to_status, changed_by=by, changed_at=now, reason=reason
    )
    locked.status, locked.status_changed_at = to_status, now
    extra = locked.on_status_change(to_status, now)
    locked.save(update_fields=["status", "status_changed_at", *extra, "updated_at"])
    obj.status, obj.status_changed_at = locked.status, locked.status_changed_at
    for name in extra:
        setattr(obj, name, getattr(locked, name))
    return locked


class StatusChangeForm(forms.Form):
    """The "change status" form of a record's page: the statuses its transition table allows, and a reason."""

    to_status = forms.ChoiceField(label=gettext_lazy("New status"))
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, obj: models.Model, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(value, type(obj).Status(value).label) for value in self.allowed(obj)]

    def allowed(self, obj: models.Model) -> tuple[str, ...]:
        return obj.allowed_transitions()
