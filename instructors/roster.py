"""Excel import and export of the roster (师资名册).

The column headers are a file format shared with other offices, so they are fixed Chinese words rather than
translated interface text. The import is a ``core.imports.RowImporter``: every row is checked
first; if any row is bad nothing is written, and importing the same file twice changes nothing the second time.

The export shows ID card and mobile numbers masked, as the pages do; the full numbers only go into an export asked
for explicitly, with a purpose, and recorded (``roster_export_full``, ``core.exports``). A masked export read back
loses nothing: a masked phone number of a known instructor counts as unchanged, a masked ID card number (the key
of a row) is refused with a row error that says to export with full numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import CountedRows, export_record_create, full_export_check
from core.imports import ImportResult, Row, RowError, RowImporter, split_list, text
from core.status import status_history_start
from core.xlsx import Sheet, xlsx_bytes
from core.xlsx import export_filename as xlsx_export_filename

from . import selectors
from .models import Instructor, Region, Specialty, TeachingGroup, User
from .validators import mask_id_number, mask_phone, validate_id_number, validate_phone

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
CONFLICT = gettext_lazy(
    "This row conflicts with an existing record. Please ask the organizer of the city or province (or the system "
    "administrator) to check it."
)

MASK = "*"
FULL_EXPORT = "instructors.roster"

__all__ = [
    "HEADERS",
    "ImportResult",
    "RowError",
    "RosterImporter",
    "roster_export",
    "roster_export_full",
    "roster_import",
]


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    value = text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date (use 2024-03-01).") % {"value": value}) from None


@dataclass
class _Checked:
    values: dict
    groups: list[str]
    specialties: list[str]
    status: str


class RosterImporter(RowImporter):
    """Instructors by ID card number: new ones are created (with their first audited status), known ones updated.

    A county organizer imports county-level candidates only: admission to the pool and higher tiers are decided
    on the instructor's page, by the organizers above.
    """

    required = tuple(REQUIRED)
    max_rows = MAX_ROWS

    def prepare(self, rows: list[Row]) -> None:
        by = self.by
        self.county_only = not by.is_admin and by.region.level >= Region.Level.COUNTY
        region_scope = Region.objects.all() if by.is_admin else Region.objects.within(by.region)
        self.regions = {r.code: r for r in region_scope}
        self.groups = {g.name: g for g in TeachingGroup.objects.visible_to(by)}
        ids = [row["身份证号"].upper() for row in rows]
        phones = [row["手机号"] for row in rows]
        self.existing = {
            i.id_number: i
            for i in Instructor.objects.filter(id_number__in=ids).prefetch_related("groups", "specialties")
        }
        self.visible = set(
            Instructor.objects.visible_to(by)
            .filter(Q(id_number__in=ids) | Q(phone__in=phones))
            .values_list("id_number", flat=True)
        )
        self.phones_taken = dict(Instructor.objects.filter(phone__in=phones).values_list("phone", "id_number"))
        self.seen_ids: dict[str, int] = {}
        self.seen_phones: dict[str, int] = {}

    def check_row(self, row: Row, problems: list[str]) -> _Checked:
        for name in REQUIRED:
            if not row[name]:
                problems.append(_("“%(column)s” is empty.") % {"column": name})
        id_number = row["身份证号"].upper()
        phone = self._phone(id_number, row["手机号"], problems)
        if MASK in id_number:
            problems.append(
                _(
                    "The ID card number is masked (a file exported without full numbers). Export the roster with "
                    "full ID card numbers to import it."
                )
            )
        for validator, value in ((validate_id_number, id_number), (validate_phone, phone)):
            if value and MASK not in value:
                try:
                    validator(value)
                except ValidationError as exc:
                    problems.extend(exc.messages)
        self._check_duplicates(row, id_number, phone, problems)
        gender = GENDERS.get(row["性别"])
        if row["性别"] and gender is None:
            problems.append(_("Gender must be 男 or 女."))
        tier = self._tier(row, problems)
        region = self.regions.get(row["地区代码"])
        if row["地区代码"] and region is None:
            problems.append(
                _("Region code %(code)s is unknown or outside your responsibility.") % {"code": row["地区代码"]}
            )
        group_names = split_list(row["教研组"])
        unknown = [name for name in group_names if name not in self.groups]
        if unknown:
            problems.append(_("Unknown teaching-research group: %(names)s.") % {"names": "、".join(unknown)})
        status = self._status(row, id_number, problems)
        try:
            joined_on = _date(row.raw("入库日期"))
        except ValueError as exc:
            problems.append(str(exc))
            joined_on = None
        for name, limit in (("姓名", 40), ("工作单位", 100), ("职务", 60)):
            if len(row[name]) > limit:
                problems.append(
                    _("“%(column)s” is longer than %(limit)d characters.") % {"column": name, "limit": limit}
                )
        values = {
            "name": row["姓名"],
            "gender": gender,
            "id_number": id_number,
            "phone": phone,
            "employer": row["工作单位"],
            "post": row["职务"],
            "tier": tier,
            "region": region,
            "joined_on": joined_on,
            "biography": row["个人简介"],
        }
        return _Checked(values=values, groups=group_names, specialties=split_list(row["专长"]), status=status)

    def _phone(self, id_number: str, phone: str, problems: list[str]) -> str:
        """A masked phone number of a known instructor that matches the stored one means "unchanged"."""
        if MASK not in phone or MASK in id_number:
            return phone  # (a row with a masked ID card number gets one error, for its key)
        known = self.existing.get(id_number) if id_number in self.visible else None
        if known is not None and mask_phone(known.phone) == phone:
            return known.phone
        problems.append(
            _(
                "The phone number is masked. Enter the full number (a masked number is only read as “unchanged” "
                "for an instructor already in the registry)."
            )
        )
        return phone

    def _check_duplicates(self, row: Row, id_number: str, phone: str, problems: list[str]) -> None:
        if id_number in self.seen_ids:
            problems.append(_("The same ID card number is already in row %(row)d.") % {"row": self.seen_ids[id_number]})
        if phone in self.seen_phones:
            problems.append(_("The same phone number is already in row %(row)d.") % {"row": self.seen_phones[phone]})
        self.seen_ids.setdefault(id_number, row.number)
        self.seen_phones.setdefault(phone, row.number)
        # Say that a row conflicts and whom to ask, never where the other record lives.
        hidden_id = id_number in self.existing and id_number not in self.visible
        owner = self.phones_taken.get(phone)
        other_phone = owner is not None and owner != id_number
        if hidden_id or (other_phone and owner not in self.visible):
            problems.append(str(CONFLICT))
        elif other_phone:
            problems.append(_("The phone number belongs to another instructor in the registry."))

    def _tier(self, row: Row, problems: list[str]) -> str | None:
        tier = TIERS.get(row["层级"])
        if row["层级"] and tier is None:
            problems.append(_("Tier must be 省级, 市级 or 县级."))
        elif tier and self.county_only and tier != Instructor.Tier.COUNTY:
            problems.append(_("A county organizer can import county-level instructors only."))
        return tier

    def _status(self, row: Row, id_number: str, problems: list[str]) -> str | None:
        # A record the user cannot see is reported as a conflict only; its status is nobody's business here.
        if MASK in id_number:
            return None  # the row is refused for its masked key; its status says nothing yet
        known = self.existing.get(id_number) if id_number in self.visible else None
        status = STATUSES.get(row["状态"] or ("候选" if self.county_only and known is None else "在库"))
        if status is None:
            problems.append(_("Status must be one of %(values)s.") % {"values": "、".join(STATUSES)})
        elif known is not None and known.status != status:
            problems.append(_("Status changes cannot be imported; change the status on the instructor's page."))
        elif known is None and self.county_only and status != Instructor.Status.CANDIDATE:
            problems.append(_("A county organizer imports new instructors as candidates (状态 empty or 候选)."))
        return status

    def write(self, checked: list[_Checked], result: ImportResult) -> None:
        specialty_names = {name for row in checked for name in row.specialties}
        known = {s.name: s for s in Specialty.objects.filter(name__in=specialty_names)}
        for name in specialty_names - set(known):
            known[name] = Specialty.objects.create(name=name)
        reason = _("Imported from the roster file")
        for row in checked:
            instructor = self.existing.get(row.values["id_number"])
            group_ids = {self.groups[name].pk for name in row.groups}
            specialty_ids = {known[name].pk for name in row.specialties}
            if instructor is None:
                instructor = Instructor(status=row.status, **row.values)
                instructor.full_clean(exclude=["photo"])
                instructor.save()
                instructor.groups.set(group_ids)
                instructor.specialties.set(specialty_ids)
                status_history_start(obj=instructor, by=self.by, reason=reason)
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


def roster_import(*, upload, by: User, progress=None) -> ImportResult:
    """Validate the whole file, then write it in one transaction, or write nothing and return the row errors."""
    return RosterImporter(by=by).run(upload, progress=progress)


def _roster_rows(queryset, *, full_numbers: bool):
    tiers = {value: label for label, value in TIERS.items()}
    genders = {value: label for label, value in GENDERS.items()}
    statuses = {value: label for label, value in STATUSES.items()}
    rows = (
        [
            i.name,
            genders.get(i.gender, ""),
            i.id_number if full_numbers else mask_id_number(i.id_number),
            i.phone if full_numbers else mask_phone(i.phone),
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
    return rows


def roster_export(queryset) -> bytes:
    """The roster as an .xlsx workbook with Chinese headers, in the import's format; numbers masked as on screen."""
    return xlsx_bytes(Sheet("师资名册", HEADERS, _roster_rows(queryset, full_numbers=False)))


def roster_export_full(*, by: User, filters: dict, purpose: str) -> bytes:
    """The roster a user sees, filtered, with full ID card and phone numbers; recorded with the filter and purpose."""
    full_export_check(by=by, purpose=purpose)
    rows = CountedRows(_roster_rows(selectors.instructor_list(user=by, filters=filters), full_numbers=True))
    data = xlsx_bytes(Sheet("师资名册", HEADERS, rows))
    export_record_create(
        export=FULL_EXPORT, title="师资名册", by=by, filters=filters, row_count=rows.count, purpose=purpose
    )
    return data


def export_filename(prefix: str = "师资名册") -> str:
    return xlsx_export_filename(prefix)
