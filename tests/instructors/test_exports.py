"""The roster export with full ID card and phone numbers: masked by default, full only when asked for with a
purpose by someone who manages the registry, and every full export recorded with the filter that was applied."""

import io
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from core.models import ExportRecord
from instructors import roster, selectors
from instructors.forms import InstructorFilterForm
from instructors.models import User
from tests import factories
from tests.refusals import refused

pytestmark = pytest.mark.django_db

FULL = reverse("instructors:instructor_export_full")


def _cells(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))


@pytest.fixture
def scene(tree):
    return {
        "a": factories.instructor(region=tree["county_a"], name="张三", tier="county"),
        "a2": factories.instructor(region=tree["county_a"], name="王五", tier="municipal"),
        "b": factories.instructor(region=tree["county_b"], name="李四"),
        "org_a": factories.organizer(tree["county_a"]),
        "tree": tree,
    }


def test_default_export_is_masked(client, scene):
    client.force_login(scene["org_a"])
    rows = _cells(client.get(reverse("instructors:instructor_export"), {"tier": "county"}))
    assert [row[2:4] for row in rows] == [(scene["a"].masked_id_number, scene["a"].masked_phone)]
    assert ExportRecord.objects.count() == 0


def test_full_export_page_shows_the_filter_and_asks_for_a_purpose(client, scene):
    client.force_login(scene["org_a"])
    body = client.get(FULL, {"tier": "county"}).content.decode()
    assert ("purpose" in body, scene["a"].id_number in body, scene["a"].phone in body) == (True, False, False)


def test_full_export_without_the_option_exports_nothing(client, scene):
    client.force_login(scene["org_a"])
    response = client.post(FULL, {"purpose": "上报"})
    assert (response["Content-Type"].startswith("text/html"), ExportRecord.objects.count()) == (True, 0)


def test_full_export_without_a_purpose_exports_nothing(client, scene):
    client.force_login(scene["org_a"])
    response = client.post(FULL, {"full_numbers": "on", "purpose": "  "})
    assert (response["Content-Type"].startswith("text/html"), ExportRecord.objects.count()) == (True, 0)


def test_full_export_has_full_numbers_and_records_the_filter(client, scene):
    client.force_login(scene["org_a"])
    response = client.post(f"{FULL}?tier=county&q=张", {"full_numbers": "on", "purpose": "上报省委组织部"})
    record = ExportRecord.objects.get()
    assert [row[2:4] for row in _cells(response)] == [(scene["a"].id_number, scene["a"].phone)]
    assert (record.created_by, record.filters, record.row_count, record.purpose, record.export) == (
        scene["org_a"],
        {"q": "张", "tier": "county"},
        1,
        "上报省委组织部",
        "instructors.roster",
    )


def test_full_export_records_a_region_filter_by_id_and_name(client, scene):
    client.force_login(factories.admin_user())
    county = scene["tree"]["county_b"]
    client.post(f"{FULL}?region={county.pk}", {"full_numbers": "on", "purpose": "导入"})
    record = ExportRecord.objects.get()
    assert (record.filters, record.row_count) == ({"region": {"id": county.pk, "name": str(county)}}, 1)


def test_full_export_of_an_organizer_stays_in_the_region(client, scene):
    client.force_login(scene["org_a"])
    rows = _cells(client.post(FULL, {"full_numbers": "on", "purpose": "导入"}))
    assert sorted(row[0] for row in rows) == ["张三", "王五"]


@pytest.mark.parametrize("role", [User.Role.INSTRUCTOR, User.Role.JUDGE])
def test_full_export_is_refused_to_a_user_who_may_not(scene, role):
    person = factories.user(role=role, region=scene["tree"]["county_a"])
    with refused("full_export_not_allowed"):
        roster.roster_export_full(by=person, filters={}, purpose="上报")
    assert ExportRecord.objects.count() == 0


def test_full_export_is_refused_to_a_deactivated_organizer(scene):
    scene["org_a"].is_active = False
    with refused("full_export_not_allowed"):
        roster.roster_export_full(by=scene["org_a"], filters={}, purpose="上报")


def test_full_export_service_refuses_an_empty_purpose(scene):
    with refused("full_export_purpose"):
        roster.roster_export_full(by=scene["org_a"], filters={}, purpose=" ")


def test_full_export_view_is_forbidden_to_an_instructor(client, scene):
    person = factories.user(role=User.Role.INSTRUCTOR)
    scene["a"].user = person
    scene["a"].save()
    client.force_login(person)
    response = client.post(FULL, {"full_numbers": "on", "purpose": "上报"})
    assert (response.status_code, ExportRecord.objects.count()) == (403, 0)


QUERY_KEYS = ["q", "tier", "status", "group", "specialty", "region", "sort", "page"]
VALUES = st.one_of(
    st.sampled_from(["county", "municipal", "active", "²", "-1", "99999999999", "pinyin", "张"]),
    st.text(max_size=20),
    st.integers(min_value=-5, max_value=10**6).map(str),
)


def _replay(record: ExportRecord, user) -> int:
    """How many rows the recorded filter selects when applied again."""
    query = {k: (v["id"] if isinstance(v, dict) else v) for k, v in record.filters.items()}
    form = InstructorFilterForm(query, user=user)
    assert form.is_valid(), form.errors
    return selectors.instructor_list(user=user, filters=form.cleaned_data).count()


def test_recorded_filter_is_the_filter_applied_whatever_the_query(scene):
    client = Client()
    client.force_login(scene["org_a"])
    factories.group(region=scene["tree"]["county_a"])

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(query=st.dictionaries(st.sampled_from(QUERY_KEYS), VALUES, max_size=4))
    def run(query):
        ExportRecord.objects.all().delete()
        response = client.post(f"{FULL}?{urlencode(query)}", {"full_numbers": "on", "purpose": "导入"})
        record = ExportRecord.objects.get()
        assert set(record.filters) <= set(QUERY_KEYS) - {"page"}
        assert record.row_count == len(_cells(response)) == _replay(record, scene["org_a"])

    run()
