"""The record of exports with full numbers (core.ExportRecord): what it writes, who may read it, that nobody edits
it."""

import datetime as dt

import pytest
from django.urls import reverse

from core.exports import export_filters_record, export_record_create
from core.models import ExportRecord
from instructors.models import User
from tests import factories
from tests.helpers import count_queries
from tests.refusals import refused

pytestmark = pytest.mark.django_db

RECORDS = reverse("core:export_record_list")


def _record(by, n: int = 1, purpose: str = "上报省委组织部") -> list[ExportRecord]:
    return [
        export_record_create(
            export="instructors.roster", title="师资名册", by=by, filters={}, row_count=3, purpose=purpose
        )
        for _ in range(n)
    ]


def test_filters_are_recorded_as_json_without_empty_values(tree):
    recorded = export_filters_record({"q": "张", "tier": "", "region": tree["county_a"], "day": dt.date(2026, 1, 2)})
    assert recorded == {"q": "张", "region": {"id": tree["county_a"].pk, "name": "嘉城区"}, "day": "2026-01-02"}


def test_record_keeps_the_account_name_after_the_account_is_gone(tree):
    organizer = factories.organizer(tree["county_a"], username="org_jc")
    record = _record(organizer)[0]
    organizer.delete()
    record.refresh_from_db()
    assert (record.created_by, record.created_by_name) == (None, "org_jc")


def test_record_is_refused_for_an_instructor(tree):
    with refused("full_export_not_allowed"):
        _record(factories.user(role=User.Role.INSTRUCTOR))


def test_admin_reads_the_records(client, tree):
    _record(factories.organizer(tree["county_a"]), purpose="导入前核对")
    client.force_login(factories.user(role=User.Role.ADMIN))
    assert "导入前核对" in client.get(RECORDS).content.decode()


def test_organizer_may_not_read_the_records(client, tree):
    client.force_login(factories.organizer(tree["city"]))
    assert client.get(RECORDS).status_code == 403


def test_record_list_query_count_does_not_grow_with_rows(client, tree):
    organizer = factories.organizer(tree["county_a"])
    client.force_login(factories.admin_user())
    _record(organizer)
    one = count_queries(client, RECORDS)
    _record(organizer, n=2)
    assert count_queries(client, RECORDS) == one


def test_django_admin_shows_records_read_only(client, tree):
    record = _record(factories.organizer(tree["county_a"]))[0]
    client.force_login(factories.admin_user())
    change = client.get(reverse("admin:core_exportrecord_change", args=[record.pk])).content.decode()
    statuses = (
        client.get(reverse("admin:core_exportrecord_changelist")).status_code,
        client.get(reverse("admin:core_exportrecord_add")).status_code,
        client.post(reverse("admin:core_exportrecord_delete", args=[record.pk]), {"post": "yes"}).status_code,
    )
    assert (statuses, 'name="purpose"' in change, ExportRecord.objects.count()) == ((200, 403, 403), False, 1)
