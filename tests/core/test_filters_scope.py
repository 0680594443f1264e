import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from core.errors import error_codes, error_text, field_error
from core.filters import apply_filters
from core.permissions import require_manager
from core.scope import within
from instructors.models import Instructor, TeachingGroup
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return factories.region_tree()


def test_apply_filters_filters_by_the_declared_lookups_and_skips_empty_values(tree):
    factories.instructor(region=tree["county_a"], tier="county", status="active")
    factories.instructor(region=tree["county_a"], tier="municipal", status="active")
    qs = apply_filters(Instructor.objects.all(), {"tier": "county", "status": ""}, {"tier": "tier", "status": "status"})
    assert list(qs.values_list("tier", flat=True)) == ["county"]


def test_within_gives_organizers_their_region_and_below(tree):
    mine = factories.instructor(region=tree["county_a"])
    factories.instructor(region=tree["county_b"])
    assert list(within(Instructor.objects.all(), factories.organizer(tree["county_a"]))) == [mine]


def test_within_gives_admins_everything_and_others_nothing(tree):
    factories.instructor(region=tree["county_a"])
    counts = (
        within(Instructor.objects.all(), factories.admin_user()).count(),
        within(Instructor.objects.all(), factories.user(role="judge")).count(),
    )
    assert counts == (1, 0)


def test_lineage_scope_includes_the_regions_above(tree):
    city_group = TeachingGroup.objects.create(name="市级教研组", region=tree["city"])
    TeachingGroup.objects.create(name="别县教研组", region=tree["county_b"])
    assert list(TeachingGroup.objects.visible_to(factories.organizer(tree["county_a"]))) == [city_group]


def test_require_manager_refuses_an_instructor(tree):
    request = RequestFactory().get("/")
    request.user = factories.user(role="instructor")
    with pytest.raises(PermissionDenied):
        require_manager(request)


def test_field_error_carries_field_and_code():
    exc = field_error("reason", "请填写原因。", "reason_missing")
    assert (list(exc.error_dict), error_codes(exc), error_text(exc)) == (["reason"], ["reason_missing"], "请填写原因。")


def test_error_text_joins_every_message():
    assert error_text(ValidationError(["甲。", "乙。"])) == "甲。 乙。"
