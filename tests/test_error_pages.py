"""The product's own error pages: Chinese, with the site's header and a link back home, never Django's English ones."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import path, reverse

from config import urls as portal_urls
from evaluations.survey.services import SURVEY_SALT
from tests import factories

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a view that fails")


# A test-only URLconf: the portal's URLs plus one view that raises.
urlpatterns = [*portal_urls.urlpatterns, path("boom/", _boom)]


def _assert_product_page(response, status: int, heading: str) -> None:
    body = response.content.decode()
    assert (response.status_code, heading in body) == (status, True)
    assert f'href="{reverse("home")}"' in body and "portal-navbar" in body  # the site's header and a way back
    assert "Traceback" not in body and "URLconf" not in body


def test_wrong_url_as_anonymous_gives_the_chinese_404_with_a_link_home(client):
    _assert_product_page(client.get("/no-such-page/"), 404, "页面不存在")


def test_wrong_url_as_organizer_gives_the_chinese_404_with_the_menu(client):
    client.force_login(factories.organizer(factories.region_tree()["county_a"]))
    response = client.get("/instructors/999999/")
    _assert_product_page(response, 404, "页面不存在")
    assert reverse("password_change") in response.content.decode()  # the signed-in header, not an anonymous one


def test_tampered_survey_link_on_a_phone_gives_the_chinese_404(client):
    token = signing.dumps({"e": 1, "s": "abc"}, salt=SURVEY_SALT)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(reverse("evaluations:survey", args=[tampered]), HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    _assert_product_page(response, 404, "页面不存在")


def test_view_that_raises_gives_the_chinese_500(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    _assert_product_page(client.get("/boom/"), 500, "系统出错了")


def test_permission_refused_gives_the_chinese_403(client):
    client.force_login(factories.user(region=factories.region_tree()["county_a"]))
    _assert_product_page(client.get(reverse("outreach:dashboard")), 403, "无权访问")


def test_form_without_csrf_token_gives_the_chinese_expired_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    _assert_product_page(response, 403, "页面已过期")
