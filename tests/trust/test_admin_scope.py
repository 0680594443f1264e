"""Issue 15 item 10: the Django admin is for system administrators. A staff account that is not a superuser sees only
its region's rows, sees ID and phone numbers masked (and cannot search them), cannot move a row out of its region,
never sees staff or superuser accounts, and cannot grant superuser, staff, roles, regions, groups or permissions to
itself or anyone; groups are changed by superusers only (core/admin.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from instructors.models import Instructor, User
from tests import factories as f

pytestmark = pytest.mark.django_db

PERMISSIONS = [
    f"{action}_{model}"
    for action in ("view", "change", "add", "delete")
    for model in ("instructor", "user", "group", "region", "course", "organization", "lecture")
]


@pytest.fixture
def w():
    tree = f.region_tree()
    staff = f.user(username="county_staff", role=User.Role.ORGANIZER, region=tree["county_a"], is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=PERMISSIONS))
    mine_user, other_user = f.user(username="mine"), f.user(username="other")
    mine = f.instructor(region=tree["county_a"], name="张三", user=mine_user)
    other = f.instructor(region=tree["county_b"], name="李四", user=other_user)
    client = Client()
    client.force_login(staff)
    return {"tree": tree, "staff": staff, "client": client, "mine": mine, "other": other, "mine_user": mine_user}


def _admin(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def test_staff_sees_only_the_instructors_of_its_region(w):
    page = w["client"].get(_admin("instructors_instructor_changelist")).content.decode()
    assert ("张三" in page, "李四" in page) == (True, False)


def test_staff_cannot_open_another_countys_instructor(w):
    response = w["client"].get(_admin("instructors_instructor_change", w["other"].pk))
    assert (response.status_code, "李四" in response.content.decode()) == (302, False)


def test_staff_sees_id_and_phone_numbers_masked(w):
    page = w["client"].get(_admin("instructors_instructor_change", w["mine"].pk)).content.decode()
    person = w["mine"]
    assert (person.id_number in page, person.phone in page, person.masked_id_number in page) == (False, False, True)


def test_staff_cannot_search_by_phone_number(w):
    url = _admin("instructors_instructor_changelist") + f"?q={w['mine'].phone}"
    assert "张三" not in w["client"].get(url).content.decode()


def test_staff_cannot_move_an_instructor_out_of_its_region(w):
    response = w["client"].post(
        _admin("instructors_instructor_change", w["mine"].pk), {"region": w["tree"]["county_b"].pk}
    )
    assert (response.status_code, Instructor.objects.get(pk=w["mine"].pk).region_id) == (200, w["tree"]["county_a"].pk)


def test_staff_without_a_region_sees_no_rows(w):
    User.objects.filter(pk=w["staff"].pk).update(region=None, role=User.Role.INSTRUCTOR)
    page = w["client"].get(_admin("instructors_instructor_changelist")).content.decode()
    assert ("张三" in page, "李四" in page) == (False, False)


def test_superuser_sees_everything_unmasked(w, client):
    client.force_login(f.user(username="root", is_staff=True, is_superuser=True))
    page = client.get(_admin("instructors_instructor_change", w["other"].pk)).content.decode()
    assert w["other"].id_number in page


# --- privileges -------------------------------------------------------------------------------------------------------


def test_staff_cannot_open_its_own_account_to_grant_itself_superuser(w):
    url = _admin("instructors_user_change", w["staff"].pk)
    response = w["client"].post(url, {"username": "county_staff", "is_superuser": "on", "is_staff": "on"})
    staff = User.objects.get(pk=w["staff"].pk)
    assert (response.status_code, staff.is_superuser) == (302, False)


def _user_form(user: User, **extra) -> dict:
    return {
        "username": user.username,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **extra,
    }


def test_staff_cannot_grant_anyone_superuser_staff_role_or_permissions(w):
    target = w["mine_user"]
    anything = Permission.objects.get(codename="delete_instructor")
    data = _user_form(
        target,
        display_name="改过",
        is_superuser="on",
        is_staff="on",
        role=User.Role.ADMIN,
        region=w["tree"]["city"].pk,
        user_permissions=[anything.pk],
    )
    response = w["client"].post(_admin("instructors_user_change", target.pk), data)
    target = User.objects.get(pk=target.pk)
    granted = (target.is_superuser, target.is_staff, target.role, target.region_id, target.user_permissions.count())
    assert (response.status_code, target.display_name, granted) == (302, "改过", (False, False, "instructor", None, 0))


def test_staff_does_not_see_staff_or_superuser_accounts(w):
    f.user(username="root", is_staff=True, is_superuser=True, region=w["tree"]["county_a"])
    page = w["client"].get(_admin("instructors_user_changelist")).content.decode()
    assert ("root" in page, "mine" in page) == (False, True)


def test_staff_cannot_add_accounts(w):
    assert w["client"].get(_admin("instructors_user_add")).status_code == 403


def test_staff_cannot_change_groups_even_with_the_permission(w):
    group = Group.objects.create(name="管理员组")
    response = w["client"].post(_admin("auth_group_change", group.pk), {"name": "管理员组", "permissions": []})
    assert response.status_code == 403


def test_staff_sees_only_its_regions_courses_and_organizations(w):
    from tests.courses import factories as cf
    from tests.outreach import factories as of

    for key, county, label in (("mine", "county_a", "本县"), ("other", "county_b", "外县")):
        cf.course(lead=w[key], title=f"{label}的党课")
        of.organization(region=w["tree"][county], name=f"{label}党支部")
    pages = [
        w["client"].get(_admin(name)).content.decode()
        for name in ("courses_course_changelist", "outreach_organization_changelist")
    ]
    assert [("本县" in page, "外县" in page) for page in pages] == [(True, False), (True, False)]


def test_every_changelist_of_the_registry_catalog_and_outreach_works_for_region_staff(w):
    from django.contrib import admin

    w["staff"].user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    broken = [
        url
        for model in admin.site._registry
        if model._meta.app_label in {"instructors", "courses", "outreach"}
        for url in [_admin(f"{model._meta.app_label}_{model._meta.model_name}_changelist")]
        if w["client"].get(url).status_code != 200
    ]
    assert broken == []
