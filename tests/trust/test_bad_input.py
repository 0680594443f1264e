"""Bad input to the main forms, imports and uploads: never an HTTP 500, a Chinese message where the form comes back,
and the database exactly as before (row count and a checksum of every row of every model).

Hostile but well-formed text (script tags, SQL-looking text, Chinese with emoji) in a field that accepts free text is
legitimate data: there the test checks it is stored verbatim and shown escaped, not that it is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import zlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from evaluations.models import Indicator
from evaluations.survey import services as survey_services
from evaluations.survey.views import DEVICE_COOKIE
from instructors import roster
from instructors.models import Instructor
from tests.courses import factories as cf
from tests.trust.urls import url_names

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE x; --"
CHINESE_EMOJI = "党课进村🎉👍乡村振兴"
CJK = re.compile(r"[\u4e00-\u9fff]")


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per model: 'unchanged' means nothing added, removed or edited."""
    out = {}
    for model in apps.get_models():
        rows = model.objects.order_by("pk").values_list()
        out[model._meta.label] = (len(rows), hashlib.sha256(repr(list(rows)).encode()).hexdigest())
    return out


def _form_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(m) for messages in form.errors.values() for m in messages]


def assert_refused_in_chinese(response, before: dict, *, field: str | None = None) -> None:
    """The form came back (200) with errors, every one in Chinese, shown on the page; nothing was written."""
    assert response.status_code == 200
    errors = _form_errors(response)
    assert errors, "the form came back without an error"
    assert [e for e in errors if not CJK.search(e)] == []
    if field is not None:
        assert field in response.context["form"].errors
    assert fingerprint() == before


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def org_x(world) -> Client:
    return _login(world["org_x"])


# --- Uploads ----------------------------------------------------------------------------------------------------------


def _jpeg(size=(40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "JPEG")
    return out.getvalue()


def _png_bomb() -> bytes:
    """A tiny PNG whose header claims 30000×30000 pixels (900 megapixels)."""
    width = height = 30000

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


BAD_PICTURES = {
    "exe_named_jpg": (b"MZ\x90\x00" + b"\x00" * 200, "照片.jpg", "image/jpeg"),
    "truncated_jpeg": (_jpeg()[:120], "照片.jpg", "image/jpeg"),
    "gif_named_png": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "照片.png", "image/png"),
    "decompression_bomb": (_png_bomb(), "照片.png", "image/png"),
    "oversize": (_jpeg() + b"\x00" * (5 * 1024 * 1024 + 1), "照片.jpg", "image/jpeg"),
}


def _instructor_data(world, **overrides) -> dict:
    data = {
        "name": "王五",
        "gender": "M",
        "id_number": "11010519491231002X",
        "phone": "13912345678",
        "employer": "嘉城区委党校",
        "post": "",
        "tier": "county",
        "region": world["tree"]["county_a"].pk,
        "joined_on": "",
        "biography": "",
    }
    data.update(overrides)
    return data


# --- Instructor create ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "overrides", "field"),
    [
        ("empty", {"name": "", "id_number": "", "phone": "", "employer": "", "region": ""}, "name"),
        ("too_long_name", {"name": "王" * 41}, "name"),
        ("too_long_employer", {"employer": "党" * 101}, "employer"),
        ("id_number_wrong_type", {"id_number": "not-an-id-number"}, "id_number"),
        ("id_number_bad_check_digit", {"id_number": "110105194912310021"}, "id_number"),
        ("phone_wrong_type", {"phone": "一三九一二三四五六七八"}, "phone"),
        ("phone_sql", {"phone": SQL}, "phone"),
        ("date_wrong_type", {"joined_on": "昨天"}, "joined_on"),
        ("region_wrong_type", {"region": "abc"}, "region"),
        ("region_of_another_county", {"region": "COUNTY_B"}, "region"),
        ("tier_not_a_choice", {"tier": SCRIPT}, "tier"),
        ("duplicate_id_number", {"id_number": "A_ID"}, "id_number"),
        ("duplicate_phone", {"phone": "A_PHONE"}, "phone"),
    ],
)
def test_instructor_create_refuses(world, org_x, case, overrides, field):
    a = world["a"]["instructor"]
    swap = {"COUNTY_B": world["tree"]["county_b"].pk, "A_ID": a.id_number, "A_PHONE": a.phone}
    data = _instructor_data(world, **{k: swap.get(v, v) for k, v in overrides.items()})
    before = fingerprint()
    response = org_x.post(reverse("instructors:instructor_create"), data)
    assert_refused_in_chinese(response, before, field=field)


@pytest.mark.parametrize("case", sorted(BAD_PICTURES))
def test_instructor_create_refuses_bad_photo(world, org_x, case):
    content, name, content_type = BAD_PICTURES[case]
    data = _instructor_data(world, photo=SimpleUploadedFile(name, content, content_type=content_type))
    before = fingerprint()
    response = org_x.post(reverse("instructors:instructor_create"), data)
    assert_refused_in_chinese(response, before, field="photo")


@pytest.mark.parametrize("text", [SCRIPT, SQL, CHINESE_EMOJI])
def test_instructor_hostile_text_is_stored_verbatim_and_shown_escaped(world, org_x, text):
    response = org_x.post(
        reverse("instructors:instructor_create"), _instructor_data(world, biography=text, post=text[:60])
    )
    created = Instructor.objects.get(phone="13912345678")
    page = org_x.get(created.get_absolute_url()).content.decode()
    assert (response.status_code, created.biography) == (302, text)
    assert SCRIPT not in page


# --- Roster import ----------------------------------------------------------------------------------------------------


def _roster(rows: list[list]) -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(roster.HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("师资名单.xlsx", out.getvalue())


def _roster_row(world, **overrides) -> list:
    values = {
        "姓名": "王五",
        "性别": "男",
        "身份证号": "11010519491231002X",
        "手机号": "13912345678",
        "工作单位": "嘉城区委党校",
        "层级": "县级",
        "地区代码": world["tree"]["county_a"].code,
    }
    values.update(overrides)
    return [values.get(h, "") for h in roster.HEADERS]


def _post_import(client, upload):
    return client.post(reverse("instructors:instructor_import"), {"file": upload})


@pytest.mark.parametrize(
    "case",
    ["empty", "exe_named_xlsx", "truncated_zip", "csv_named_xlsx", "oversize"],
)
def test_roster_import_refuses_bad_file(world, org_x, case):
    valid = _roster([_roster_row(world)]).read()
    files = {
        "empty": None,
        "exe_named_xlsx": SimpleUploadedFile("名单.xlsx", b"MZ\x90\x00" + b"\x00" * 300),
        "truncated_zip": SimpleUploadedFile("名单.xlsx", valid[: len(valid) // 2]),
        "csv_named_xlsx": SimpleUploadedFile("名单.xlsx", "姓名,性别\n王五,男\n".encode()),
        "oversize": SimpleUploadedFile("名单.xlsx", b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024 + 1)),
    }
    before = fingerprint()
    # A browser always sends the CSRF field, so "empty" is a bound form without a file.
    data = {"csrfmiddlewaretoken": "-"} if files[case] is None else {"file": files[case]}
    response = org_x.post(reverse("instructors:instructor_import"), data)
    assert_refused_in_chinese(response, before, field="file")


@pytest.mark.parametrize("name", ["outreach:organization_import", "outreach:playlog_import"])
def test_outreach_import_refuses_a_truncated_workbook(world, org_x, name):
    valid = _roster([_roster_row(world)]).read()
    before = fingerprint()
    response = org_x.post(reverse(name), {"file": SimpleUploadedFile("导入.xlsx", valid[: len(valid) // 2])})
    assert_refused_in_chinese(response, before, field="file")


@pytest.mark.parametrize(
    "case",
    ["duplicate_rows", "id_of_instructor_b", "region_of_another_county", "script_in_phone", "too_long_name", "no_rows"],
)
def test_roster_import_with_bad_rows_writes_nothing_and_explains_in_chinese(world, org_x, case):
    b = world["b"]["instructor"]
    rows = {
        "duplicate_rows": [_roster_row(world), _roster_row(world)],
        "id_of_instructor_b": [_roster_row(world, 身份证号=b.id_number)],
        "region_of_another_county": [_roster_row(world, 地区代码=world["tree"]["county_b"].code)],
        "script_in_phone": [_roster_row(world, 手机号=SCRIPT)],
        "too_long_name": [_roster_row(world, 姓名="王" * 41)],
        "no_rows": [],
    }[case]
    before = fingerprint()
    response = _post_import(org_x, _roster(rows))
    errors = [str(e.message) for e in response.context["result"].errors] + _form_errors(response)
    assert response.status_code == 200
    assert errors and [e for e in errors if not CJK.search(e)] == []
    assert fingerprint() == before


# --- Course create and courseware -------------------------------------------------------------------------------------


def _course_data(world, **overrides) -> dict:
    data = {
        "title": "新时代党课",
        "summary": "",
        "topic": world["a"]["topic"].pk,
        "series": "",
        "format": "lecture",
        "duration_minutes": "90",
        "audience": "",
        "lead_instructor": world["a"]["instructor"].pk,
        "group": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("case", "overrides", "field"),
    [
        ("empty", {"title": "", "topic": "", "lead_instructor": "", "duration_minutes": ""}, "title"),
        ("too_long_title", {"title": "课" * 500}, "title"),
        ("duration_wrong_type", {"duration_minutes": "九十"}, "duration_minutes"),
        ("duration_negative", {"duration_minutes": "-5"}, "duration_minutes"),
        ("duration_sql", {"duration_minutes": SQL}, "duration_minutes"),
        ("lead_of_another_county", {"lead_instructor": "B"}, "lead_instructor"),
        ("format_script", {"format": SCRIPT}, "format"),
    ],
)
def test_course_create_refuses(world, org_x, case, overrides, field):
    overrides = {k: world["b"]["instructor"].pk if v == "B" else v for k, v in overrides.items()}
    before = fingerprint()
    response = org_x.post(reverse("courses:course_create"), _course_data(world, **overrides))
    assert_refused_in_chinese(response, before, field=field)


@pytest.mark.parametrize("case", sorted(BAD_PICTURES))
def test_course_create_refuses_bad_cover(world, org_x, case):
    content, name, content_type = BAD_PICTURES[case]
    data = _course_data(world, cover=SimpleUploadedFile(name, content, content_type=content_type))
    before = fingerprint()
    response = org_x.post(reverse("courses:course_create"), data)
    assert_refused_in_chinese(response, before, field="cover")


@pytest.mark.parametrize(
    "case",
    [
        "empty",
        "exe_named_pdf",
        pytest.param(
            "truncated_pdf",
            marks=pytest.mark.xfail(strict=True, reason="courseware is checked by its first bytes only (reported)"),
        ),
        "jpeg_named_pptx",
        "note_too_long",
        "oversize",
    ],
)
def test_courseware_upload_refuses(world, org_x, settings, case):
    settings.COURSEWARE_MAX_BYTES = {"pdf": 1024}  # the limit is a setting: keep the oversize file small
    pdf = cf.MINIMAL_PDF
    uploads = {
        "empty": None,
        "exe_named_pdf": cf.exe_upload(),
        "truncated_pdf": SimpleUploadedFile("课件.pdf", pdf[:6]),
        "jpeg_named_pptx": SimpleUploadedFile("课件.pptx", _jpeg()),
        "note_too_long": cf.pdf_upload(),
        "oversize": SimpleUploadedFile("课件.pdf", pdf + b"\x00" * 2048),
    }
    data = {"note": "党" * 2001 if case == "note_too_long" else "第二版"}
    if uploads[case] is not None:
        data["file"] = uploads[case]
    before = fingerprint()
    response = org_x.post(reverse("courses:courseware_upload", args=[world["a"]["course"].pk]), data)
    assert_refused_in_chinese(response, before)


# --- Outreach request (date pairs) ------------------------------------------------------------------------------------


def _request_data(world, **overrides) -> dict:
    data = {
        "organization": world["a"]["organization"].pk,
        "course": world["a"]["course"].pk,
        "campaign": "",
        "preferred_from": "2030-03-01",
        "preferred_to": "2030-03-31",
        "expected_audience": "50",
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("case", "overrides", "field"),
    [
        ("empty", {"organization": "", "course": "", "preferred_from": "", "preferred_to": ""}, "organization"),
        ("dates_in_wrong_order", {"preferred_from": "2030-03-31", "preferred_to": "2030-03-01"}, "preferred_to"),
        ("date_wrong_type", {"preferred_from": "下周一"}, "preferred_from"),
        ("impossible_date", {"preferred_to": "2030-02-30"}, "preferred_to"),
        ("audience_wrong_type", {"expected_audience": "五十"}, "expected_audience"),
        ("audience_zero", {"expected_audience": "0"}, "expected_audience"),
        ("audience_huge", {"expected_audience": "99999999999999999999"}, "expected_audience"),
        ("note_too_long", {"note": CHINESE_EMOJI * 30}, "note"),
        ("organization_of_another_county", {"organization": "B"}, "organization"),
    ],
)
def test_request_create_refuses(world, org_x, case, overrides, field):
    overrides = {k: world["b"]["organization"].pk if v == "B" else v for k, v in overrides.items()}
    before = fingerprint()
    response = org_x.post(reverse("outreach:request_create"), _request_data(world, **overrides))
    assert_refused_in_chinese(response, before, field=field)


def test_review_cycle_with_period_in_wrong_order_is_refused_with_a_chinese_message(world, org_x):
    data = {
        "region": world["tree"]["county_a"].pk,
        "kind": "annual",
        "period_start": "2030-12-31",
        "period_end": "2030-01-01",
        "due_at": "2031-01-05T02:00",
    }
    before = fingerprint()
    response = org_x.post(reverse("evaluations:review_cycle_create"), data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages and CJK.search(messages[0])
    assert fingerprint() == before


# --- Survey: tokens, replay, wrong types ------------------------------------------------------------------------------


def _survey_data(client, evaluation, **overrides) -> tuple[str, dict]:
    url = reverse("evaluations:survey", args=[survey_services.survey_token(evaluation)])
    page = client.get(url)
    data = {"started": page.context["form"].initial["started"], "satisfaction": "4", "comment": ""}
    for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True):
        data[f"i{pk}"] = "4"
    data.update(overrides)
    return url, data


def test_survey_forged_token_is_404_and_writes_nothing(world, client):
    token = world["a"]["survey_token"]
    forged = [token[:-1] + ("A" if token[-1] != "A" else "B"), "1", SCRIPT.replace("/", ""), SQL, "党课" * 10]
    before = fingerprint()
    codes = {client.post(f"/evaluations/s/{t}/", {"satisfaction": "4"}).status_code for t in forged}
    assert (codes, fingerprint()) == ({404}, before)


def test_survey_token_of_another_kind_is_refused(world, client):
    # An iCal token is signed too, with another salt: it must not open a survey.
    before = fingerprint()
    response = client.post(reverse("evaluations:survey", args=[world["a"]["ical_token"]]), {"satisfaction": "4"})
    assert (response.status_code, fingerprint()) == (404, before)


def test_survey_replayed_post_stores_one_answer(world, client):
    url, data = _survey_data(client, world["a"]["evaluation"])
    first = client.post(url, data)
    after_first = fingerprint()
    replay = client.post(url, data)
    assert (first.status_code, replay.status_code) == (302, 200)
    assert CJK.search(replay.content.decode())
    assert fingerprint() == after_first


def test_survey_expired_link_says_closed_and_stores_nothing(world, client):
    evaluation = world["a"]["evaluation"]
    url, data = _survey_data(client, evaluation)
    type(evaluation).objects.filter(pk=evaluation.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    before = fingerprint()
    response = client.post(url, data)
    assert (response.status_code, "关闭" in response.content.decode()) == (200, True)
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("satisfaction_missing", {"satisfaction": ""}),
        ("satisfaction_wrong_type", {"satisfaction": "很满意"}),
        ("satisfaction_out_of_range", {"satisfaction": "9"}),
        ("indicator_out_of_range", {"INDICATOR": "6"}),
        ("indicator_sql", {"INDICATOR": SQL}),
        ("comment_too_long", {"comment": CHINESE_EMOJI * 101}),
    ],
)
def test_survey_bad_answer_is_refused_in_chinese(world, client, case, overrides):
    evaluation = world["a"]["evaluation"]
    indicator = Indicator.objects.filter(dimension__system=evaluation.system).first()
    overrides = {(f"i{indicator.pk}" if k == "INDICATOR" else k): v for k, v in overrides.items()}
    url, data = _survey_data(client, evaluation, **overrides)
    before = fingerprint()
    response = client.post(url, data)
    assert_refused_in_chinese(response, before)


def test_survey_without_the_device_cookie_explains_in_chinese(world, client):
    url, data = _survey_data(client, world["a"]["evaluation"])
    client.cookies.pop(DEVICE_COOKIE)
    before = fingerprint()
    response = client.post(url, data)
    assert_refused_in_chinese(response, before)


@pytest.mark.parametrize("started", ["1700000000", "", SCRIPT, "党课"])
def test_survey_with_a_forged_or_missing_started_stamp_is_refused_in_chinese(world, client, started):
    """Issue 14 (wrong today, 5): the opening time is signed by the server; without it the speeder rule could be
    switched off, so the sheet is refused and nothing is written."""
    url, data = _survey_data(client, world["a"]["evaluation"], started=started)
    before = fingerprint()
    assert_refused_in_chinese(client.post(url, data), before)


@pytest.mark.parametrize("text", [SCRIPT, SQL, CHINESE_EMOJI])
def test_survey_comment_with_hostile_text_is_shown_escaped_in_moderation(world, client, org_x, text):
    url, data = _survey_data(client, world["a"]["evaluation"], comment=text)
    response = client.post(url, data)
    assert response.status_code == 302
    page = org_x.get(reverse("evaluations:moderation_queue")).content.decode()
    assert SCRIPT not in page
    assert text.replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;") in page


# --- Rater scores -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "100.01", "一百", SCRIPT, SQL, "1e400", "NaN", "Infinity", "12.345", "9" * 40])
def test_rater_score_refused_in_chinese(world, value):
    assignment = world["a"]["rater"]
    indicator = Indicator.objects.filter(dimension__system=assignment.evaluation.system).first()
    judge = _login(world["judge"])
    before = fingerprint()
    response = judge.post(reverse("evaluations:rate", args=[assignment.token]), {f"i{indicator.pk}": value})
    assert_refused_in_chinese(response, before, field=f"i{indicator.pk}")


def test_rater_forged_token_is_404(world):
    judge = _login(world["judge"])
    token = world["a"]["rater"].token
    assert judge.post(reverse("evaluations:rate", args=[token[::-1]]), {}).status_code == 404


# --- Query strings: garbage in every parameter of every page without an id --------------------------------------------

GARBAGE = {
    "page": "abc",
    "year": "二〇三〇",
    "month": "2030-13",
    "sort": SCRIPT,
    "status": SQL,
    "q": CHINESE_EMOJI,
    "tier": "x",
    "region": "abc",
    "group": "-1",
    "flag": "purple",
    "format": "json",
    "instructor": "99999999",
    "county": "0",
}


def _plain_url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # needs arguments: the matrix covers it
        return None


@pytest.mark.parametrize("name", [n for n in url_names() if _plain_url(n)])
def test_garbage_query_string_never_gives_500(world, name):
    client = _login(world["org_x"])
    response = client.get(_plain_url(name), GARBAGE)
    assert response.status_code in {200, 302, 401, 403, 404, 405}  # 401: the alliance API (signed requests only)


@pytest.mark.parametrize("name", ["evaluations:my_ratings", "outreach:my_schedule", "courses:premium_list"])
def test_garbage_query_string_on_the_instructors_own_pages_never_gives_500(world, name):
    client = _login(world["a"]["user"])
    response = client.get(reverse(name), GARBAGE)
    assert response.status_code in {200, 302, 404}


# --- A property: whatever is typed in the search box, the list answers ------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_instructor_search_box_never_fails(world, text):
    client = _login(world["org_x"])
    response = client.get(reverse("instructors:instructor_list"), {"q": text, "sort": text[:10]})
    assert response.status_code == 200
