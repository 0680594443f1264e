import pytest
from django.urls import reverse

from instructors.models import Instructor
from tests import factories
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = factories.region_tree()
    own_user = factories.user(username="inst_a")
    return {
        **tree,
        "a": factories.instructor(region=tree["county_a"], name="张三", user=own_user),
        "b": factories.instructor(region=tree["county_b"], name="李四"),
        "own_user": own_user,
        "city_org": factories.organizer(tree["city"]),
        "org_a": factories.organizer(tree["county_a"]),
        "org_b": factories.organizer(tree["county_b"]),
    }


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("instructors:instructor_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_city_organizer_sees_both_counties(client, world):
    client.force_login(world["city_org"])
    response = client.get(reverse("instructors:instructor_list"))
    assert [i.name for i in response.context["page"]] == ["李四", "张三"]


def test_county_organizer_sees_only_own_county(client, world):
    client.force_login(world["org_a"])
    response = client.get(reverse("instructors:instructor_list"))
    assert [i.name for i in response.context["page"]] == ["张三"]


def test_county_organizer_gets_404_for_other_county(client, world):
    client.force_login(world["org_b"])
    response = client.get(reverse("instructors:instructor_detail", args=[world["a"].pk]))
    assert response.status_code == 404


def test_instructor_sees_own_profile_with_full_phone(client, world):
    client.force_login(world["own_user"])
    response = client.get(reverse("instructors:instructor_detail", args=[world["a"].pk]))
    assert response.status_code == 200
    assert world["a"].phone in response.content.decode()


def test_instructor_gets_404_for_colleague(client, world):
    client.force_login(world["own_user"])
    response = client.get(reverse("instructors:instructor_detail", args=[world["b"].pk]))
    assert response.status_code == 404


def test_instructor_cannot_open_the_registry_list(client, world):
    client.force_login(world["own_user"])
    assert client.get(reverse("instructors:instructor_list")).status_code == 403


def test_search_by_pinyin_initials(client, world):
    client.force_login(world["city_org"])
    response = client.get(reverse("instructors:instructor_list"), {"q": "zs"})
    assert [i.name for i in response.context["page"]] == ["张三"]


def test_list_sorts_by_pinyin(client, world):
    factories.instructor(region=world["county_a"], name="阿明")
    client.force_login(world["city_org"])
    response = client.get(reverse("instructors:instructor_list"))
    assert [i.name for i in response.context["page"]] == ["阿明", "李四", "张三"]


def test_filter_by_tier_and_status(client, world):
    factories.instructor(region=world["city"], name="王市", tier="municipal", status="probation")
    client.force_login(world["city_org"])
    response = client.get(reverse("instructors:instructor_list"), {"tier": "municipal", "status": "probation"})
    assert [i.name for i in response.context["page"]] == ["王市"]


def _list_queries(client, count: int, region) -> int:
    for n in range(count):
        person = factories.instructor(region=region, name=f"测试{n}")
        person.groups.add(factories.group(region=region))
    return count_queries(client, reverse("instructors:instructor_list"))


def test_list_query_count_does_not_grow_with_rows(client):
    tree = factories.region_tree()
    client.force_login(factories.organizer(tree["city"]))
    counts = [_list_queries(client, n, tree["county_a"]) for n in (1, 2, 47)]  # 1, 3 and 50 rows in total
    assert counts[0] == counts[1] == counts[2]


def test_status_change_view_records_change(client, world):
    client.force_login(world["org_a"])
    response = client.post(
        reverse("instructors:instructor_status_change", args=[world["a"].pk]),
        {"to_status": "probation", "reason": "年度考核预警"},
    )
    assert response.status_code == 302
    world["a"].refresh_from_db()
    assert world["a"].status == "probation"


def test_status_change_of_other_county_is_404_and_changes_nothing(client, world):
    client.force_login(world["org_b"])
    response = client.post(
        reverse("instructors:instructor_status_change", args=[world["a"].pk]),
        {"to_status": "probation", "reason": "越权"},
    )
    world["a"].refresh_from_db()
    assert (response.status_code, world["a"].status) == (404, "active")


def test_create_form_shows_chinese_error_for_bad_id(client, world):
    client.force_login(world["org_a"])
    response = client.post(
        reverse("instructors:instructor_create"),
        {
            "name": "赵六",
            "gender": "M",
            "id_number": "123",
            "phone": "13900000000",
            "employer": "x",
            "tier": "county",
            "region": world["county_a"].pk,
        },
    )
    assert response.status_code == 200
    assert "身份证号" in response.content.decode()
    assert not Instructor.objects.filter(name="赵六").exists()


def test_create_refuses_region_outside_scope(client, world):
    client.force_login(world["org_a"])
    client.post(
        reverse("instructors:instructor_create"),
        {
            "name": "赵六",
            "gender": "M",
            "id_number": factories.id_number(),
            "phone": factories.phone(),
            "employer": "x",
            "tier": "county",
            "region": world["county_b"].pk,
        },
    )
    assert not Instructor.objects.filter(name="赵六").exists()


def test_create_happy_path(client, world):
    client.force_login(world["org_a"])
    response = client.post(
        reverse("instructors:instructor_create"),
        {
            "name": "赵六",
            "gender": "F",
            "id_number": factories.id_number(),
            "phone": factories.phone(),
            "employer": "嘉城区委党校",
            "tier": "county",
            "region": world["county_a"].pk,
        },
    )
    person = Instructor.objects.get(name="赵六")
    assert response.url == person.get_absolute_url()


def test_instructor_edits_own_biography_but_not_tier(client, world):
    client.force_login(world["own_user"])
    client.post(
        reverse("instructors:instructor_update", args=[world["a"].pk]),
        {"post": "讲师", "biography": "新的简介", "tier": "provincial"},
    )
    world["a"].refresh_from_db()
    assert (world["a"].biography, world["a"].tier) == ("新的简介", "county")


def test_instructor_cannot_edit_colleague(client, world):
    client.force_login(world["own_user"])
    response = client.post(reverse("instructors:instructor_update", args=[world["b"].pk]), {"biography": "x"})
    assert response.status_code == 404


def test_group_pages_are_scoped(client, world):
    group = factories.group(region=world["county_b"], name="平羌教研组")
    group.members.add(world["b"])
    client.force_login(world["org_a"])
    assert client.get(reverse("instructors:group_detail", args=[group.pk])).status_code == 404
    client.force_login(world["org_b"])
    assert "李四" in client.get(reverse("instructors:group_detail", args=[group.pk])).content.decode()


def test_group_list_query_count_is_constant(client):
    tree = factories.region_tree()
    client.force_login(factories.organizer(tree["city"]))
    counts = []
    for n in (1, 2):
        for _ in range(n):
            factories.group(region=tree["city"], leader=factories.instructor(region=tree["city"]))
        counts.append(count_queries(client, reverse("instructors:group_list")))
    assert counts[0] == counts[1]


def test_home_shows_counts_for_organizer(client, world):
    client.force_login(world["org_a"])
    response = client.get(reverse("home"))
    assert response.context["summary"]["total"] == 1


def test_interface_is_chinese_by_default(client, world):
    client.force_login(world["city_org"])
    assert "师资库" in client.get(reverse("instructors:instructor_list")).content.decode()
