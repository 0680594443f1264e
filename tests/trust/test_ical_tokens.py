"""Issue 15 item 8: calendar feeds can be revoked. The feed token is random and stored on the user (not the pk
signed with SECRET_KEY, which anyone could forge under a published development key); the user resets it on the
page; a deactivated account's feed is 404; ICS text escapes CR and the other specials. Organizers get a feed of
their region (issue 19). `make run` signs with a random key made per checkout and kept in var/."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing
from django.urls import reverse

from instructors.models import User
from instructors.services import user_feed_token
from outreach.ical import _escape
from outreach.models import Lecture
from tests.trust.world import client_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("world_media")


def _feed(client, token: str):
    return client.get(reverse("outreach:ical_feed", args=[token]))


@pytest.mark.django_db
def test_the_feed_answers_to_the_users_random_token(world, client):
    token = world["a"]["ical_token"]
    assert (_feed(client, token).status_code, len(token) >= 40) == (200, True)


@pytest.mark.django_db
def test_a_token_signed_with_the_secret_key_opens_no_feed(world, client):
    forged = signing.Signer(salt="outreach.ical").sign(str(world["a"]["instructor"].pk)).replace(":", ".")
    assert _feed(client, forged).status_code == 404


@pytest.mark.django_db
def test_resetting_the_address_kills_the_old_one_and_opens_a_new_one(world, client):
    old = world["a"]["ical_token"]
    response = client_for("inst_a", world).post(reverse("outreach:ical_reset"))
    new = User.objects.get(pk=world["a"]["user"].pk).feed_token
    assert (response.status_code, _feed(client, old).status_code, _feed(client, new).status_code) == (302, 404, 200)


@pytest.mark.django_db
def test_the_schedule_page_shows_the_reset_button(world):
    page = client_for("inst_a", world).get(reverse("outreach:my_schedule")).content.decode()
    assert (world["a"]["ical_token"] in page, reverse("outreach:ical_reset") in page) == (True, True)


@pytest.mark.django_db
def test_a_deactivated_accounts_feed_is_404(world, client):
    User.objects.filter(pk=world["a"]["user"].pk).update(is_active=False)
    assert _feed(client, world["a"]["ical_token"]).status_code == 404


@pytest.mark.django_db
def test_people_without_a_calendar_cannot_make_a_feed(world):
    response = client_for("judge", world).post(reverse("outreach:ical_reset"))
    assert (response.status_code, User.objects.get(pk=world["judge"].pk).feed_token) == (404, None)


# --- the organizer's region feed (issue 19) ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_organizer_creates_a_feed_of_their_region_on_the_calendar_page(world, client):
    organizer = client_for("org_x", world)
    organizer.post(reverse("outreach:ical_reset"))
    token = User.objects.get(pk=world["org_x"].pk).feed_token
    body = _feed(client, token).content.decode()
    own, other = (f"UID:lecture-{world[k]['lecture'].pk}@" for k in ("a", "b"))
    assert (own in body, other in body) == (True, False)


@pytest.mark.django_db
def test_the_calendar_page_shows_the_organizers_feed_address(world):
    token = user_feed_token(user=world["org_x"])
    page = client_for("org_x", world).get(reverse("outreach:calendar")).content.decode()
    assert token in page


# --- ICS text ---------------------------------------------------------------------------------------------------------


def test_ics_text_escapes_line_breaks_and_specials():
    assert _escape("a;b,c\\d\r\ne\rf\ng\x00h\ti") == "a\\;b\\,c\\\\d\\ne\\nf\\ngh\ti"


@pytest.mark.django_db
def test_a_carriage_return_in_a_title_cannot_start_a_property_of_its_own(world, client):
    lecture = world["a"]["lecture"]
    type(lecture.course).objects.filter(pk=lecture.course_id).update(title="党课\rDTSTART:19700101T000000Z")
    Lecture.objects.filter(pk=lecture.pk).update(venue="会议室\rURL:http://evil.example")
    body = _feed(client, world["a"]["ical_token"]).content.decode()
    assert (body.replace("\r\n", "").count("\r"), "\r\nDTSTART:1970" in body, "\r\nURL:" in body) == (0, False, False)


# --- make run's secret key --------------------------------------------------------------------------------------------


def _secret_key(var_dir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    probe = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=ROOT,
        env={**env, "VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_development_key_is_random_per_checkout_kept_in_var_and_private(tmp_path):
    first, again, other = _secret_key(tmp_path / "a"), _secret_key(tmp_path / "a"), _secret_key(tmp_path / "b")
    mode = stat.S_IMODE((tmp_path / "a" / "secret_key").stat().st_mode)
    assert (first == again, first != other, len(first) >= 50, mode) == (True, True, True, 0o600)


def test_the_key_once_published_in_the_code_is_not_used(tmp_path):
    assert _secret_key(tmp_path) != "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
