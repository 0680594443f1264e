"""The results export (评价结果 .xlsx), written through the portal's one XLSX writer (user text stays text)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from core.xlsx import Sheet, xlsx_bytes
from evaluations.models import LectureResult

HEADERS = [
    "授课日期",
    "课程",
    "师资",
    "县（市、区）",
    "综合得分",
    "有效学员答卷",
    "满意率",
    "满意率下限",
    "满意率上限",
    "预警",
    "数据不足",
]
FLAGS = {"red": "红色", "yellow": "黄色", "": ""}


def _number(value) -> float | None:
    return None if value is None else float(value)


def results_export(results: Iterable[LectureResult]) -> bytes:
    """One row per result; expects rows from selectors.results_list (lecture, course, instructor, county joined)."""
    rows = (
        [
            timezone.localtime(r.lecture.start).strftime("%Y-%m-%d %H:%M"),
            r.course.title,
            r.instructor.name,
            r.lecture.county.name,
            _number(r.score),
            r.trainee_n,
            _number(r.sr),
            _number(r.sr_lower),
            _number(r.sr_upper),
            FLAGS.get(r.flag, ""),
            "是" if r.insufficient else "否",
        ]
        for r in results
    )
    return xlsx_bytes(Sheet("评价结果", HEADERS, rows))
