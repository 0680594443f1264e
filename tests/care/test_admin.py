import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_care_model_is_in_the_admin():
    missing = [m.__name__ for m in apps.get_app_config("care").get_models() if m not in admin.site._registry]
    assert missing == []


def test_the_admin_never_shows_what_an_instructor_told_the_counsellor(client):
    from care.models import CounsellingBooking

    model_admin = admin.site._registry[CounsellingBooking]
    assert {"concern", "counsellor_note", "instructor"} & set(model_admin.fields + model_admin.list_display) == set()


def test_the_fund_balance_cannot_be_edited_in_the_admin(client):
    from tests.care import factories as cf

    fund = cf.fund(region=f.region_tree()["county_a"])
    client.force_login(f.admin_user())
    page = client.get(reverse("admin:care_awardfund_change", args=[fund.pk])).content.decode()
    assert 'name="balance"' not in page and 'name="budget"' not in page
