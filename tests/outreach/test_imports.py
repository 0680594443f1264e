import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from outreach.imports import organization_import, playlog_import
from outreach.models import BroadcastProgramme, Organization, PlayLog

from . import factories as f

pytestmark = pytest.mark.django_db

ORG_HEADER = ["名称", "类型", "地区代码", "党员人数", "联系人", "联系电话"]
PLAY_HEADER = ["村代码", "节目", "播放时间", "时长"]


def _xlsx(header: list, rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("data.xlsx", out.getvalue())


@pytest.fixture
def w():
    return f.world()


def _org_rows(w) -> list[list]:
    return [
        ["青龙镇党委", "机关", w["town_a"].code, 25, "王书记", "13900000001"],
        ["白马村经济合作社党支部", "其他", w["village_a"].code, 8, "", ""],
    ]


def test_organization_import_creates_rows_with_their_county(w):
    result = organization_import(upload=_xlsx(ORG_HEADER, _org_rows(w)), by=w["organizer_a"])
    created = Organization.objects.get(name="青龙镇党委")
    assert (result.created, created.county, created.type) == (2, w["county_a"], Organization.Type.AGENCY)


def test_organization_import_twice_changes_nothing(w):
    organization_import(upload=_xlsx(ORG_HEADER, _org_rows(w)), by=w["organizer_a"])
    again = organization_import(upload=_xlsx(ORG_HEADER, _org_rows(w)), by=w["organizer_a"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_organization_import_updates_a_changed_member_count(w):
    organization_import(upload=_xlsx(ORG_HEADER, _org_rows(w)), by=w["organizer_a"])
    rows = _org_rows(w)
    rows[0][3] = 30
    again = organization_import(upload=_xlsx(ORG_HEADER, rows), by=w["organizer_a"])
    assert (again.updated, Organization.objects.get(name="青龙镇党委").member_count) == (1, 30)


def test_organization_import_with_a_bad_row_writes_nothing(w):
    before = Organization.objects.count()
    rows = [*_org_rows(w), ["坏行", "工厂", w["village_a"].code, "很多", "", ""]]
    result = organization_import(upload=_xlsx(ORG_HEADER, rows), by=w["organizer_a"])
    assert ([e.row for e in result.errors], Organization.objects.count()) == ([4, 4], before)


def test_organization_import_refuses_a_region_outside_scope(w):
    rows = [["石桥村老年协会党支部", "其他", w["village_b"].code, 5, "", ""]]
    result = organization_import(upload=_xlsx(ORG_HEADER, rows), by=w["organizer_a"])
    assert (len(result.errors), Organization.objects.filter(name="石桥村老年协会党支部").exists()) == (1, False)


def test_organization_import_refuses_duplicate_rows(w):
    rows = [_org_rows(w)[0], _org_rows(w)[0]]
    result = organization_import(upload=_xlsx(ORG_HEADER, rows), by=w["organizer_a"])
    assert [e.row for e in result.errors] == [3]


def test_organization_import_page_lists_row_errors(client, w):
    client.force_login(w["organizer_a"])
    upload = _xlsx(ORG_HEADER, [["坏行", "工厂", w["village_a"].code, 1, "", ""]])
    response = client.post(reverse("outreach:organization_import"), {"file": upload})
    assert (
        response.status_code,
        "工厂" not in [o.name for o in Organization.objects.all()],
        len(response.context["result"].errors),
    ) == (200, True, 1)


def _plays(w) -> list[list]:
    return [
        [w["village_a"].code, "党课开讲啦第1期", "2030-03-01 08:00", 15],
        [w["village_a"].code, "党课开讲啦第1期", "2030-03-02 08:00", 15],
    ]


def test_playlog_import_adds_plays_and_ignores_them_the_second_time(w):
    f.station(village=w["village_a"])
    BroadcastProgramme.objects.create(title="党课开讲啦第1期")
    first = playlog_import(upload=_xlsx(PLAY_HEADER, _plays(w)), by=w["organizer_a"])
    second = playlog_import(upload=_xlsx(PLAY_HEADER, _plays(w)), by=w["organizer_a"])
    assert (first.created, second.created, second.unchanged, PlayLog.objects.count()) == (2, 0, 2, 2)


def test_playlog_import_with_a_bad_row_writes_nothing(w):
    f.station(village=w["village_a"])
    BroadcastProgramme.objects.create(title="党课开讲啦第1期")
    rows = [*_plays(w), [w["village_a"].code, "不存在的节目", "昨天", 15]]
    result = playlog_import(upload=_xlsx(PLAY_HEADER, rows), by=w["organizer_a"])
    assert (len(result.errors), PlayLog.objects.count()) == (2, 0)


def test_playlog_import_refuses_a_station_outside_scope(w):
    f.station(village=w["village_b"])
    BroadcastProgramme.objects.create(title="党课开讲啦第1期")
    rows = [[w["village_b"].code, "党课开讲啦第1期", "2030-03-01 08:00", 15]]
    assert len(playlog_import(upload=_xlsx(PLAY_HEADER, rows), by=w["organizer_a"]).errors) == 1


@pytest.mark.parametrize("members", ["²", "³", "١٢", "-3", "1.5"])
def test_organization_import_unicode_digits_are_a_row_error_not_a_crash(w, members):
    rows = [["青龙镇党委", "机关", w["town_a"].code, members, "", ""]]
    result = organization_import(upload=_xlsx(ORG_HEADER, rows), by=w["organizer_a"])
    assert ([e.row for e in result.errors], Organization.objects.filter(name="青龙镇党委").exists()) == ([2], False)


def test_playlog_import_unicode_minutes_are_a_row_error_not_a_crash(w):
    f.station(village=w["village_a"])
    BroadcastProgramme.objects.create(title="党课开讲啦第1期")
    rows = [[w["village_a"].code, "党课开讲啦第1期", "2030-03-01 08:00", "³"]]
    result = playlog_import(upload=_xlsx(PLAY_HEADER, rows), by=w["organizer_a"])
    assert ([e.row for e in result.errors], PlayLog.objects.count()) == ([2], 0)


def test_organization_import_page_with_unicode_digits_lists_the_row(client, w):
    client.force_login(w["organizer_a"])
    upload = _xlsx(ORG_HEADER, [["青龙镇党委", "机关", w["town_a"].code, "²", "", ""]])
    response = client.post(reverse("outreach:organization_import"), {"file": upload})
    assert (response.status_code, [e.row for e in response.context["result"].errors]) == (200, [2])
