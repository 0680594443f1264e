"""Issue 15 item 1: stored files are private. Every stored file (photo, thumbnail, cover, courseware, lecture photo)
has an unguessable name, no URL serves MEDIA_ROOT (in DEBUG neither), and the file views answer 404 to anonymous
people and other scopes, the file to people who may see its object; withdrawn courseware goes only to the people
handling the rectification. The three ways of handing a file out (Django, nginx X-Accel-Redirect, presigned S3
URL) are each checked."""

from __future__ import annotations

import importlib
import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from core.files import is_unguessable
from courses import services as course_services
from courses.models import Course, CoursewareVersion
from instructors import services as instructor_services
from instructors.models import Instructor
from tests import factories as f
from tests.courses import factories as cf
from tests.trust.world import ROLES, client_for

ROOT = Path(__file__).resolve().parents[2]
OUTSIDERS = ("anon", "trainee", "inst_b", "org_y", "judge")
INSIDERS = ("inst_a", "org_x", "org_city", "admin")


def _stored(w: dict) -> dict[str, tuple[str, str]]:
    """Instructor A's stored files: label → (stored name, URL of the view that hands it out)."""
    a = w["a"]
    person = Instructor.objects.get(pk=a["instructor"].pk)
    course = Course.objects.get(pk=a["course"].pk)
    photo = a["lecture_photo"]
    return {
        "photo": (person.photo.name, reverse("instructors:instructor_photo", args=[person.pk])),
        "thumbnail": (person.photo.name, reverse("instructors:instructor_thumbnail", args=[person.pk])),
        "cover": (course.cover.name, reverse("courses:course_cover", args=[course.pk])),
        "courseware": (
            course.courseware_versions.get().file.name,
            reverse("courses:courseware_download", args=[course.pk]),
        ),
        "lecture photo": (
            photo.image.name,
            reverse("outreach:lecture_photo", args=[photo.lecture_id, photo.pk]),
        ),
    }


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@pytest.fixture
def debug_urlconf(settings):
    """config/urls.py as imported with DEBUG on (where Django's static() used to serve MEDIA_ROOT)."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


# --- names ------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_stored_file_has_an_unguessable_name(world, world_media):
    names = {label: name for label, (name, _url) in _stored(world).items()}
    assert {label: name for label, name in names.items() if not re.search(r"/[0-9a-f]{32}\.[a-z]+$", name)} == {}


def test_two_uploads_of_the_same_file_get_unrelated_names():
    field = CoursewareVersion._meta.get_field("file")
    first, second = field.generate_filename(None, "v1.pdf"), field.generate_filename(None, "v1.pdf")
    assert (first != second, is_unguessable(first, "courseware"), first.endswith(".pdf")) == (True, True, True)


# --- no URL serves MEDIA_ROOT -----------------------------------------------------------------------------------------


def test_no_url_pattern_serves_media_even_in_debug(debug_urlconf):
    with pytest.raises(Resolver404):
        resolve("/media/courseware/1/v1.pdf")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_media_urls_of_every_stored_file_answer_404(world, world_media, debug_urlconf, role):
    client = client_for(role, world)
    course = world["a"]["course"]
    paths = [f"/media/{name}" for name, _url in _stored(world).values()] + [f"/media/courseware/{course.pk}/v1.pdf"]
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 404)


# --- the views --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", OUTSIDERS)
def test_file_views_answer_404_to_anonymous_people_and_other_scopes(world, world_media, role):
    client = client_for(role, world)
    answers = {label: client.get(url).status_code for label, (_name, url) in _stored(world).items()}
    assert answers == dict.fromkeys(answers, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("role", INSIDERS)
def test_file_views_hand_the_file_to_people_who_may_see_it(world, world_media, role):
    client = client_for(role, world)
    got = {label: _body(client.get(url)) == _bytes(name) for label, (name, url) in _stored(world).items()}
    assert got == dict.fromkeys(got, True)


@pytest.mark.django_db
def test_file_responses_are_private_to_the_browser(world, world_media):
    response = client_for("org_x", world).get(_stored(world)["photo"][1])
    assert response["Cache-Control"].startswith("private")


@pytest.mark.django_db
def test_a_file_missing_on_storage_is_404_not_500(world, world_media):
    version = world["b"]["course"].courseware_versions.get()
    CoursewareVersion.objects.filter(pk=version.pk).update(file="courseware/00/" + "0" * 32 + ".pdf")
    response = client_for("org_y", world).get(reverse("courses:courseware_download", args=[world["b"]["course"].pk]))
    assert response.status_code == 404


# --- withdrawn courseware ---------------------------------------------------------------------------------------------


@pytest.fixture
def city_course(world, world_media):
    """A city instructor's course with courseware: county organizers see it (they order the city's courses)."""
    lead_user = f.user(username="city_lecturer")
    lead = f.instructor(region=world["tree"]["city"], name="王五", tier=Instructor.Tier.MUNICIPAL, user=lead_user)
    course = cf.course(lead=lead, title="市级党课")
    course_services.courseware_upload(course=course, upload=cf.pdf_upload(), note="初版", by=None)
    return course


def _download(client: Client, course: Course) -> int:
    return client.get(reverse("courses:courseware_download", args=[course.pk])).status_code


@pytest.mark.django_db
def test_county_organizer_downloads_the_city_course_while_it_is_on_the_shelf(world, city_course):
    assert _download(client_for("org_x", world), city_course) == 200


@pytest.mark.django_db
def test_withdrawn_courseware_is_404_for_people_who_only_see_the_course(world, city_course):
    cf.rectification(course_obj=city_course)
    county = client_for("org_x", world)
    page = county.get(reverse("courses:course_detail", args=[city_course.pk]))
    assert (page.status_code, _download(county, city_course)) == (200, 404)


@pytest.mark.django_db
def test_withdrawn_courseware_still_goes_to_its_manager_and_its_instructor(world, city_course):
    cf.rectification(course_obj=city_course)
    lecturer = Client()
    lecturer.force_login(city_course.lead_instructor.user)
    assert (_download(client_for("org_city", world), city_course), _download(lecturer, city_course)) == (200, 200)


@pytest.mark.django_db
def test_course_page_offers_no_download_of_withdrawn_courseware(world, city_course):
    cf.rectification(course_obj=city_course)
    page = client_for("org_x", world).get(reverse("courses:course_detail", args=[city_course.pk]))
    assert reverse("courses:courseware_download", args=[city_course.pk]) not in page.content.decode()


# --- replaced photos leave nothing behind -----------------------------------------------------------------------------


def _files_under(root: str) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, n), root) for d, _s, names in os.walk(root) for n in names)


@pytest.mark.django_db
def test_a_replaced_photo_leaves_only_the_new_photo_and_its_thumbnail(settings, django_capture_on_commit_callbacks):
    person = f.instructor(region=f.region_tree()["county_a"])
    for name in ("first.jpg", "second.jpg"):
        with django_capture_on_commit_callbacks(execute=True):
            instructor_services.instructor_set_photo(instructor=person, upload=f.jpeg_upload(name))
        person.refresh_from_db()
    assert _files_under(settings.MEDIA_ROOT) == sorted([person.photo.name, person.photo_thumbnail.name])


@pytest.mark.django_db
def test_making_the_thumbnail_twice_leaves_one_thumbnail(settings, django_capture_on_commit_callbacks):
    person = f.instructor(region=f.region_tree()["county_a"])
    with django_capture_on_commit_callbacks(execute=True):
        instructor_services.instructor_set_photo(instructor=person, upload=f.jpeg_upload())
    instructor_services.instructor_make_thumbnail(instructor_id=person.pk)  # a redelivered task
    assert len(_files_under(settings.MEDIA_ROOT)) == 2


# --- moving files stored under old names ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rename_command_moves_old_courseware_names_and_deletes_the_old_file():
    course = cf.course(lead=f.instructor(region=f.region_tree()["county_a"]))
    old = default_storage.save(f"courseware/{course.pk}/v1.pdf", ContentFile(cf.MINIMAL_PDF))
    version = CoursewareVersion.objects.create(
        course=course, number=1, file=old, kind="pdf", size=len(cf.MINIMAL_PDF), original_name="a.pdf", note="初版"
    )
    call_command("private_files_rename", stdout=open(os.devnull, "w"))  # noqa: SIM115
    version.refresh_from_db()
    moved = (is_unguessable(version.file.name, "courseware"), default_storage.exists(old), _bytes(version.file.name))
    assert moved == (True, False, cf.MINIMAL_PDF)


@pytest.mark.django_db
def test_rename_command_moves_old_photo_names_and_is_idempotent():
    person = f.instructor(region=f.region_tree()["county_a"])
    old = default_storage.save("photos/2024/face.jpg", f.jpeg_upload())
    Instructor.objects.filter(pk=person.pk).update(photo=old)
    call_command("private_files_rename", stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = Instructor.objects.get(pk=person.pk).photo.name
    call_command("private_files_rename", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (is_unguessable(first, "photos"), Instructor.objects.get(pk=person.pk).photo.name) == (True, first)


# --- nginx and S3 -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_behind_nginx_the_view_hands_over_through_an_internal_redirect(world, world_media, settings):
    settings.PRIVATE_FILES_SERVE = "nginx"
    name, url = _stored(world)["courseware"]
    response = client_for("org_x", world).get(url)
    sent = (response.status_code, response["X-Accel-Redirect"], response.content, response["Content-Disposition"][:10])
    assert sent == (200, f"/_private/{name}", b"", "attachment")


@pytest.mark.django_db
def test_behind_nginx_outsiders_get_no_internal_redirect(world, world_media, settings):
    settings.PRIVATE_FILES_SERVE = "nginx"
    response = client_for("org_y", world).get(_stored(world)["courseware"][1])
    assert (response.status_code, response.has_header("X-Accel-Redirect")) == (404, False)


def test_the_nginx_example_serves_media_only_from_an_internal_location():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    private = re.search(r"location /_private/ \{(.*?)\}", conf, re.S)
    assert (private is not None and "internal;" in private.group(1), "location /media/" in conf) == (True, False)


def _lifetime(url: str) -> float:
    """Seconds a presigned URL stays valid (SigV4's X-Amz-Expires, or SigV2's absolute Expires)."""
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return int(query["X-Amz-Expires"][0])
    return int(query["Expires"][0]) - time.time()


@pytest.mark.services
@pytest.mark.django_db
def test_on_s3_the_view_redirects_to_a_short_lived_presigned_url(s3_settings):  # noqa: F811
    s3_settings.PRIVATE_FILES_SERVE = "s3"
    user = f.user()
    person = f.instructor(region=f.region_tree()["county_a"], user=user)
    instructor_services.instructor_set_photo(instructor=person, upload=f.jpeg_upload())
    client = Client()
    client.force_login(user)
    response = client.get(reverse("instructors:instructor_photo", args=[person.pk]))
    fetched = requests.get(response["Location"], timeout=10)
    assert (response.status_code, _lifetime(response["Location"]) <= 300, fetched.content[:2]) == (
        302,
        True,
        b"\xff\xd8",
    )


@pytest.mark.services
@pytest.mark.django_db
def test_on_s3_outsiders_get_no_presigned_url(s3_settings):  # noqa: F811
    s3_settings.PRIVATE_FILES_SERVE = "s3"
    person = f.instructor(region=f.region_tree()["county_a"])
    instructor_services.instructor_set_photo(instructor=person, upload=f.jpeg_upload())
    outsider = Client()
    outsider.force_login(f.user())
    assert outsider.get(reverse("instructors:instructor_photo", args=[person.pk])).status_code == 404


@pytest.mark.django_db
def test_orphan_sweep_deletes_old_unreferenced_files_only():
    person = f.instructor(region=f.region_tree()["county_a"])
    instructor_services.instructor_set_photo(instructor=person, upload=f.jpeg_upload())
    person.refresh_from_db()
    left_over = default_storage.save("photos/thumbs/2024/face_thumb.jpg", f.jpeg_upload())
    fresh = default_storage.save("thumbnails/ab/" + "ab" * 16 + ".jpg", f.jpeg_upload())
    hour_ago = time.time() - 7200
    for name in (person.photo.name, left_over):
        os.utime(default_storage.path(name), (hour_ago, hour_ago))
    call_command("private_files_rename", "--delete-orphans", stdout=open(os.devnull, "w"))  # noqa: SIM115
    kept = [default_storage.exists(name) for name in (person.photo.name, left_over, fresh)]
    assert kept == [True, False, True]
