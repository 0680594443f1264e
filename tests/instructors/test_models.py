import pytest

from instructors.models import Instructor
from instructors.pinyin import name_to_pinyin
from instructors.validators import mask_id_number, mask_phone, validate_id_number, validate_phone
from tests import factories
from tests.refusals import refused


def test_pinyin_of_name_gives_sort_key_compact_key_and_initials():
    assert name_to_pinyin("张三") == ("zhang san", "zhangsan", "zs")


def test_pinyin_uses_surname_reading_for_heteronym_surnames():
    assert name_to_pinyin("曾小明")[2] == "zxm"


def test_id_number_with_wrong_check_digit_is_refused():
    valid = factories.id_number(7)
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    validate_id_number(valid)
    with refused("id_check"):
        validate_id_number(wrong)


def test_id_number_with_impossible_birth_date_is_refused():
    with refused("id_date"):
        validate_id_number("511102199913450012")


@pytest.mark.parametrize("value", ["12345678901", "1391234567", "139123456789", "2391234567a"])
def test_phone_validation_refuses_malformed_numbers(value):
    with refused("phone"):
        validate_phone(value)


def test_masking_hides_the_middle_of_id_and_phone():
    assert mask_id_number("511102197001100078") == "5111**********0078"
    assert mask_phone("13912345678") == "139****5678"


@pytest.mark.django_db
def test_region_within_includes_descendants_only():
    tree = factories.region_tree()
    from instructors.models import Region

    names = set(Region.objects.within(tree["county_a"]).values_list("name", flat=True))
    assert names == {"嘉城区", "青龙镇", "白马村"}


@pytest.mark.django_db
def test_saving_an_instructor_fills_pinyin_columns():
    tree = factories.region_tree()
    person = factories.instructor(region=tree["county_a"], name="李四")
    person.refresh_from_db()
    assert (person.pinyin, person.pinyin_initials) == ("li si", "ls")


def test_retired_instructor_has_no_further_transitions():
    assert Instructor(status=Instructor.Status.RETIRED).allowed_transitions() == ()
    assert Instructor(status=Instructor.Status.CANDIDATE).can_change_status_to(Instructor.Status.ACTIVE)
