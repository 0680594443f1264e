"""The annual work report (年度工作报表) as an Excel workbook with Chinese headers."""

from __future__ import annotations

from core.xlsx import Sheet, xlsx_bytes
from instructors.models import Region


def report_filename(year: int, region: Region | None) -> str:
    return f"{year}年度工作报表{('_' + region.name) if region else ''}.xlsx"


def annual_report_xlsx(figures: dict, scope_name: str) -> bytes:
    """Every figure of the report page, one sheet per table."""
    totals, loud = figures["totals"], figures["loudspeakers"]
    overview = [
        ("开展示范课（场）", totals["lectures"]),
        ("授课学时", float(totals["hours"])),
        ("开设课程（门）", totals["courses"]),
        ("其中精品课程（门）", totals["premium_courses"]),
        ("下基层师资（人）", totals["instructors"]),
        *((f"其中{row['label']}师资（人）", row["instructors"]) for row in figures["tiers"]),
        ("覆盖基层组织（个）", totals["organizations"]),
        ("覆盖党员（人）", totals["members"]),
        ("现场听课（人次）", totals["attendance"]),
        ("乡村大喇叭（个村）", loud["stations"]),
        ("当年播放的村（个）", loud["active"]),
        ("播放（次）", loud["plays"]),
        ("月均播放（次）", loud["plays_per_month"]),
        ("大喇叭覆盖群众（人）", loud["reach"]),
    ]
    return xlsx_bytes(
        Sheet("总览", [f"{figures['year']}年度党员教育师资工作报表", scope_name], overview),
        Sheet(
            "按月",
            ["月份", "示范课（场）", "覆盖组织（个）", "听课（人次）", "大喇叭播放（次）", "大喇叭覆盖（人）"],
            [
                [f"{m['month']}月", m["lectures"], m["organizations"], m["attendance"], p["plays"], p["listeners"]]
                for m, p in zip(figures["months"], figures["loudspeaker_months"], strict=True)
            ],
        ),
        Sheet(
            "按层级",
            ["层级", "下基层师资（人）", "示范课（场）", "学时"],
            [[str(row["label"]), row["instructors"], row["lectures"], float(row["hours"])] for row in figures["tiers"]],
        ),
        Sheet(
            "按县区",
            ["县（市、区）", "示范课（场）", "覆盖组织（个）", "覆盖党员（人）", "听课（人次）"],
            [
                [row["county__name"], row["lectures"], row["organizations"], row["members"], row["attendance"] or 0]
                for row in figures["counties"]
            ],
        ),
        Sheet(
            "按组织类型",
            ["类型", "示范课（场）", "覆盖组织（个）", "覆盖党员（人）"],
            [[str(row["label"]), row["lectures"], row["organizations"], row["members"]] for row in figures["types"]],
        ),
    )
