"""Excel exports of the catalog and the premium library. The Chinese headers are a file format shared with other
offices (like the roster's), so they are fixed words rather than translated interface text."""

from __future__ import annotations

from django.utils import timezone

from core.xlsx import Sheet, export_filename, xlsx_bytes

from .models import Course, PremiumLibraryEntry

__all__ = ["catalog_export", "export_filename", "premium_export"]

CATALOG_HEADERS = [
    "课程名称",
    "专题",
    "系列",
    "形式",
    "时长（分钟）",
    "授课对象",
    "主讲师资",
    "师资层级",
    "合作师资",
    "教研组",
    "状态",
    "当前课件版本",
]
PREMIUM_HEADERS = ["年度", "课程名称", "专题", "形式", "主讲师资", "教研组", "入库原因", "来源说明", "入库时间"]
FORMATS = {
    Course.Format.LECTURE: "面授",
    Course.Format.MICRO_VIDEO: "微视频",
    Course.Format.ANIMATION: "微动画",
    Course.Format.AUDIO: "音频",
    Course.Format.VR_AR: "VR/AR",
    Course.Format.LIVE: "线上直播",
}
STATUSES = {
    Course.Status.DRAFT: "草稿",
    Course.Status.IN_REVIEW: "审核中",
    Course.Status.ACTIVE: "在用",
    Course.Status.PREMIUM: "精品",
    Course.Status.RECTIFICATION: "下架整改",
    Course.Status.RETIRED: "已停用",
}
TIERS = {"provincial": "省级", "municipal": "市级", "county": "县级"}
REASONS = {
    PremiumLibraryEntry.Reason.ORGANIZER_SELECTION: "组织部门遴选",
    PremiumLibraryEntry.Reason.COMPETITION_TOP_TEN: "十佳课程擂台赛",
}


def catalog_export(courses) -> bytes:
    """The catalog as .xlsx; expects rows from selectors.course_export_rows (co-instructors prefetched)."""
    rows = (
        [
            c.title,
            c.topic.name,
            c.series.name if c.series else "",
            FORMATS.get(c.format, c.format),
            c.duration_minutes,
            c.audience,
            c.lead_instructor.name,
            TIERS.get(c.lead_instructor.tier, ""),
            "、".join(i.name for i in c.co_instructors.all()),
            c.group.name if c.group else "",
            STATUSES.get(c.status, c.status),
            f"v{c.current_version}" if c.current_version else "",
        ]
        for c in courses
    )
    return xlsx_bytes(Sheet("课程目录", CATALOG_HEADERS, rows))


def premium_export(entries) -> bytes:
    """One year's premium library as .xlsx; expects rows from selectors.premium_library."""
    rows = (
        [
            e.year,
            e.course.title,
            e.course.topic.name,
            FORMATS.get(e.course.format, e.course.format),
            e.course.lead_instructor.name,
            e.course.group.name if e.course.group else "",
            REASONS.get(e.reason, e.reason),
            e.source,
            timezone.localtime(e.added_at).strftime("%Y-%m-%d"),
        ]
        for e in entries
    )
    return xlsx_bytes(Sheet("精品课程库", PREMIUM_HEADERS, rows))
