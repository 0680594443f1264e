"""Rows per second checked by the Excel import (issue 15 item 7: a 100,000-row organization import), for bench.py.

The workbook is built here (write-only openpyxl) over the organizer's villages; the import runs in full (inspection,
streaming read, every row checked) except the final write, which is what the rows/s figure is about. The anchor is
openpyxl's read-only pass over the same file alone, the floor any check sits on.
"""

from __future__ import annotations

import io
import os
import statistics
import time
import zipfile

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 100_000))
GOAL = 5000


def workbook(region_codes: list[str], rows: int = ROWS) -> bytes:
    """A workbook as Excel saves one: text in the shared-strings table, numbers inline (openpyxl itself writes
    inline strings, which read slower than what people actually upload)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    strings: dict[str, int] = {}

    def shared(value: str) -> int:
        return strings.setdefault(value, len(strings))

    header = ["名称", "类型", "地区代码", "党员人数", "联系人", "联系电话"]
    lines = []
    for r in range(1, rows + 2):
        n = r - 2
        values = (
            header
            if r == 1
            else [f"第{n}党支部", "其他", region_codes[n % len(region_codes)], n % 300, "联系人", f"139{n:08d}"]
        )
        cells = []
        for c, value in enumerate(values, start=1):
            ref = f"{get_column_letter(c)}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    body, size = "".join(lines), f"A1:F{rows + 1}"
    sheet = f'<worksheet xmlns="{main}"><dimension ref="{size}"/><sheetData>{body}</sheetData></worksheet>'
    sst = "".join(f"<si><t>{value}</t></si>" for value in strings)
    sst = f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>'
    template = io.BytesIO()
    Workbook().save(template)
    source, out = zipfile.ZipFile(template), io.BytesIO()
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name).decode()
            if name == "xl/worksheets/sheet1.xml":
                content = sheet
            elif name == "[Content_Types].xml":
                content = content.replace(
                    "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}" /></Types>'
                )
            elif name == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    "</Relationships>",
                    f'<Relationship Type="{rel}" Target="sharedStrings.xml" Id="rId9" /></Relationships>',
                )
            target.writestr(name, content)
        target.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


def run(organizer, repeat: int = 3) -> list[tuple]:
    """One row of bench.py's computation table: median / p95 seconds, rows/s, against openpyxl's bare read."""
    from openpyxl import load_workbook

    from core.imports import ImportResult
    from instructors.models import Region
    from outreach.imports import OrganizationImporter

    class CheckOnly(OrganizationImporter):
        def write(self, checked, result: ImportResult) -> None:
            result.created = sum(1 for action, _org in checked if action == "create")

    codes = list(
        Region.objects.within(organizer.region)
        .filter(level__gte=Region.Level.COUNTY)
        .values_list("code", flat=True)[:5000]
    )
    data = workbook(codes)
    timings, bare = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = CheckOnly(by=organizer).run(io.BytesIO(data))
        timings.append(time.perf_counter() - started)
        assert result.ok, result.errors[:3]
        started = time.perf_counter()
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()
        bare.append(time.perf_counter() - started)
    median, anchor = statistics.median(timings), statistics.median(bare)
    rate = ROWS / median
    return [
        (
            f"Organization import, {ROWS:,} rows checked ({len(data) / 1e6:.1f} MB workbook)",
            f"{median:.1f} s / {max(timings):.1f} s · {rate:,.0f} rows/s",
            f"openpyxl read-only pass alone {anchor:.1f} s",
            f"{median / anchor:.2f}×",
            f"goal ≥ {GOAL:,} rows/s: {'met' if rate >= GOAL else 'missed'}",
        )
    ]
