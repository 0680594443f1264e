import pytest
from django.contrib import admin
from django.urls import reverse

from evaluations import services
from tests import factories
from tests.evaluations.conftest import world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_every_registered_model_has_a_working_changelist_and_add_page(client):
    client.force_login(factories.admin_user())
    broken = []
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if client.get(url).status_code != 200:
            broken.append(url)
    assert broken == []


def test_all_project_models_are_in_admin():
    from django.apps import apps

    missing = [
        model.__name__
        for app in ("instructors", "courses", "outreach", "evaluations")
        for model in apps.get_app_config(app).get_models()
        if model not in admin.site._registry and not model._meta.auto_created
    ]
    # Deliberately absent: anonymous answer rows and the vote table (no one browses them one by one) and the
    # booking slots (derived from lectures).
    assert set(missing) == {"DeviceVote", "Response", "Answer", "RaterAnswer", "LectureSlot"}


def test_scoring_settings_in_use_cannot_be_edited(rf, world):  # noqa: F811
    settings_v1 = services.scoring_current()
    model_admin = admin.site._registry[type(settings_v1)]
    request = rf.get("/")
    request.user = factories.admin_user()
    assert model_admin.has_change_permission(request, settings_v1) is True
    services.evaluation_open(lecture=world["lecture"], by=None)
    assert model_admin.has_change_permission(request, settings_v1) is False


def test_indicator_system_with_weights_not_summing_to_one_cannot_be_made_current():
    from decimal import Decimal

    from evaluations.admin import IndicatorSystemForm
    from evaluations.models import Indicator

    system = services.indicator_system_current()
    copy = services.indicator_system_copy(system=system)
    Indicator.objects.filter(dimension__system=copy).order_by("pk").filter(
        pk=Indicator.objects.filter(dimension__system=copy).order_by("pk").first().pk
    ).update(weight=Decimal("0.050"))
    form = IndicatorSystemForm({"name": copy.name, "version": copy.version, "is_current": True}, instance=copy)
    assert not form.is_valid()
    assert "0.900" in str(form.errors)
