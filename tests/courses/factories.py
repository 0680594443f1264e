"""Builders for catalog test data, on top of the shared registry factories."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses.models import (
    Column,
    ColumnWork,
    Course,
    CourseStatusChange,
    Rectification,
    Series,
    Topic,
    TrainingProgramme,
    TrainingSession,
)
from instructors.models import Instructor, Region

_seq = itertools.count(1)

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def topic(name: str | None = None) -> Topic:
    return Topic.objects.create(name=name or f"专题{next(_seq)}")


def series(name: str | None = None) -> Series:
    return Series.objects.create(name=name or f"系列{next(_seq)}")


def course(
    *,
    lead: Instructor,
    status: str = Course.Status.ACTIVE,
    title: str | None = None,
    topic_obj: Topic | None = None,
    **extra,
) -> Course:
    fields = {
        "title": title or f"课程{next(_seq)}",
        "topic": topic_obj or topic(),
        "lead_instructor": lead,
        "status": status,
        "duration_minutes": 90,
    }
    fields.update(extra)
    created = Course.objects.create(**fields)
    CourseStatusChange.objects.create(course=created, from_status="", to_status=status, reason="test")
    return created


def rectification(*, course_obj: Course, deadline: dt.date | None = None, status: str = Rectification.Status.OPEN):
    course_obj.status = Course.Status.RECTIFICATION
    course_obj.save(update_fields=["status"])
    return Rectification.objects.create(
        course=course_obj,
        reason="满意度未达标",
        findings="连续两场黄灯",
        deadline=deadline or timezone.localdate() + dt.timedelta(days=30),
        status=status,
    )


def column(*, name: str | None = None, slug: str | None = None) -> Column:
    n = next(_seq)
    return Column.objects.create(name=name or f"专栏{n}", slug=slug or f"column-{n}")


def work(*, column_obj: Column, course_obj: Course | None = None, published: bool = True) -> ColumnWork:
    return ColumnWork.objects.create(
        column=column_obj,
        course=course_obj,
        title=f"作品{next(_seq)}",
        format=Course.Format.MICRO_VIDEO,
        published_on=timezone.localdate(),
        is_published=published,
        view_count=10,
    )


def programme(*, region: Region, topics: list[Topic] | None = None, signup_open: bool = True) -> TrainingProgramme:
    created = TrainingProgramme.objects.create(
        title=f"培训班{next(_seq)}", year=timezone.localdate().year, region=region, signup_open=signup_open
    )
    if topics:
        created.topics.set(topics)
    return created


def session(*, programme_obj: TrainingProgramme, topic_obj: Topic, capacity: int = 2, days: int = 7) -> TrainingSession:
    return TrainingSession.objects.create(
        programme=programme_obj,
        topic=topic_obj,
        title=f"专题课{next(_seq)}",
        starts_at=timezone.now() + dt.timedelta(days=days),
        place="市委党校",
        teacher="王教授",
        capacity=capacity,
    )


def pdf_upload(name: str = "课件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def exe_upload(name: str = "课件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, content_type="application/pdf")


def office_upload(folder: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue())
