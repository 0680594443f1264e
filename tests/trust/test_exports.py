"""Every Excel export of the portal, downloaded as a person would: each sheet has its title, a frozen header row and
column widths (core/xlsx.py), and ID card and phone numbers are masked unless the full export was asked for."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core.models import ExportRecord
from tests.trust.urls import url_names
from tests.trust.world import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

# Each export and the arguments of its URL (objects of instructor A / county X).
EXPORTS = {
    "instructors:instructor_export": None,
    "courses:course_export": None,
    "courses:premium_export": None,
    "outreach:annual_report_export": None,
    "evaluations:result_export": None,
    "care:fund_export": "fund",
    "alliance:registration_export": "joint_event",
}


def _url(name: str, world) -> str:
    key = EXPORTS[name]
    return reverse(name, args=[world["a"][key].pk] if key else [])


def _workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.status_code
    return load_workbook(io.BytesIO(response.content))


def _layout(book) -> list[tuple]:
    """Per sheet: (has a title, frozen below the header, every used column has a width)."""
    layout = []
    for sheet in book.worksheets:
        letters = [cell.column_letter for cell in sheet[1]]
        widths = [sheet.column_dimensions[letter].width for letter in letters]
        layout.append((bool(sheet.title) and not sheet.title.startswith("Sheet"), sheet.freeze_panes, all(widths)))
    return layout


@pytest.fixture(scope="module")
def admin(world) -> Client:
    return client_for("admin", world)


def test_every_export_url_is_listed_here():
    assert sorted(n for n in url_names() if n.endswith("_export")) == sorted(EXPORTS)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_export_has_titles_frozen_header_and_widths(world, admin, name):
    book = _workbook(admin.get(_url(name, world)))
    assert _layout(book) == [(True, "A2", True)] * len(book.worksheets)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_export_never_carries_full_numbers(world, admin, name):
    person = world["a"]["instructor"]
    book = _workbook(admin.get(_url(name, world)))
    cells = {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v}
    assert (person.id_number in cells, person.phone in cells) == (False, False)


def test_roster_export_shows_the_numbers_masked_as_on_screen(world, admin):
    person = world["a"]["instructor"]
    book = _workbook(admin.get(reverse("instructors:instructor_export")))
    rows = {row[0]: row for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert rows[person.name][2:4] == (person.masked_id_number, person.masked_phone)


def test_full_roster_export_has_the_same_layout(world, admin):
    response = admin.post(
        reverse("instructors:instructor_export_full"), {"full_numbers": "on", "purpose": "上报省委组织部"}
    )
    assert (_layout(_workbook(response)), ExportRecord.objects.count()) == ([(True, "A2", True)], 1)
