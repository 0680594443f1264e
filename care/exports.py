"""The finance export of a fund's awards. Headers are fixed Chinese words (a file format shared with the finance
office); it is written through the portal's one XLSX writer (core/xlsx.py), so a name such as "=HYPERLINK(…)" stays
text, and the sheet has its title, a frozen header row and column widths like every other export."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from core.xlsx import Sheet, xlsx_bytes

from .models import AwardFund, Nomination

AWARD_HEADERS = ["序号", "奖项", "姓名", "所属地区", "工作单位", "金额（元）", "批准人", "批准时间", "理由"]


def _rows(fund: AwardFund, nominations: Iterable[Nomination]) -> Iterator[list]:
    total = 0
    for number, n in enumerate(nominations, start=1):
        total += n.amount
        yield [
            number,
            n.round.name,
            n.instructor.name,
            n.instructor.region.name,
            n.instructor.employer,
            n.amount,
            str(n.decided_by or ""),
            n.decided_at.strftime("%Y-%m-%d %H:%M") if n.decided_at else "",
            n.reason,
        ]
    yield ["合计", "", "", "", "", total]
    yield [f"{fund.region.name} {fund.year}年 {fund.name}", "预算", fund.budget, "余额", fund.balance]


def awards_workbook(fund: AwardFund, rows: Iterable[Nomination]) -> bytes:
    """The awards of a fund, one row each, then the total and the fund's budget and balance."""
    return xlsx_bytes(Sheet("奖励发放", AWARD_HEADERS, _rows(fund, rows)))
