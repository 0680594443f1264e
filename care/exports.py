"""The finance export of a fund's awards. Headers are fixed Chinese words (a file format shared with the finance
office); every text that a user typed is written as a text cell, so a name such as "=HYPERLINK(…)" is never run
as a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import AwardFund, Nomination

AWARD_HEADERS = ["序号", "奖项", "姓名", "所属地区", "工作单位", "金额（元）", "批准人", "批准时间", "理由"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def awards_workbook(fund: AwardFund, rows: Iterable[Nomination]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("奖励发放")
    header = [WriteOnlyCell(sheet, value=text) for text in AWARD_HEADERS]
    for cell in header:
        cell.font = Font(bold=True)
    sheet.append(header)
    total = 0
    for number, n in enumerate(rows, start=1):
        total += n.amount
        sheet.append(
            [
                number,
                _text(sheet, n.round.name),
                _text(sheet, n.instructor.name),
                _text(sheet, n.instructor.region.name),
                _text(sheet, n.instructor.employer),
                n.amount,
                _text(sheet, str(n.decided_by or "")),
                n.decided_at.strftime("%Y-%m-%d %H:%M") if n.decided_at else "",
                _text(sheet, n.reason),
            ]
        )
    sheet.append(["合计", "", "", "", "", total])
    sheet.append(
        [_text(sheet, f"{fund.region.name} {fund.year}年 {fund.name}"), "预算", fund.budget, "余额", fund.balance]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response
