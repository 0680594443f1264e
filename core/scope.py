"""Region scoping written once: "this region and everything below it" is a prefix match on the materialised path
(``Region.path`` such as ``"51/5111/511102/"``), and "the regions above" are the codes on that path.

The helpers take the name of the relation that leads to a region (``"region"``, ``"lead_instructor__region"``),
so any queryset can be scoped without this package knowing the models.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def below_q(field: str, region) -> Q:
    """Rows whose ``field`` region is ``region`` or lies below it."""
    return Q(**{f"{field}__path__startswith": region.path})


def lineage_q(field: str, region) -> Q:
    """Rows whose ``field`` region is ``region``, below it or one of the regions above it."""
    return below_q(field, region) | Q(**{f"{field}__code__in": region.lineage_codes})


def within(qs: models.QuerySet, user, field: str = "region") -> models.QuerySet:
    """What a manager may see of ``qs``: admins everything, organizers their region and below, others nothing."""
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.is_admin:
        return qs
    if user.is_organizer:
        return qs.filter(below_q(field, user.region))
    return qs.none()


class RegionScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a region through ``region_field``."""

    region_field = "region"

    def within(self, region) -> RegionScopedQuerySet:
        """Rows of the region itself and everything below it."""
        return self.filter(below_q(self.region_field, region))

    def managed_by(self, user) -> RegionScopedQuerySet:
        """Admins all, organizers their region and below, everyone else nothing."""
        return within(self, user, self.region_field)
