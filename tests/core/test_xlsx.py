import io

import pytest
from openpyxl import load_workbook

from core.xlsx import Sheet, export_filename, xlsx_bytes, xlsx_response


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "=1+1"])
def test_xlsx_writes_formula_like_user_text_as_text(text):
    cell = _sheet(xlsx_bytes(Sheet("名册", ["简介"], [[text]])))["A2"]
    # (XML turns a stored CR into LF; the text stays text either way)
    assert (cell.data_type, cell.value.strip()) == ("s", text.strip())


def test_xlsx_marks_formula_like_text_with_the_quote_prefix():
    cell = _sheet(xlsx_bytes(Sheet("名册", ["简介"], [["=1+1"]])))["A2"]
    assert cell.quotePrefix is True


def test_xlsx_keeps_numbers_as_numbers():
    sheet = _sheet(xlsx_bytes(Sheet("s", ["n", "x"], [[-5, 2.5]])))
    assert (sheet["A2"].value, sheet["B2"].value) == (-5, 2.5)


def test_xlsx_has_title_frozen_bold_header_and_widths():
    sheet = _sheet(xlsx_bytes(Sheet("课程目录", ["课程名称", "时长"], [["很长很长很长很长的课程名称", 90]])))
    assert (sheet.title, sheet.freeze_panes, sheet["A1"].font.b) == ("课程目录", "A2", True)
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width


def test_xlsx_streams_more_rows_than_the_width_sample():
    rows = ([i, f"name {i}"] for i in range(1000))
    sheet = _sheet(xlsx_bytes(Sheet("s", ["n", "name"], rows)))
    assert (sheet.max_row, sheet["A1001"].value) == (1001, 999)


def test_xlsx_response_is_an_attachment_with_the_chinese_name():
    response = xlsx_response(b"x", export_filename("师资名册"))
    assert response["Content-Disposition"].startswith(
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''%E5%B8%88"
    )
