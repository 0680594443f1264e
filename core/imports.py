"""The one Excel import framework: roster, organizations and play logs are subclasses of ``RowImporter``.

Rules every import keeps:
- the workbook is inspected before it is parsed: its uncompressed size and its number of cells and shared strings
  are counted from the zip (a 2 MB file with a million shared strings is refused in well under a second);
- it is read with openpyxl in read-only (streaming) mode and ``data_only``: a formula counts as its cached value;
- every row is checked first, each bad row is reported with its row number in Chinese, and if any row is bad
  nothing is written; otherwise everything is written in one transaction;
- importing the same file twice changes nothing the second time (subclasses compare before they write);
- a workbook with more rows than ``settings.IMPORT_ASYNC_ROWS`` is checked and written by a Celery task
  (``core.tasks.import_job_run_task``) with a progress bar, with the same all-or-nothing result.

The column headers are a file format shared with other offices, so they are fixed Chinese words.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from zipfile import BadZipFile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .queue import enqueue

IMPORT_TASK = "core.tasks.import_job_run_task"
Progress = Callable[[int, int], None]
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
_CHUNK = 1 << 20
READ_PROGRESS_EVERY = 2000
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportResult:
        errors = [RowError(**error) for error in data.get("errors", [])]
        return cls(data.get("created", 0), data.get("updated", 0), data.get("unchanged", 0), errors)


@dataclass
class WorkbookStats:
    rows: int
    cells: int
    shared_strings: int


# --- Reading ---------------------------------------------------------------------------------------------------------


def text(value) -> str:
    """A cell as trimmed text; whole floats lose their ``.0`` (Excel stores 12 as 12.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def whole_number(value: str, maximum: int) -> int | None:
    """A whole number 0..maximum written with ASCII digits, else None (``"²".isdigit()`` is true, ``int`` fails)."""
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= maximum else None


def split_list(value: str) -> list[str]:
    """``"a、b，c"`` → ``["a", "b", "c"]`` (the separators people type in Chinese and English)."""
    for sep in ("，", "、", ";", "；"):
        value = value.replace(sep, ",")
    return [part.strip() for part in value.split(",") if part.strip()]


def _unreadable() -> ValidationError:
    return ValidationError(_("The file cannot be read as an Excel workbook."), code="unreadable")


def _count(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...], limit: int) -> list[int]:
    """Occurrences of each needle in one zip member, read in chunks; stops once the first two are above ``limit``."""
    keep = max(len(needle) for needle in needles) - 1  # too short to hold a whole needle: nothing counted twice
    totals, tail = [0] * len(needles), b""
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            for i, needle in enumerate(needles):
                totals[i] += data.count(needle)
            if totals[0] + totals[1] > limit:
                break
            tail = data[-keep:]
    return totals


def inspect_workbook(upload) -> WorkbookStats:
    """Refuse a workbook that would be too big to parse, before openpyxl sees it; returns its size in rows."""
    max_cells = settings.IMPORT_MAX_CELLS
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            # Declared sizes bound the work: zipfile never inflates a member beyond its declared size.
            if sum(info.file_size for info in members) > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
                raise ValidationError(
                    _("The workbook is too large when unpacked (at most %(max)d MB).")
                    % {"max": settings.IMPORT_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
                    code="workbook_too_large",
                )
            names = {info.filename for info in members}
            strings = (
                sum(_count(archive, "xl/sharedStrings.xml", (b"<si>", b"<si "), max_cells))
                if "xl/sharedStrings.xml" in names
                else 0
            )
            cells = rows = 0
            for index, name in enumerate(sorted(name for name in names if _SHEET.fullmatch(name))):
                # One pass per sheet; rows are counted on the first sheet, the one that is imported.
                needles = (b"<c ", b"<c>", b"<row ", b"<row>") if index == 0 else (b"<c ", b"<c>")
                counts = _count(archive, name, needles, max_cells - cells)
                cells += counts[0] + counts[1]
                rows = rows or sum(counts[2:])
                if cells > max_cells:
                    break
    except (BadZipFile, zlib.error, EOFError, OSError, KeyError, NotImplementedError) as exc:
        raise _unreadable() from exc
    finally:
        upload.seek(0)
    if cells > max_cells or strings > max_cells:
        raise ValidationError(
            _("The workbook has too many cells (at most %(max)d); split it into several files.") % {"max": max_cells},
            code="workbook_too_many_cells",
        )
    return WorkbookStats(rows=rows, cells=cells, shared_strings=strings)


def read_rows(
    upload, *, required: Iterable[str], max_rows: int, on_row: Callable[[int], None] | None = None
) -> list[tuple[int, dict]]:
    """The first sheet's data rows as (row number, {header: value}); empty rows are skipped.

    ``on_row(count)`` is called every ``READ_PROGRESS_EVERY`` rows read (a progress bar)."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        try:
            return _rows(workbook, list(required), max_rows, on_row)
        finally:
            workbook.close()
    except (InvalidFileException, BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError) as exc:
        # A damaged file can pass the "PK" check and fail only while its sheet is read (read-only mode is lazy).
        raise _unreadable() from exc


def _rows(workbook, required: list[str], max_rows: int, on_row) -> list[tuple[int, dict]]:
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    try:
        header = [text(cell) for cell in next(rows)]
    except StopIteration:
        raise ValidationError(_("The workbook is empty."), code="empty_workbook") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationError(
            _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)}, code="missing_columns"
        )
    columns = [(i, name) for i, name in enumerate(header) if name]
    out = []
    for number, cells in enumerate(rows, start=2):
        if cells is None or not any(cell is not None and str(cell).strip() for cell in cells):
            continue
        if len(out) >= max_rows:
            raise ValidationError(
                _("At most %(max)d rows can be imported at once.") % {"max": max_rows}, code="too_many_rows"
            )
        width = len(cells)
        out.append((number, {name: cells[i] if i < width else None for i, name in columns}))
        if on_row is not None and len(out) % READ_PROGRESS_EVERY == 0:
            on_row(len(out))
    return out


# --- The importer ----------------------------------------------------------------------------------------------------


class Row:
    """One data row: ``row["姓名"]`` is the cell as trimmed text, ``row.raw("入库日期")`` the cell itself."""

    __slots__ = ("number", "values")

    def __init__(self, number: int, values: dict) -> None:
        self.number, self.values = number, values

    def __getitem__(self, name: str) -> str:
        return text(self.values.get(name))

    def raw(self, name: str):
        return self.values.get(name)


class RowImporter:
    """Subclasses set ``required``/``max_rows`` and write ``check_row`` and ``write``; ``prepare`` loads lookups.

    ``check_row`` appends Chinese messages to ``problems`` and returns what ``write`` needs for that row (or None
    when the row needs no write). ``write`` runs in one transaction and fills the counts of the result.
    """

    required: tuple[str, ...] = ()
    max_rows = 100_000
    progress_every = 2000

    def __init__(self, *, by) -> None:
        self.by = by

    def prepare(self, rows: list[Row]) -> None:
        """Load whatever the checks look up (regions, existing records), once for the whole file."""

    def check_row(self, row: Row, problems: list[str]):
        raise NotImplementedError

    def write(self, checked: list, result: ImportResult) -> None:
        raise NotImplementedError

    def run(self, upload, progress: Progress | None = None) -> ImportResult:
        """Check every row, then write everything in one transaction, or write nothing and return the errors.

        ``progress(done, total)`` counts in rows; reading the file is the first half of the work, checking the
        second."""
        expected = inspect_workbook(upload).rows - 1  # the header row
        # A file of 100,000 rows makes millions of small objects that live until the end: the cyclic collector
        # would scan them again and again (it tripled the time); nothing here makes reference cycles.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run(upload, expected, progress)
        finally:
            if collecting:
                gc.enable()

    def _run(self, upload, expected: int, progress: Progress | None) -> ImportResult:
        on_row = None
        if progress is not None:
            on_row = lambda count: progress(count // 2, max(expected, count))  # noqa: E731
        raw = read_rows(upload, required=self.required, max_rows=self.max_rows, on_row=on_row)
        rows = [Row(number, values) for number, values in raw]
        result = ImportResult()
        if not rows:
            result.errors.append(RowError(0, _("The file has no data rows.")))
            return result
        self.prepare(rows)
        checked = []
        total = len(rows)
        for index, row in enumerate(rows, start=1):
            problems: list[str] = []
            item = self.check_row(row, problems)
            if problems:
                result.errors.extend(RowError(row.number, message) for message in problems)
            elif item is not None:
                checked.append(item)
            if progress is not None and index % self.progress_every == 0:
                progress((total + index) // 2, total)
        if not result.errors:
            with transaction.atomic():
                self.write(checked, result)
        if progress is not None:
            progress(total, total)
        return result


# --- The upload form -------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    """The one upload form of every import: an .xlsx of at most ``IMPORT_MAX_BYTES``, inspected before parsing."""

    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy("Use the columns of the export or the template. At most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."), code="file_too_large")
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise ValidationError(_("This is not an Excel .xlsx file."), code="not_xlsx")
        self.stats = inspect_workbook(upload)
        return upload


# --- Background imports ----------------------------------------------------------------------------------------------


def import_job_create(*, importer: str, title: str, success_url: str, upload, by, total: int):
    """Store the upload and have a worker check and import it after commit (large files)."""
    from .models import ImportJob

    job = ImportJob(importer=importer, title=title, success_url=success_url, created_by=by, total=total)
    upload.seek(0)
    job.file.save(f"{job.pk}.xlsx", upload, save=False)
    job.save()
    transaction.on_commit(lambda: enqueue(IMPORT_TASK, str(job.pk)))
    return job


def import_job_run(*, job_id) -> bool:
    """Run a stored import once (a second delivery of the task finds it finished or running and does nothing)."""
    from .models import ImportJob

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return False
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        with job.file.open("rb") as stored:
            result = import_string(job.importer)(by=job.created_by).run(stored, progress=progress)
    except ValidationError as exc:
        result = ImportResult(errors=[RowError(0, message) for message in exc.messages])
    status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
    ImportJob.objects.filter(pk=job.pk).update(status=status, result=result.as_dict())
    job.file.delete(save=False)
    return True


def import_jobs_resume(*, waiting_for=dt.timedelta(minutes=2)) -> int:
    """Queue again the jobs still waiting after ``waiting_for`` (their task could not be queued: broker down).
    A job is claimed once (``import_job_run``), so a duplicate message does nothing."""
    from .models import ImportJob

    cutoff = timezone.now() - waiting_for
    ids = list(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    for pk in ids:
        enqueue(IMPORT_TASK, str(pk))
    return len(ids)
