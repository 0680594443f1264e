"""Django admin of the evaluation models: settings and indicator systems in use are frozen."""

import pytest
from django.contrib import admin

from evaluations.survey import services as survey_services
from tests import factories

pytestmark = pytest.mark.django_db


def test_scoring_settings_in_use_cannot_be_edited(rf, world):
    settings_v1 = survey_services.scoring_current()
    model_admin = admin.site._registry[type(settings_v1)]
    request = rf.get("/")
    request.user = factories.admin_user()
    assert model_admin.has_change_permission(request, settings_v1) is True
    survey_services.evaluation_open(lecture=world["lecture"], by=None)
    assert model_admin.has_change_permission(request, settings_v1) is False


def test_indicator_system_with_weights_not_summing_to_one_cannot_be_made_current():
    from decimal import Decimal

    from evaluations.admin import IndicatorSystemForm
    from evaluations.models import Indicator

    system = survey_services.indicator_system_current()
    copy = survey_services.indicator_system_copy(system=system)
    Indicator.objects.filter(dimension__system=copy).order_by("pk").filter(
        pk=Indicator.objects.filter(dimension__system=copy).order_by("pk").first().pk
    ).update(weight=Decimal("0.050"))
    form = IndicatorSystemForm({"name": copy.name, "version": copy.version, "is_current": True}, instance=copy)
    assert not form.is_valid()
    assert "0.900" in str(form.errors)
