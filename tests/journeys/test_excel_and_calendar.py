"""Journeys (issue 19): an organizer downloads the roster (masked, then with full numbers, recorded) and subscribes to
the region's calendar, only by clicking."""

import io

import openpyxl
import pytest

from core.models import ExportRecord
from tests import factories as base
from tests.browser import login, shot
from tests.outreach import factories as f


def _download(page, click) -> openpyxl.Workbook:
    with page.expect_download() as info:
        click()
    return openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_exports_the_roster_masked_then_with_full_numbers_on_record(page, live_server):
    tree = base.region_tree()
    base.user(username="daochu", role="organizer", region=tree["county_a"])
    wang = base.instructor(region=tree["county_a"], name="王五")
    base.instructor(region=tree["county_b"], name="李四")  # another county: never in this organizer's file

    login(page, live_server.url, "daochu")
    with page.expect_navigation():
        page.get_by_role("link", name="师资库").first.click()
    page.wait_for_load_state()
    shot(page, "excel", "01-registry")
    masked = _download(page, lambda: page.get_by_role("link", name="导出 Excel").click())
    sheet = masked.active
    assert sheet.freeze_panes == "A2" and sheet.title
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "王五" in cells and "李四" not in cells
    assert wang.id_number not in cells and wang.phone not in cells  # masked, as on screen

    with page.expect_navigation():
        page.get_by_role("link", name="导出含完整证件号…").click()
    page.wait_for_load_state()
    shot(page, "excel", "02-full-export-form")
    page.get_by_label("含完整证件号（用于导入或上报）").check()
    page.get_by_label("用途").fill("报送省委组织部年度师资名册")
    full = _download(page, lambda: page.get_by_role("button", name="导出完整证件号").click())
    cells = [str(c.value) for row in full.active.iter_rows() for c in row if c.value is not None]
    assert wang.id_number in cells and wang.phone in cells
    record = ExportRecord.objects.get()
    assert (record.row_count, record.purpose) == (1, "报送省委组织部年度师资名册")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_finds_the_region_calendar_feed_and_it_lists_the_region_lectures(page, live_server):
    w = f.world()
    base.user(username="rili", role="organizer", region=w["county_a"])
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(1, 9))
    other = f.course(lead=w["instructor_b"], title="石桥村的乡村振兴课")
    f.lecture(course=other, instructor=w["instructor_b"], organization=w["org_b"], start=f.at(2, 9))

    login(page, live_server.url, "rili")
    page.get_by_role("link", name="示范课下基层").first.click()
    with page.expect_navigation():
        page.locator(".nav-tabs").get_by_role("link", name="日程").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="订阅到手机日历").is_visible()
    shot(page, "calendar", "01-calendar")
    with page.expect_navigation():  # a GET never makes the address: the button posts, then comes back here
        page.get_by_role("button", name="生成我的专属日历地址").click()
    page.wait_for_load_state()
    address = page.get_by_label("日历订阅地址")
    assert address.is_visible()
    shot(page, "calendar", "02-feed-address")

    feed = page.request.get(address.input_value())  # what a calendar app does with the copied address
    body = feed.text()
    assert feed.status == 200 and body.startswith("BEGIN:VCALENDAR")
    assert w["course"].title in body and "石桥村的乡村振兴课" not in body
