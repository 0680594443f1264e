"""Recognises courseware uploads by their content (magic bytes and zip structure), never by the file name."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MB = 1024 * 1024
# Per-type limits; a deployment may override them with COURSEWARE_MAX_BYTES in settings.
DEFAULT_MAX_BYTES = {"pptx": 100 * MB, "pdf": 50 * MB, "docx": 20 * MB, "mp4": 500 * MB, "mp3": 50 * MB}

HELP_TEXT = gettext_lazy(
    "PPTX up to 100 MB, PDF up to 50 MB, DOCX up to 20 MB, MP4 up to 500 MB, MP3 up to 50 MB. "
    "The type is recognised from the file's content, not its name."
)


def max_bytes(kind: str) -> int:
    return getattr(settings, "COURSEWARE_MAX_BYTES", DEFAULT_MAX_BYTES).get(kind, DEFAULT_MAX_BYTES[kind])


def _zip_kind(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("ppt/") for name in names):
        return "pptx"
    if any(name.startswith("word/") for name in names):
        return "docx"
    return None


def detect_kind(upload) -> str | None:
    """The courseware type of an upload from its first bytes (and, for Office files, its zip entries), or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0):
        return "mp3"
    return None


def clean_courseware_upload(upload) -> str:
    """Validate an upload and return its detected type; raises ValidationError with a clear message otherwise."""
    kind = detect_kind(upload)
    if kind is None:
        upload.seek(0)
        head = upload.read(2)
        upload.seek(0)
        if head == b"MZ":
            raise ValidationError(
                _("This file is a Windows program, not courseware. Only PPTX, PDF, DOCX, MP4 and MP3 are accepted."),
                code="executable",
            )
        raise ValidationError(
            _("The file's content is not PPTX, PDF, DOCX, MP4 or MP3 (whatever its name says)."), code="format"
        )
    limit = max_bytes(kind)
    if upload.size > limit:
        raise ValidationError(
            _("This %(kind)s file is %(size).1f MB; at most %(limit)d MB is allowed for this type.")
            % {"kind": kind.upper(), "size": upload.size / MB, "limit": limit // MB},
            code="too_big",
        )
    return kind
