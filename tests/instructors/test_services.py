import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from instructors import services
from instructors.images import clean_image_upload
from instructors.models import Instructor, InstructorStatusChange
from tests import factories
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return factories.region_tree()


def _png(size=(40, 60), fmt="PNG", exif: bool = False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        exif_data = Image.Exif()
        exif_data[0x010F] = "SecretCameraMaker"
        kwargs["exif"] = exif_data.tobytes()
    image.save(buffer, fmt, **kwargs)
    return SimpleUploadedFile(f"photo.{fmt.lower()}", buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_status_change_is_recorded_with_who_and_why(tree):
    person = factories.instructor(region=tree["county_a"], status=Instructor.Status.ACTIVE)
    boss = factories.organizer(tree["city"])
    services.instructor_change_status(instructor=person, to_status="probation", by=boss, reason="授课数量未达标")
    change = InstructorStatusChange.objects.get(instructor=person)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        "active",
        "probation",
        boss,
        "授课数量未达标",
    )


def test_refused_transition_changes_nothing(tree):
    person = factories.instructor(region=tree["county_a"], status=Instructor.Status.RETIRED)
    with refused("transition_not_allowed"):
        services.instructor_change_status(instructor=person, to_status="active", by=None, reason="想回来")
    person.refresh_from_db()
    assert person.status == "retired"
    assert not InstructorStatusChange.objects.filter(instructor=person).exists()


def test_status_change_without_reason_is_refused(tree):
    person = factories.instructor(region=tree["county_a"])
    with refused("reason_missing"):
        services.instructor_change_status(instructor=person, to_status="probation", by=None, reason="  ")


def test_activation_sets_joined_date(tree):
    person = factories.instructor(region=tree["county_a"], status=Instructor.Status.CANDIDATE)
    services.instructor_change_status(instructor=person, to_status="active", by=None, reason="试讲合格")
    person.refresh_from_db()
    assert person.joined_on is not None


def test_create_records_initial_status(tree):
    data = {
        "name": "王五",
        "gender": "M",
        "id_number": factories.id_number(),
        "phone": factories.phone(),
        "employer": "平羌县委党校",
        "tier": "county",
        "region": tree["county_b"],
    }
    person = services.instructor_create(data=data, by=None)
    assert person.status == "candidate"
    assert person.status_changes.count() == 1


def test_clean_image_strips_exif_and_keeps_format():
    cleaned = clean_image_upload(_png(fmt="JPEG", exif=True))
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_renamed_pdf_is_refused_as_photo():
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4\n%fake pdf\n", content_type="image/jpeg")
    with refused("invalid"):
        clean_image_upload(fake)


def test_truncated_image_is_refused():
    good = _png(size=(300, 300), fmt="PNG").read()
    with refused("damaged"):
        clean_image_upload(SimpleUploadedFile("cut.png", good[: len(good) // 2], content_type="image/png"))


def test_oversized_dimensions_are_refused_before_decoding(settings):
    settings.PHOTO_MAX_PIXELS_SIDE = 100
    with refused("too_large") as info:
        clean_image_upload(_png(size=(101, 50)))
    assert info.value.code == "too_large"


def test_decompression_bomb_is_refused():
    # A 20000×20000 one-bit PNG is tiny on disk but 400 megapixels when decoded.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    with refused("invalid"):
        clean_image_upload(SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png"))


def test_too_big_file_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 100
    with refused("too_big") as info:
        clean_image_upload(_png(size=(200, 200)))
    assert info.value.code == "too_big"


def test_set_photo_makes_thumbnail_after_commit(tree, django_capture_on_commit_callbacks):
    person = factories.instructor(region=tree["county_a"])
    with django_capture_on_commit_callbacks(execute=True):
        services.instructor_set_photo(instructor=person, upload=_png(size=(600, 800)))
    person.refresh_from_db()
    with Image.open(person.photo_thumbnail.path) as thumb:
        assert max(thumb.size) <= 320


def test_year_figures_are_upserted_per_instructor_and_year(tree):
    person = factories.instructor(region=tree["county_a"])
    services.instructor_record_year_figures(instructor_id=person.pk, year=2024, lectures=3, hours=6)
    services.instructor_record_year_figures(instructor_id=person.pk, year=2024, quality=81)
    figures = person.year_figures.get()
    assert (figures.lectures, figures.quality) == (3, 81)
