import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from instructors import roster
from instructors.models import Instructor
from tests import factories

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(roster.HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    return buffer


def _row(region, name="张三", n=None, **overrides):
    n = n or 11
    values = {
        "姓名": name,
        "性别": "男",
        "身份证号": factories.id_number(n),
        "手机号": factories.phone(n),
        "工作单位": "嘉城区委党校",
        "职务": "讲师",
        "层级": "县级",
        "地区代码": region.code,
        "所属地区": region.name,
        "教研组": "",
        "专长": "乡村振兴、基层治理",
        "状态": "在库",
        "入库日期": "2023-05-01",
        "个人简介": "",
    }
    values.update(overrides)
    return [values[h] for h in roster.HEADERS]


def test_valid_file_creates_instructors_with_audit(tree):
    admin = factories.admin_user()
    result = roster.roster_import(
        upload=_xlsx([_row(tree["county_a"], n=1), _row(tree["county_a"], "李四", n=2)]), by=admin
    )
    assert (result.created, result.errors) == (2, [])
    assert Instructor.objects.get(name="李四").status_changes.count() == 1


def test_reimporting_same_file_changes_nothing(tree):
    admin = factories.admin_user()
    rows = [_row(tree["county_a"], n=1), _row(tree["county_a"], "李四", n=2)]
    roster.roster_import(upload=_xlsx(rows), by=admin)
    again = roster.roster_import(upload=_xlsx(rows), by=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_one_bad_row_writes_nothing_and_names_the_row(tree):
    admin = factories.admin_user()
    rows = [_row(tree["county_a"], n=1), _row(tree["county_a"], "李四", n=2, 身份证号="51110219700110001X")]
    result = roster.roster_import(upload=_xlsx(rows), by=admin)
    assert Instructor.objects.count() == 0
    assert [e.row for e in result.errors] == [3]


def test_duplicate_id_inside_file_is_reported(tree):
    admin = factories.admin_user()
    result = roster.roster_import(
        upload=_xlsx([_row(tree["county_a"], n=1), _row(tree["county_a"], "李四", n=1)]), by=admin
    )
    assert any("第" in e.message or "row" in e.message for e in result.errors)
    assert Instructor.objects.count() == 0


def test_county_organizer_cannot_import_into_other_county(tree):
    result = roster.roster_import(
        upload=_xlsx([_row(tree["county_b"], n=1, 状态="候选")]), by=factories.organizer(tree["county_a"])
    )
    assert len(result.errors) == 1
    assert Instructor.objects.count() == 0


def test_status_change_through_import_is_refused(tree):
    person = factories.instructor(region=tree["county_a"], id_number=factories.id_number(5), phone=factories.phone(5))
    result = roster.roster_import(upload=_xlsx([_row(tree["county_a"], n=5, 状态="退出")]), by=factories.admin_user())
    person.refresh_from_db()
    assert (len(result.errors), person.status) == (1, "active")


def test_full_export_roundtrips_through_import(tree):
    admin = factories.admin_user()
    factories.instructor(region=tree["county_a"], name="张三")
    data = roster.roster_export_full(by=admin, filters={}, purpose="导入")
    result = roster.roster_import(upload=io.BytesIO(data), by=admin)
    assert (result.unchanged, result.errors) == (1, [])


def test_masked_export_reimported_is_refused_per_row_and_changes_nothing(tree):
    admin = factories.admin_user()
    person = factories.instructor(region=tree["county_a"], name="张三")
    stored = (person.id_number, person.phone)
    result = roster.roster_import(upload=io.BytesIO(roster.roster_export(Instructor.objects.all())), by=admin)
    person.refresh_from_db()
    assert ([e.row for e in result.errors], (person.id_number, person.phone)) == ([2], stored)
    assert "脱敏" in result.errors[0].message


def test_masked_phone_of_a_known_instructor_counts_as_unchanged(tree):
    admin = factories.admin_user()
    person = factories.instructor(region=tree["county_a"], id_number=factories.id_number(5), phone=factories.phone(5))
    row = _row(tree["county_a"], n=5, 手机号=person.masked_phone, 专长="", 入库日期="")
    result = roster.roster_import(upload=_xlsx([row]), by=admin)
    person.refresh_from_db()
    assert (result.errors, person.phone) == ([], factories.phone(5))


def test_masked_phone_that_does_not_match_the_stored_one_is_a_row_error(tree):
    admin = factories.admin_user()
    factories.instructor(region=tree["county_a"], id_number=factories.id_number(5), phone=factories.phone(5))
    result = roster.roster_import(upload=_xlsx([_row(tree["county_a"], n=5, 手机号="137****0000")]), by=admin)
    assert [e.row for e in result.errors] == [2]


def test_masked_phone_of_a_new_instructor_is_a_row_error(tree):
    result = roster.roster_import(
        upload=_xlsx([_row(tree["county_a"], n=6, 手机号="139****0006")]), by=factories.admin_user()
    )
    assert ([e.row for e in result.errors], Instructor.objects.count()) == ([2], 0)


def test_export_view_has_chinese_headers_and_only_scope(client, tree):
    factories.instructor(region=tree["county_a"], name="张三")
    factories.instructor(region=tree["county_b"], name="李四")
    client.force_login(factories.organizer(tree["county_a"]))
    response = client.get(reverse("instructors:instructor_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    assert [r[0] for r in rows[1:]] == ["张三"]


def test_import_view_refuses_non_excel_file(client, tree):
    client.force_login(factories.organizer(tree["county_a"]))
    fake = io.BytesIO(b"MZ\x90\x00 not excel")
    fake.name = "roster.xlsx"
    response = client.post(reverse("instructors:instructor_import"), {"file": fake})
    assert "Excel" in response.content.decode()


def test_import_view_lists_row_errors(client, tree):
    client.force_login(factories.organizer(tree["county_a"]))
    response = client.post(
        reverse("instructors:instructor_import"), {"file": _xlsx([_row(tree["county_a"], n=1, 层级="乡级")])}
    )
    assert response.context["result"].errors[0].row == 2


def test_county_organizer_import_refuses_a_provincial_or_active_instructor(tree):
    organizer = factories.organizer(tree["county_a"])
    rows = [_row(tree["county_a"], n=1, 层级="省级", 状态="候选"), _row(tree["county_a"], "李四", n=2, 状态="在库")]
    result = roster.roster_import(upload=_xlsx(rows), by=organizer)
    assert ([e.row for e in result.errors], Instructor.objects.count()) == ([2, 3], 0)


def test_county_organizer_import_creates_county_candidates_when_status_is_empty(tree):
    result = roster.roster_import(
        upload=_xlsx([_row(tree["county_a"], n=1, 状态="")]), by=factories.organizer(tree["county_a"])
    )
    assert (result.created, Instructor.objects.get().status) == (1, "candidate")


def test_import_conflict_outside_the_region_does_not_say_where(tree):
    factories.instructor(region=tree["county_b"], id_number=factories.id_number(7), phone=factories.phone(7))
    rows = [_row(tree["county_a"], n=7, 状态="候选")]
    result = roster.roster_import(upload=_xlsx(rows), by=factories.organizer(tree["county_a"]))
    messages = [e.message for e in result.errors]
    assert messages == [str(roster.CONFLICT)]
    assert "地区" not in messages[0] and "范围" not in messages[0]


def test_import_phone_of_someone_outside_the_region_is_the_same_conflict(tree):
    factories.instructor(region=tree["county_b"], id_number=factories.id_number(8), phone=factories.phone(9))
    rows = [_row(tree["county_a"], n=9, 状态="候选")]
    result = roster.roster_import(upload=_xlsx(rows), by=factories.organizer(tree["county_a"]))
    assert [e.message for e in result.errors] == [str(roster.CONFLICT)]


def test_export_writes_a_formula_like_biography_as_text(tree):
    factories.instructor(region=tree["county_a"], biography='=HYPERLINK("http://evil","点我")')
    sheet = load_workbook(io.BytesIO(roster.roster_export(Instructor.objects.all()))).active
    cell = sheet.cell(row=2, column=roster.HEADERS.index("个人简介") + 1)
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://evil","点我")')
