"""The private iCal feeds (RFC 5545, written by hand): an instructor's own lectures (我的日程) and an organizer's
region. The credential is the user's random feed token (instructors.User.feed_token), which the user can reset and
which stops working when the account is deactivated."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from instructors.models import User

from .models import Lecture

# Control characters are not allowed in a TEXT value (RFC 5545 §3.3.11); HTAB is, and line breaks are escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def user_for_token(token: str) -> User | None:
    """The active account whose feed token this is, or None (unknown, reset or deactivated)."""
    if len(token) < 32:
        return None
    return User.objects.filter(feed_token=token, is_active=True).select_related("region").first()


def _escape(text: str) -> str:
    """A TEXT value: CR LF, CR and LF become the escaped newline, other control characters go, and the
    specials (backslash, semicolon, comma) are escaped, so user text can never start a property of its own."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
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
