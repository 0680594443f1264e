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


QUALITY_HEADERS = ["年度", "师资", "年度质量分 Q", "有效评价授课"]


def results_export(results: Iterable[LectureResult], qualities: Iterable[dict] = ()) -> bytes:
    """One row per result; expects rows from selectors.results_list (lecture, course, instructor, county joined).
    A second sheet holds the stored yearly quality Q of the instructors in scope (selectors.year_qualities): the one
    Q the profile, 我的评价 and the review show."""
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
    quality_rows = ([q["year"], q["instructor__name"], _number(q["quality"]), q["scored_lectures"]] for q in qualities)
    return xlsx_bytes(Sheet("评价结果", HEADERS, rows), Sheet("年度质量分", QUALITY_HEADERS, quality_rows))
