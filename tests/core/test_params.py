import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import timezone

from core.params import ascii_int, id_param, month_param, week_param, year_param


def _request(**query):
    request = RequestFactory().get("/", query)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


@pytest.mark.parametrize("text", ["²", "٣", "-1", "1e3", " ", "12345678901"])
def test_ascii_int_refuses_anything_but_plain_digits(text):
    assert ascii_int(text) is None


def test_year_param_reads_a_plain_year_without_a_message():
    request = _request(year="2024")
    assert (year_param(request), _messages(request)) == (2024, [])


@pytest.mark.parametrize("raw", ["9999", "1999", "²", "二〇三〇", "abc"])
def test_year_param_bad_input_gives_the_current_year_and_a_message(raw):
    request = _request(year=raw)
    assert year_param(request) == timezone.localdate().year
    assert len(_messages(request)) == 1


def test_year_param_absent_is_the_default_without_a_message():
    request = _request()
    assert (year_param(request, default=2020), _messages(request)) == (2020, [])


def test_month_param_reads_year_and_month():
    assert month_param(_request(month="2025-03")) == (2025, 3)


@pytest.mark.parametrize("raw", ["9999-12", "2030-13", "0001-01", "2025-3-1", "²²²²-01"])
def test_month_param_bad_input_gives_this_month_and_a_message(raw):
    request = _request(month=raw)
    today = timezone.localdate()
    assert (month_param(request), len(_messages(request))) == ((today.year, today.month), 1)


def test_week_param_reads_a_day():
    assert week_param(_request(week="2025-03-10")) == dt.date(2025, 3, 10)


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "2025-02-30"])
def test_week_param_bad_input_is_none_with_a_message(raw):
    request = _request(week=raw)
    assert (week_param(request), len(_messages(request))) == (None, 1)


def test_id_param_refuses_unicode_digits():
    assert (id_param(_request(county="²"), "county"), id_param(_request(county="12"), "county")) == (None, 12)
