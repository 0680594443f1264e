"""The Excel import framework: inspection before parsing, all-or-nothing, formulas as values, background jobs.

The importer under test is the organizations import (core itself owns no domain tables)."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.errors import error_codes
from core.imports import ImportForm, ImportResult, RowError, inspect_workbook, whole_number
from core.models import ImportJob
from outreach.imports import organization_import
from outreach.models import Organization
from tests.outreach import factories as of

pytestmark = pytest.mark.django_db

HEADER = ["名称", "类型", "地区代码", "党员人数", "联系人", "联系电话"]


def _book(rows: list[list]) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, name: str, change) -> bytes:
    """The same workbook with one zip member changed."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
        if name not in source.namelist():
            target.writestr(name, change(b""))
    return out.getvalue()


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("data.xlsx", data)


@pytest.fixture
def w():
    return of.world()


def _shared_string_bomb() -> bytes:
    strings = b"<si><t>x</t></si>" * 1_000_000
    body = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
    return _rewrite(_book([["a", "机关", "1", 1, "", ""]]), "xl/sharedStrings.xml", lambda _old: body)


def test_a_million_shared_strings_are_refused_before_parsing():
    data = _shared_string_bomb()
    with pytest.raises(ValidationError) as exc:
        inspect_workbook(io.BytesIO(data))
    assert (len(data) < 3 * 1024 * 1024, error_codes(exc.value)) == (True, ["workbook_too_many_cells"])


def test_import_form_refuses_the_bomb_with_a_chinese_message():
    form = ImportForm(files={"file": _upload(_shared_string_bomb())}, data={})
    assert not form.is_valid()
    assert "单元格" in form.errors["file"][0]


def test_workbook_larger_than_the_unpacked_limit_is_refused(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2048
    with pytest.raises(ValidationError) as exc:
        inspect_workbook(io.BytesIO(_book([["a" * 5000, "机关", "1", 1, "", ""]])))
    assert error_codes(exc.value) == ["workbook_too_large"]


def test_inspect_counts_the_rows_of_the_first_sheet():
    stats = inspect_workbook(io.BytesIO(_book([["a", "机关", "1", 1, "", ""]] * 7)))
    assert (stats.rows, stats.cells) == (8, 48)


def test_not_a_zip_is_unreadable():
    with pytest.raises(ValidationError) as exc:
        inspect_workbook(io.BytesIO(b"PK\x03\x04 broken"))
    assert error_codes(exc.value) == ["unreadable"]


def test_a_formula_is_read_as_its_cached_value(w):
    data = _book([["青龙镇党委", "机关", w["town_a"].code, 25, "", ""]])

    def formula(xml: bytes) -> bytes:  # 党员人数 becomes =20+5 with the value Excel saved
        return re.sub(rb'<c r="D2"([^>]*)><v>25</v></c>', rb'<c r="D2"\1><f>20+5</f><v>25</v></c>', xml)

    data = _rewrite(data, "xl/worksheets/sheet1.xml", formula)
    assert b"<f>20+5</f>" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    result = organization_import(upload=_upload(data), by=w["organizer_a"])
    assert (result.created, Organization.objects.get(name="青龙镇党委").member_count) == (1, 25)


def test_bad_rows_are_all_reported_and_nothing_is_written(w):
    rows = [
        ["甲", "机关", w["town_a"].code, 1, "", ""],
        ["乙", "工厂", w["town_a"].code, "x", "", ""],
        ["丙", "", "", 1, "", ""],
    ]
    result = organization_import(upload=_upload(_book(rows)), by=w["organizer_a"])
    assert (sorted({e.row for e in result.errors}), Organization.objects.filter(name="甲").exists()) == ([3, 4], False)


@pytest.mark.parametrize(("text", "number"), [("12", 12), ("²", None), ("٣", None), ("100001", None), ("", None)])
def test_whole_number_takes_ascii_digits_only(text, number):
    assert whole_number(text, 100_000) == number


def test_result_survives_the_round_trip_through_the_job_table():
    result = ImportResult(created=2, errors=[RowError(3, "坏行")])
    assert ImportResult.from_dict(result.as_dict()) == result


def test_large_file_runs_in_the_background_with_the_same_result(
    client, w, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_ROWS = 1
    client.force_login(w["organizer_a"])
    rows = [["甲", "机关", w["town_a"].code, 1, "", ""], ["乙", "机关", w["town_a"].code, 2, "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outreach:organization_import"), {"file": _upload(_book(rows))})
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    assert (response["Location"], job.status, job.result["created"]) == (job.get_absolute_url(), "done", 2)
    assert "导入完成" in page.content.decode()


def test_background_job_with_a_bad_row_writes_nothing(client, w, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_ASYNC_ROWS = 1
    client.force_login(w["organizer_a"])
    rows = [["甲", "机关", w["town_a"].code, 1, "", ""], ["乙", "机关", w["town_a"].code, "²", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:organization_import"), {"file": _upload(_book(rows))})
    job = ImportJob.objects.get()
    assert (job.status, [e["row"] for e in job.result["errors"]], Organization.objects.filter(name="甲").exists()) == (
        "failed",
        [3],
        False,
    )


def test_background_job_progress_partial_polls_until_done(client, w):
    job = ImportJob.objects.create(
        importer="outreach.imports.OrganizationImporter",
        title="导入",
        success_url="/",
        created_by=w["organizer_a"],
        total=10_000,
        processed=2_000,
        status=ImportJob.Status.RUNNING,
    )
    client.force_login(w["organizer_a"])
    body = client.get(job.get_absolute_url(), {"partial": "1"}).content.decode()
    assert 'hx-trigger="every 2s"' in body and "20%" in body


def test_someone_elses_job_is_404(client, w):
    job = ImportJob.objects.create(importer="x", title="导入", success_url="/", created_by=w["organizer_a"])
    client.force_login(w["organizer_b"])
    assert client.get(job.get_absolute_url()).status_code == 404


def test_a_job_runs_once_even_if_the_task_is_delivered_twice(w):
    from core.imports import import_job_run

    job = ImportJob.objects.create(
        importer="x", title="导入", success_url="/", created_by=w["organizer_a"], status="done"
    )
    assert import_job_run(job_id=job.pk) is False


def test_a_job_left_waiting_is_queued_again_and_runs(w, settings):
    import datetime as dt

    from core.imports import import_jobs_resume

    data = _book([["甲", "机关", w["town_a"].code, 1, "", ""]])
    job = ImportJob(
        importer="outreach.imports.OrganizationImporter", title="导入", success_url="/", created_by=w["organizer_a"]
    )
    job.file.save(f"{job.pk}.xlsx", ContentFile(data), save=False)
    job.save()
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=10))
    assert import_jobs_resume() == 1
    job.refresh_from_db()
    assert (job.status, Organization.objects.filter(name="甲").exists()) == ("done", True)


def test_progress_rises_through_reading_and_checking_to_the_total(w, monkeypatch):
    from core import imports
    from outreach.imports import OrganizationImporter

    monkeypatch.setattr(imports, "READ_PROGRESS_EVERY", 1)
    calls = []
    rows = [[f"组织{n}", "机关", w["town_a"].code, 1, "", ""] for n in range(4)]
    importer = OrganizationImporter(by=w["organizer_a"])
    importer.progress_every = 1
    importer.run(io.BytesIO(_book(rows)), progress=lambda done, total: calls.append(done))
    assert (calls == sorted(calls), calls[-1], len(calls)) == (True, 4, 9)
