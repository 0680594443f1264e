"""Excel imports of grassroots organizations and loudspeaker play logs.

As with the roster, the headers are a file format shared with other offices (fixed Chinese words). Every row is
validated first; if any row is bad nothing is written and each bad row is reported; importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from instructors.models import Region, User

from .models import BroadcastProgramme, Organization, PlayLog, Station
from .services import coverage_figures_changed

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


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read(upload, required: list[str]) -> list[tuple[int, dict]]:
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        return _rows(workbook, required)
    except (InvalidFileException, BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError) as exc:
        # A damaged file can pass the "PK" check and fail only while its sheet is read (read-only mode is lazy).
        raise ValidationError(_("The file cannot be read as an Excel workbook.")) from exc


def _rows(workbook, required: list[str]) -> list[tuple[int, dict]]:
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    try:
        header = [_text(cell) for cell in next(rows)]
    except StopIteration:
        raise ValidationError(_("The workbook is empty.")) from None
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
    out = []
    for number, cells in enumerate(rows, start=2):
        if cells is None or all(_text(c) == "" for c in cells):
            continue
        if len(out) >= MAX_ROWS:
            raise ValidationError(_("At most %(max)d rows can be imported at once.") % {"max": MAX_ROWS})
        out.append((number, {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name}))
    workbook.close()
    return out


def _regions_in_scope(by: User) -> QuerySet[Region]:
    return Region.objects.all() if by.is_admin else Region.objects.within(by.region)


def county_of(region: Region, counties: dict[str, Region]) -> Region | None:
    """The county of a region read from its path (no query), given the counties by code."""
    for code in region.path.split("/"):
        if code in counties:
            return counties[code]
    return None


def organization_import(*, upload, by: User) -> ImportResult:
    """Validate every row, then create or update the organizations in one transaction, or write nothing."""
    raw_rows = _read(upload, ORGANIZATION_REQUIRED)
    result = ImportResult()
    if not raw_rows:
        result.errors.append(RowError(0, _("The file has no data rows.")))
        return result
    codes = {_text(values.get("地区代码")) for _n, values in raw_rows}
    scope = _regions_in_scope(by)
    regions = {r.code: r for r in scope.filter(code__in=codes, level__gte=Region.Level.COUNTY)}
    counties = {r.code: r for r in Region.objects.filter(level=Region.Level.COUNTY)}
    existing = {(o.region_id, o.name): o for o in Organization.objects.filter(region__in=list(regions.values()))}
    seen: dict[tuple[int, str], int] = {}
    to_create: list[Organization] = []
    to_update: list[Organization] = []
    for number, values in raw_rows:
        problems: list[str] = []
        get = lambda name, values=values: _text(values.get(name))  # noqa: E731
        for name in ORGANIZATION_REQUIRED:
            if not get(name):
                problems.append(_("“%(column)s” is empty.") % {"column": name})
        kind = TYPES.get(get("类型"))
        if get("类型") and kind is None:
            problems.append(_("Type must be one of %(values)s.") % {"values": "、".join(TYPES)})
        region = regions.get(get("地区代码"))
        if get("地区代码") and region is None:
            problems.append(
                _("Region code %(code)s is unknown, above county level or outside your responsibility.")
                % {"code": get("地区代码")}
            )
        members_text = get("党员人数") or "0"
        if not members_text.isdigit() or int(members_text) > 100_000:
            problems.append(_("“党员人数” must be a whole number between 0 and 100000."))
        if len(get("名称")) > 100:
            problems.append(_("“%(column)s” is longer than %(limit)d characters.") % {"column": "名称", "limit": 100})
        if len(get("联系人")) > 40 or len(get("联系电话")) > 20:
            problems.append(_("The contact person or phone is too long."))
        if region is not None and get("名称"):
            key = (region.pk, get("名称"))
            if key in seen:
                problems.append(_("The same organization is already in row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, number)
        if problems:
            result.errors.extend(RowError(number, message) for message in problems)
            continue
        fields = {
            "type": kind,
            "member_count": int(members_text),
            "contact_name": get("联系人"),
            "contact_phone": get("联系电话"),
        }
        current = existing.get((region.pk, get("名称")))
        if current is None:
            to_create.append(
                Organization(name=get("名称"), region=region, county=county_of(region, counties), **fields)
            )
        elif any(getattr(current, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(current, name, value)
            to_update.append(current)
        else:
            result.unchanged += 1
    if result.errors:
        return result
    now = timezone.now()
    for organization in to_update:
        organization.changed_at = now
    with transaction.atomic():
        Organization.objects.bulk_create(to_create, batch_size=2000)
        Organization.objects.bulk_update(
            to_update, ["type", "member_count", "contact_name", "contact_phone", "changed_at"], batch_size=2000
        )
        coverage_figures_changed()
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = _text(value).replace("/", "-")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date and time (use 2024-03-01 08:30).") % {"value": text}
            ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def playlog_import(*, upload, by: User) -> ImportResult:
    """Validate every play, then add the new ones in one transaction (a play already recorded is unchanged)."""
    raw_rows = _read(upload, PLAY_HEADERS[:3])
    result = ImportResult()
    if not raw_rows:
        result.errors.append(RowError(0, _("The file has no data rows.")))
        return result
    codes = {_text(values.get("村代码")) for _n, values in raw_rows}
    scope = Station.objects.all() if by.is_admin else Station.objects.filter(region__path__startswith=by.region.path)
    stations = {s.region.code: s for s in scope.filter(region__code__in=codes).select_related("region")}
    programmes = {p.title: p for p in BroadcastProgramme.objects.all()}
    plays: list[PlayLog] = []
    seen: dict[tuple, int] = {}
    for number, values in raw_rows:
        problems: list[str] = []
        station = stations.get(_text(values.get("村代码")))
        if station is None:
            problems.append(
                _("No loudspeaker station in your region for village code “%(code)s”.")
                % {"code": _text(values.get("村代码"))}
            )
        programme = programmes.get(_text(values.get("节目")))
        if programme is None:
            problems.append(_("Unknown programme “%(title)s”.") % {"title": _text(values.get("节目"))})
        try:
            played_at = _datetime(values.get("播放时间"))
        except ValueError as exc:
            problems.append(str(exc))
            played_at = None
        minutes_text = _text(values.get("时长")) or (str(programme.duration_minutes) if programme else "0")
        if not minutes_text.isdigit() or int(minutes_text) > 600:
            problems.append(_("“时长” must be whole minutes between 0 and 600."))
        if not problems:
            key = (station.pk, programme.pk, played_at)
            if key in seen:
                problems.append(_("The same play is already in row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, number)
        if problems:
            result.errors.extend(RowError(number, message) for message in problems)
            continue
        plays.append(
            PlayLog(station=station, programme=programme, played_at=played_at, duration_minutes=int(minutes_text))
        )
    if result.errors:
        return result
    with transaction.atomic():
        before = PlayLog.objects.filter(station__in={p.station_id for p in plays}).count()
        PlayLog.objects.bulk_create(plays, batch_size=5000, ignore_conflicts=True)
        coverage_figures_changed()
        added = PlayLog.objects.filter(station__in={p.station_id for p in plays}).count() - before
    result.created, result.unchanged = added, len(plays) - added
    return result
