"""The private iCal feed of an instructor's schedule (我的日程), written by hand (RFC 5545)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core import signing

from instructors.models import Instructor

from .models import Lecture

_SALT = "outreach.ical"


def ical_token(instructor: Instructor) -> str:
    """A signed, unguessable token naming the instructor; the feed URL needs no login."""
    return signing.Signer(salt=_SALT).sign(str(instructor.pk)).replace(":", ".")


def instructor_id_for_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=_SALT).unsign(token.replace(".", ":"))
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded with a leading space (RFC 5545 §3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def lectures_ics(*, lectures: Iterable[Lecture], calendar_name: str, host: str) -> str:
    stamp = _utc(dt.datetime.now(dt.UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//djsz//outreach//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(calendar_name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for lecture in lectures:
        place = lecture.organization.name + (f" {lecture.venue}" if lecture.venue else "")
        lines += [
            "BEGIN:VEVENT",
            f"UID:lecture-{lecture.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(lecture.start)}",
            f"DTEND:{_utc(lecture.end)}",
            f"SUMMARY:{_escape(lecture.course.title)}",
            f"LOCATION:{_escape(place)}",
            f"STATUS:{'CONFIRMED' if lecture.status != Lecture.Status.PLANNED else 'TENTATIVE'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
