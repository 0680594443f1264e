"""Private files: stored under unguessable names and handed out only by views that have checked who may see them.

Nothing under MEDIA_ROOT is served by its URL (config/urls.py serves no media, nginx's media location is
``internal``). A view decides whether the user may see an object, then passes the object's file to
``serve_private_file``, which answers in the way the deployment is set up for (setting ``PRIVATE_FILES_SERVE``):

- ``django`` (the default; development and a single node): Django streams the file itself (``FileResponse``).
- ``nginx``: an empty response with ``X-Accel-Redirect: <PRIVATE_FILES_ACCEL_PREFIX><name>``; nginx then sends the
  file from a location marked ``internal``, which no client can request directly (deploy/nginx.conf).
- ``s3``: a redirect to a presigned URL of the private bucket that expires after ``S3_URL_EXPIRE`` seconds.

New uploads get names like ``courseware/3f/3f9c…e1.pdf`` (128 random bits, nothing taken from the object, the
course id, a version number or the uploader's file name but a clean extension), so that even a leaked name of one
file says nothing about any other. ``manage.py private_files_rename`` moves files stored under older, guessable
names. This module imports Django only, never an app of the project.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

SERVE_MODES = ("django", "nginx", "s3")
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def unguessable_name(prefix: str, filename: str) -> str:
    """``<prefix>/<2 hex>/<32 random hex>.<ext>``; the extension is kept only when it is short and plain."""
    extension = posixpath.splitext(filename or "")[1].lower().lstrip(".")
    token = secrets.token_hex(16)
    suffix = f".{extension}" if _EXTENSION.fullmatch(extension) else ""
    return f"{prefix.strip('/')}/{token[:2]}/{token}{suffix}"


def is_unguessable(name: str, prefix: str) -> bool:
    """Whether a stored name already has the unguessable form under `prefix`."""
    match = re.fullmatch(rf"{re.escape(prefix.strip('/'))}/([0-9a-f]{{2}})/([0-9a-f]{{32}})(\.[a-z0-9]{{1,8}})?", name)
    return bool(match) and match.group(2).startswith(match.group(1))


@deconstructible
class UnguessableUploadTo:
    """``upload_to`` for a private file field: a random name under `prefix` (see ``unguessable_name``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance: models.Model, filename: str) -> str:
        return unguessable_name(self.prefix, filename)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnguessableUploadTo) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def serve_private_file(
    file: FieldFile | None,
    *,
    filename: str | None = None,
    as_attachment: bool = False,
    content_type: str | None = None,
    max_age: int = 0,
) -> HttpResponse:
    """The response that hands a stored file to a user the calling view has already checked; 404 when empty.

    `filename` is the name the browser saves the file under (defaults to the stored name's last part);
    `max_age` lets the user's own browser (never a shared cache) keep the file that many seconds.
    """
    if not file or not file.name:
        raise Http404
    name = file.name
    shown = filename or posixpath.basename(name)
    content_type = content_type or mimetypes.guess_type(shown)[0] or "application/octet-stream"
    mode = settings.PRIVATE_FILES_SERVE
    if mode == "s3":
        parameters = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(as_attachment, shown),
        }
        response: HttpResponse = HttpResponseRedirect(file.storage.url(name, parameters=parameters))
    elif mode == "nginx":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_FILES_ACCEL_PREFIX.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, shown)
    else:
        try:
            handle = file.storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=as_attachment, filename=shown, content_type=content_type)
    response["Cache-Control"] = f"private, max-age={max_age}" if max_age else "private, no-cache"
    return response


# --- Moving files stored under guessable names -------------------------------------------------------------------


@dataclass(frozen=True)
class PrivateField:
    """A file field whose files are private (its ``upload_to`` is an ``UnguessableUploadTo``)."""

    model: type[models.Model]
    name: str
    prefix: str

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.name}"


def private_fields() -> Iterator[PrivateField]:
    """Every private file field of every installed model."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and isinstance(field.upload_to, UnguessableUploadTo):
                yield PrivateField(model, field.name, field.upload_to.prefix)


@dataclass
class RenameReport:
    moved: int = 0
    missing: int = 0
    already: int = 0


def rename_to_unguessable(target: PrivateField, *, dry_run: bool = False) -> RenameReport:
    """Copy each file of `target` stored under an old name to an unguessable one, point the row at it and delete
    the old file once the row is saved. Safe to run again: names already unguessable are left alone, and a row
    changed meanwhile (a new upload) keeps its new file."""
    report = RenameReport()
    manager = target.model._default_manager
    field = target.model._meta.get_field(target.name)
    rows = manager.exclude(**{target.name: ""}).exclude(**{f"{target.name}__isnull": True})
    for pk, old in rows.values_list("pk", target.name).iterator():
        if is_unguessable(old, target.prefix):
            report.already += 1
            continue
        storage = field.storage
        if not storage.exists(old):
            report.missing += 1
            continue
        if dry_run:
            report.moved += 1
            continue
        with storage.open(old, "rb") as handle:
            new = storage.save(unguessable_name(target.prefix, old), File(handle))
        with transaction.atomic():
            updated = manager.filter(pk=pk, **{target.name: old}).update(**{target.name: new})
        storage.delete(old if updated else new)
        report.moved += bool(updated)
    return report


def _walk(storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(folder, name)
    for sub in folders:
        yield from _walk(storage, posixpath.join(folder, sub))


def delete_orphans(*, folders: Iterable[str], min_age: timedelta, dry_run: bool = False) -> list[str]:
    """Delete files under `folders` that no private file field refers to (thumbnails of replaced photos, files of
    deleted rows) and that are older than `min_age` (an upload whose row is not committed yet is never touched).
    Returns the names deleted (or, with `dry_run`, those that would be)."""
    from django.core.files.storage import default_storage

    referenced: set[str] = set()
    for target in private_fields():
        names = target.model._default_manager.exclude(**{target.name: ""}).values_list(target.name, flat=True)
        referenced.update(names.iterator())
    cutoff = timezone.now() - min_age
    gone = []
    for folder in folders:
        for name in _walk(default_storage, folder):
            if name in referenced or default_storage.get_modified_time(name) > cutoff:
                continue
            if not dry_run:
                default_storage.delete(name)
            gone.append(name)
    return gone
