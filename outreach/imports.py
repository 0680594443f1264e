"""Excel imports of grassroots organizations and loudspeaker play logs (``core.imports.RowImporter`` subclasses).

As with the roster, the headers are a file format shared with other offices (fixed Chinese words). Every row is
checked first; if any row is bad nothing is written and each bad row is reported; importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from core.imports import ImportResult, Row, RowError, RowImporter, text, whole_number
from core.scope import within
from instructors.models import Region, User

from .models import BroadcastProgramme, Organization, PlayLog, Station
from .services import coverage_figures_changed

__all__ = ["ImportResult", "RowError", "county_of", "organization_import", "playlog_import"]

MAX_ROWS = 100_000
ORGANIZATION_HEADERS = ["名称", "类型", "地区代码", "党员人数", "联系人", "联系电话"]
ORGANIZATION_REQUIRED = ["名称", "类型", "地区代码"]
TYPES = {
    "机关": Organization.Type.AGENCY,
    "园区": Organization.Type.PARK,
    "学校": Organization.Type.SCHOOL,
    "企业": Organization.Type.ENTERPRISE,
    "村": Organization.Type.VILLAGE,
    "社区": Organization.Type.COMMUNITY,
    "其他": Organization.Type.OTHER,
}
PLAY_HEADERS = ["村代码", "节目", "播放时间", "时长"]
ORGANIZATION_FIELDS = ["type", "member_count", "contact_name", "contact_phone"]


def county_of(region: Region, counties: dict[str, Region]) -> Region | None:
    """The county of a region read from its path (no query), given the counties by code."""
    for code in region.path.split("/"):
        if code in counties:
            return counties[code]
    return None


class OrganizationImporter(RowImporter):
    """Organizations by (region, name): new ones are created, changed ones updated, the rest left alone."""

    required = tuple(ORGANIZATION_REQUIRED)
    max_rows = MAX_ROWS

    def prepare(self, rows: list[Row]) -> None:
        codes = {row["地区代码"] for row in rows}
        scope = Region.objects.all() if self.by.is_admin else Region.objects.within(self.by.region)
        self.regions = {r.code: r for r in scope.filter(code__in=codes, level__gte=Region.Level.COUNTY)}
        self.counties = {r.code: r for r in Region.objects.filter(level=Region.Level.COUNTY)}
        self.existing = {
            (o.region_id, o.name): o for o in Organization.objects.filter(region__in=list(self.regions.values()))
        }
        self.seen: dict[tuple[int, str], int] = {}

    def check_row(self, row: Row, problems: list[str]) -> tuple[str, Organization] | None:
        name, region_code, kind_text = row["名称"], row["地区代码"], row["类型"]
        for column in ORGANIZATION_REQUIRED:
            if not row[column]:
                problems.append(_("“%(column)s” is empty.") % {"column": column})
        kind = TYPES.get(kind_text)
        if kind_text and kind is None:
            problems.append(_("Type must be one of %(values)s.") % {"values": "、".join(TYPES)})
        region = self.regions.get(region_code)
        if region_code and region is None:
            problems.append(
                _("Region code %(code)s is unknown, above county level or outside your responsibility.")
                % {"code": region_code}
            )
        members = whole_number(row["党员人数"] or "0", 100_000)
        if members is None:
            problems.append(_("“党员人数” must be a whole number between 0 and 100000."))
        if len(name) > 100:
            problems.append(_("“%(column)s” is longer than %(limit)d characters.") % {"column": "名称", "limit": 100})
        contact_name, contact_phone = row["联系人"], row["联系电话"]
        if len(contact_name) > 40 or len(contact_phone) > 20:
            problems.append(_("The contact person or phone is too long."))
        if region is not None and name:
            key = (region.pk, name)
            if key in self.seen:
                problems.append(_("The same organization is already in row %(row)d.") % {"row": self.seen[key]})
            self.seen.setdefault(key, row.number)
        if problems:
            return None
        fields = {"type": kind, "member_count": members, "contact_name": contact_name, "contact_phone": contact_phone}
        current = self.existing.get((region.pk, name))
        if current is None:
            county = county_of(region, self.counties)
            return "create", Organization(name=name, region=region, county=county, **fields)
        if any(getattr(current, field) != value for field, value in fields.items()):
            for field, value in fields.items():
                setattr(current, field, value)
            return "update", current
        return "same", current

    def write(self, checked: list[tuple[str, Organization]], result: ImportResult) -> None:
        to_create = [org for action, org in checked if action == "create"]
        to_update = [org for action, org in checked if action == "update"]
        now = timezone.now()
        for organization in to_update:
            organization.changed_at = now  # bulk_update skips auto_now: the coverage figures read this stamp
        Organization.objects.bulk_create(to_create, batch_size=2000)
        Organization.objects.bulk_update(to_update, [*ORGANIZATION_FIELDS, "changed_at"], batch_size=2000)
        coverage_figures_changed()
        result.created, result.updated = len(to_create), len(to_update)
        result.unchanged = len(checked) - len(to_create) - len(to_update)


def _datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        value = text(value).replace("/", "-")
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date and time (use 2024-03-01 08:30).") % {"value": value}
            ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class PlayLogImporter(RowImporter):
    """Plays of a programme at a village's loudspeaker; a play already recorded is unchanged."""

    required = tuple(PLAY_HEADERS[:3])
    max_rows = MAX_ROWS

    def prepare(self, rows: list[Row]) -> None:
        codes = {row["村代码"] for row in rows}
        scope = within(Station.objects.all(), self.by, "region")
        self.stations = {s.region.code: s for s in scope.filter(region__code__in=codes).select_related("region")}
        self.programmes = {p.title: p for p in BroadcastProgramme.objects.all()}
        self.seen: dict[tuple, int] = {}

    def check_row(self, row: Row, problems: list[str]) -> PlayLog | None:
        station = self.stations.get(row["村代码"])
        if station is None:
            problems.append(
                _("No loudspeaker station in your region for village code “%(code)s”.") % {"code": row["村代码"]}
            )
        programme = self.programmes.get(row["节目"])
        if programme is None:
            problems.append(_("Unknown programme “%(title)s”.") % {"title": row["节目"]})
        try:
            played_at = _datetime(row.raw("播放时间"))
        except ValueError as exc:
            problems.append(str(exc))
            played_at = None
        minutes = whole_number(row["时长"] or (str(programme.duration_minutes) if programme else "0"), 600)
        if minutes is None:
            problems.append(_("“时长” must be whole minutes between 0 and 600."))
        if not problems:
            key = (station.pk, programme.pk, played_at)
            if key in self.seen:
                problems.append(_("The same play is already in row %(row)d.") % {"row": self.seen[key]})
            self.seen.setdefault(key, row.number)
        if problems:
            return None
        return PlayLog(station=station, programme=programme, played_at=played_at, duration_minutes=minutes)

    def write(self, checked: list[PlayLog], result: ImportResult) -> None:
        stations = {p.station_id for p in checked}
        before = PlayLog.objects.filter(station__in=stations).count()
        PlayLog.objects.bulk_create(checked, batch_size=5000, ignore_conflicts=True)
        coverage_figures_changed()
        added = PlayLog.objects.filter(station__in=stations).count() - before
        result.created, result.unchanged = added, len(checked) - added


def organization_import(*, upload, by: User, progress=None) -> ImportResult:
    """Validate every row, then create or update the organizations in one transaction, or write nothing."""
    return OrganizationImporter(by=by).run(upload, progress=progress)


def playlog_import(*, upload, by: User, progress=None) -> ImportResult:
    """Validate every play, then add the new ones in one transaction (a play already recorded is unchanged)."""
    return PlayLogImporter(by=by).run(upload, progress=progress)
