"""Excel import and export of the roster (师资名册).

The column headers are a file format shared with other offices, so they are fixed Chinese words rather than
translated interface text. An import validates every row first; if any row is bad nothing is written, and
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.xlsx import Sheet, xlsx_bytes
from core.xlsx import export_filename as xlsx_export_filename

from .models import Instructor, InstructorStatusChange, Region, Specialty, TeachingGroup, User
from .validators import validate_id_number, validate_phone

HEADERS = [
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "工作单位",
    "职务",
    "层级",
    "地区代码",
    "所属地区",
    "教研组",
    "专长",
    "状态",
    "入库日期",
    "个人简介",
]
REQUIRED = ["姓名", "性别", "身份证号", "手机号", "工作单位", "层级", "地区代码"]
GENDERS = {"男": Instructor.Gender.MALE, "女": Instructor.Gender.FEMALE}
TIERS = {"省级": Instructor.Tier.PROVINCIAL, "市级": Instructor.Tier.MUNICIPAL, "县级": Instructor.Tier.COUNTY}
STATUSES = {
    "候选": Instructor.Status.CANDIDATE,
    "在库": Instructor.Status.ACTIVE,
    "考察期": Instructor.Status.PROBATION,
    "退出": Instructor.Status.RETIRED,
    "解聘": Instructor.Status.DISMISSED,
}
MAX_ROWS = 20000


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


def _split(value: str) -> list[str]:
    for sep in ("，", "、", ";", "；"):
        value = value.replace(sep, ",")
    return [part.strip() for part in value.split(",") if part.strip()]


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date (use 2024-03-01).") % {"value": text}) from None


@dataclass
class _Row:
    number: int
    values: dict
    groups: list[str]
    specialties: list[str]
    status: str


def _read(upload) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        return _rows(workbook)
    except (InvalidFileException, BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError) as exc:
        # A damaged file can pass the "PK" check and fail only while its sheet is read (read-only mode is lazy).
        raise ValidationError(_("The file cannot be read as an Excel workbook.")) from exc


def _rows(workbook) -> tuple[list[str], list[tuple[int, dict]]]:
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_text(cell) for cell in next(rows)]
    except StopIteration:
        raise ValidationError(_("The workbook is empty.")) from None
    missing = [name for name in REQUIRED if name not in header]
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
    return header, out


def roster_import(*, upload, by: User) -> ImportResult:
    """Validate the whole file, then write it in one transaction, or write nothing and return the row errors."""
    _header, raw_rows = _read(upload)
    result = ImportResult()
    if not raw_rows:
        result.errors.append(RowError(0, _("The file has no data rows.")))
        return result
    region_scope = Region.objects.all() if by.is_admin else Region.objects.within(by.region)
    regions = {r.code: r for r in region_scope}
    groups = {g.name: g for g in TeachingGroup.objects.visible_to(by)}
    ids = [_text(values.get("身份证号")).upper() for _n, values in raw_rows]
    existing = {
        i.id_number: i for i in Instructor.objects.filter(id_number__in=ids).prefetch_related("groups", "specialties")
    }
    visible = set(Instructor.objects.visible_to(by).filter(id_number__in=ids).values_list("id_number", flat=True))
    phones_taken = dict(
        Instructor.objects.filter(phone__in=[_text(v.get("手机号")) for _n, v in raw_rows]).values_list(
            "phone", "id_number"
        )
    )
    seen_ids: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    parsed: list[_Row] = []
    for number, values in raw_rows:
        problems: list[str] = []
        get = lambda name: _text(values.get(name))  # noqa: E731
        for name in REQUIRED:
            if not get(name):
                problems.append(_("“%(column)s” is empty.") % {"column": name})
        id_number, phone = get("身份证号").upper(), get("手机号")
        for validator, value in ((validate_id_number, id_number), (validate_phone, phone)):
            if value:
                try:
                    validator(value)
                except ValidationError as exc:
                    problems.extend(exc.messages)
        if id_number in seen_ids:
            problems.append(_("The same ID card number is already in row %(row)d.") % {"row": seen_ids[id_number]})
        if phone in seen_phones:
            problems.append(_("The same phone number is already in row %(row)d.") % {"row": seen_phones[phone]})
        seen_ids.setdefault(id_number, number)
        seen_phones.setdefault(phone, number)
        if phone in phones_taken and phones_taken[phone] != id_number:
            problems.append(_("The phone number belongs to another instructor in the registry."))
        if id_number in existing and id_number not in visible:
            problems.append(_("This instructor belongs to a region outside your responsibility."))
        gender = GENDERS.get(get("性别"))
        if get("性别") and gender is None:
            problems.append(_("Gender must be 男 or 女."))
        tier = TIERS.get(get("层级"))
        if get("层级") and tier is None:
            problems.append(_("Tier must be 省级, 市级 or 县级."))
        region = regions.get(get("地区代码"))
        if get("地区代码") and region is None:
            problems.append(
                _("Region code %(code)s is unknown or outside your responsibility.") % {"code": get("地区代码")}
            )
        group_names = _split(get("教研组"))
        unknown = [name for name in group_names if name not in groups]
        if unknown:
            problems.append(_("Unknown teaching-research group: %(names)s.") % {"names": "、".join(unknown)})
        status_text = get("状态") or "在库"
        status = STATUSES.get(status_text)
        if status is None:
            problems.append(_("Status must be one of %(values)s.") % {"values": "、".join(STATUSES)})
        elif id_number in existing and existing[id_number].status != status:
            problems.append(_("Status changes cannot be imported; change the status on the instructor's page."))
        try:
            joined_on = _date(values.get("入库日期"))
        except ValueError as exc:
            problems.append(str(exc))
            joined_on = None
        for name, limit in (("姓名", 40), ("工作单位", 100), ("职务", 60)):
            if len(get(name)) > limit:
                problems.append(
                    _("“%(column)s” is longer than %(limit)d characters.") % {"column": name, "limit": limit}
                )
        if problems:
            result.errors.extend(RowError(number, message) for message in problems)
            continue
        parsed.append(
            _Row(
                number=number,
                values={
                    "name": get("姓名"),
                    "gender": gender,
                    "id_number": id_number,
                    "phone": phone,
                    "employer": get("工作单位"),
                    "post": get("职务"),
                    "tier": tier,
                    "region": region,
                    "joined_on": joined_on,
                    "biography": get("个人简介"),
                },
                groups=group_names,
                specialties=_split(get("专长")),
                status=status,
            )
        )
    if result.errors:
        return result
    _write(parsed, existing, groups, by, result)
    return result


@transaction.atomic
def _write(parsed: list[_Row], existing: dict, groups: dict, by: User, result: ImportResult) -> None:
    specialty_names = {name for row in parsed for name in row.specialties}
    known = {s.name: s for s in Specialty.objects.filter(name__in=specialty_names)}
    for name in specialty_names - set(known):
        known[name] = Specialty.objects.create(name=name)
    reason = _("Imported from the roster file")
    for row in parsed:
        instructor = existing.get(row.values["id_number"])
        group_ids = {groups[name].pk for name in row.groups}
        specialty_ids = {known[name].pk for name in row.specialties}
        if instructor is None:
            instructor = Instructor(status=row.status, **row.values)
            instructor.full_clean(exclude=["photo"])
            instructor.save()
            instructor.groups.set(group_ids)
            instructor.specialties.set(specialty_ids)
            InstructorStatusChange.objects.create(
                instructor=instructor, from_status="", to_status=row.status, changed_by=by, reason=reason
            )
            result.created += 1
            continue
        changed = [name for name, value in row.values.items() if getattr(instructor, name) != value]
        same_groups = {g.pk for g in instructor.groups.all()} == group_ids
        same_specialties = {s.pk for s in instructor.specialties.all()} == specialty_ids
        if not changed and same_groups and same_specialties:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(instructor, name, row.values[name])
        instructor.full_clean(exclude=["photo"])
        instructor.save()
        if not same_groups:
            instructor.groups.set(group_ids)
        if not same_specialties:
            instructor.specialties.set(specialty_ids)
        result.updated += 1


def roster_export(queryset) -> bytes:
    """The roster as an .xlsx workbook with Chinese headers, in the import's format."""
    tiers = {value: label for label, value in TIERS.items()}
    genders = {value: label for label, value in GENDERS.items()}
    statuses = {value: label for label, value in STATUSES.items()}
    rows = (
        [
            i.name,
            genders.get(i.gender, ""),
            i.id_number,
            i.phone,
            i.employer,
            i.post,
            tiers.get(i.tier, ""),
            i.region.code,
            i.region.name,
            "、".join(sorted(g.name for g in i.groups.all())),
            "、".join(sorted(s.name for s in i.specialties.all())),
            statuses.get(i.status, ""),
            i.joined_on.isoformat() if i.joined_on else "",
            i.biography,
        ]
        for i in queryset.select_related("region").prefetch_related("groups", "specialties").iterator(chunk_size=2000)
    )
    return xlsx_bytes(Sheet("师资名册", HEADERS, rows))


def export_filename(prefix: str = "师资名册") -> str:
    return xlsx_export_filename(prefix)
