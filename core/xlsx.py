"""Every Excel export of the portal: one workbook writer and one HTTP response.

User text is written as text. openpyxl turns a string that starts with ``=`` into a live formula, and a
spreadsheet program may turn ``+``, ``-``, ``@`` or a leading tab/CR into one when the cell is edited; a biography
``=HYPERLINK(...)`` next to ID and phone numbers would run in the organizer's Excel. Such strings are stored as
string cells with Excel's "quote prefix" flag, so they show exactly as typed and stay text when edited.

Each sheet gets a bold, frozen header row, its title and column widths fitted to the header and the first rows.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters that make a spreadsheet program read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass
class Sheet:
    """One worksheet: its title, the header row and the data rows (any iterable; streamed)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence] = field(default_factory=list)
    widths: Sequence[float] | None = None  # fixed widths instead of fitting them to the content


def is_risky_text(value) -> bool:
    """Whether a string would be (or could become) a formula in a spreadsheet program."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _display_width(value) -> float:
    text = "" if value is None else str(value)
    # CJK characters take about two columns.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text.split("\n", 1)[0]) + 2


def _cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if is_risky_text(value):
        cell.value = value
        cell.data_type = "s"  # never "f": the text is stored, not evaluated
        cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_sheet(workbook: Workbook, spec: Sheet) -> None:
    sheet = workbook.create_sheet(spec.title[:31])
    rows = iter(spec.rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    widths = list(spec.widths or [])
    if not widths:
        columns = max([len(spec.headers), *(len(row) for row in sample)] or [0])
        for index in range(columns):
            values = [spec.headers[index] if index < len(spec.headers) else ""]
            values += [row[index] for row in sample if index < len(row)]
            widths.append(min(MAX_WIDTH, max(MIN_WIDTH, *(_display_width(v) for v in values))))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, text, bold=True) for text in spec.headers])
    for row in itertools.chain(sample, rows):
        sheet.append([_cell(sheet, value) for value in row])


def xlsx_bytes(*sheets: Sheet) -> bytes:
    """A workbook with the given sheets, written in streaming (write-only) mode."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(workbook, spec)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename(prefix: str) -> str:
    """``<prefix>_YYYYMMDD.xlsx`` with today's local date."""
    return f"{prefix}_{timezone.localdate():%Y%m%d}.xlsx"


def xlsx_response(data: bytes, filename: str, fallback: str = "export.xlsx") -> HttpResponse:
    """An attachment response; the Chinese file name goes in RFC 5987 form with an ASCII fallback."""
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response
