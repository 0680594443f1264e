import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction

from courses.models import Course
from instructors.models import Instructor, InstructorYearFigures
from outreach import services
from outreach.models import CourseRequest, Lecture, LecturePhoto, LectureSlot
from tests import factories as base
from tests.refusals import refused

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return f.world()


def _codes(exc: pytest.ExceptionInfo) -> set[str]:
    return {error.code for error in exc.value.error_list}


def test_schedule_creates_planned_lecture_with_slots(w):
    lecture = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    assert (lecture.status, lecture.county, lecture.slots.count()) == (Lecture.Status.PLANNED, w["county_a"], 4)


def test_schedule_refuses_overlap_for_the_instructor(w):
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    with refused("instructor_overlap") as exc:
        f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(2, 10))
    assert _codes(exc) == {"instructor_overlap"}


def test_schedule_allows_back_to_back_in_the_same_county(w):
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    second = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a2"], start=f.at(2, 11))
    assert second.pk is not None


def test_schedule_refuses_another_county_within_the_travel_buffer(w):
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    with refused("travel_buffer") as exc:
        f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_b"], start=f.at(2, 12))
    assert _codes(exc) == {"travel_buffer"}


def test_schedule_refuses_another_county_just_before_within_the_buffer(w):
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 14))
    with refused("travel_buffer") as exc:
        f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_b"], start=f.at(2, 10, 30))
    assert _codes(exc) == {"travel_buffer"}


def test_schedule_allows_another_county_after_the_buffer(w):
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    second = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_b"], start=f.at(2, 13))
    assert second.county == w["county_b"]


def test_travel_buffer_is_a_setting(w, settings):
    settings.OUTREACH_TRAVEL_BUFFER_HOURS = 0
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    second = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_b"], start=f.at(2, 11))
    assert second.pk is not None


@pytest.mark.parametrize(
    "status", [Instructor.Status.CANDIDATE, Instructor.Status.RETIRED, Instructor.Status.DISMISSED]
)
def test_schedule_refuses_an_instructor_who_cannot_teach(w, status):
    person = base.instructor(region=w["county_a"], status=status)
    with refused("instructor_inactive") as exc:
        f.lecture(course=w["course"], instructor=person, organization=w["org_a"], start=f.at(2, 9))
    assert _codes(exc) == {"instructor_inactive"}


def test_schedule_allows_an_instructor_on_probation(w):
    person = base.instructor(region=w["county_a"], status=Instructor.Status.PROBATION)
    lecture = f.lecture(course=w["course"], instructor=person, organization=w["org_a"], start=f.at(2, 9))
    assert lecture.instructor == person


def test_schedule_refuses_a_course_under_rectification(w):
    course = f.course(lead=w["instructor_a"], status=Course.Status.RECTIFICATION)
    with refused("rectification") as exc:
        f.lecture(course=course, instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    assert _codes(exc) == {"rectification"}


def test_schedule_refuses_a_draft_course(w):
    course = f.course(lead=w["instructor_a"], status=Course.Status.DRAFT)
    with refused("not_orderable"):
        f.lecture(course=course, instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))


def test_schedule_allows_a_premium_course(w):
    course = f.course(lead=w["instructor_a"], status=Course.Status.PREMIUM)
    lecture = f.lecture(course=course, instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    assert lecture.course == course


def test_schedule_refuses_a_venue_that_hosts_another_lecture(w):
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    other = base.instructor(region=w["county_a"], name="王五")
    with refused("venue_overlap") as exc:
        f.lecture(course=w["course"], instructor=other, organization=w["org_a"], start=f.at(2, 10))
    assert _codes(exc) == {"venue_overlap"}


def test_schedule_allows_a_venue_after_the_previous_lecture(w):
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    other = base.instructor(region=w["county_a"], name="王五")
    lecture = f.lecture(course=w["course"], instructor=other, organization=w["org_a"], start=f.at(2, 11))
    assert lecture.pk is not None


def test_schedule_refuses_an_end_before_the_start(w):
    with refused("end_before_start"):
        services.lecture_schedule(
            course=w["course"],
            instructor=w["instructor_a"],
            start=f.at(2, 9),
            end=f.at(2, 8),
            organization=w["org_a"],
            venue="",
            by=None,
        )


def test_cancelled_lecture_frees_the_instructor_and_the_venue(w):
    first = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    services.lecture_cancel(lecture=first, reason="天气原因", by=w["organizer_a"])
    again = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    assert (LectureSlot.objects.filter(lecture=first).count(), again.slots.count()) == (0, 4)


def test_cancel_needs_a_reason(w):
    lecture = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    with refused("reason_missing"):
        services.lecture_cancel(lecture=lecture, reason=" ", by=w["organizer_a"])


def test_cancel_reopens_the_request(w):
    req = f.course_request(organization=w["org_a"], course=w["course"], by=w["organizer_a"])
    lecture = f.lecture(
        course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9), request=req
    )
    scheduled = CourseRequest.objects.get(pk=req.pk).status
    services.lecture_cancel(lecture=lecture, reason="讲师生病", by=w["organizer_a"])
    assert (scheduled, CourseRequest.objects.get(pk=req.pk).status) == ("scheduled", "open")


def test_a_scheduled_request_cannot_be_scheduled_twice(w):
    req = f.course_request(organization=w["org_a"], course=w["course"], by=w["organizer_a"])
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9), request=req)
    req.refresh_from_db()
    with refused("request_closed") as exc:
        f.lecture(
            course=w["course"], instructor=w["instructor_b"], organization=w["org_a"], start=f.at(3, 9), request=req
        )
    assert _codes(exc) == {"request_closed"}


def test_database_refuses_a_second_slot_for_the_same_instructor_and_bucket(w):
    lecture = f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        LectureSlot.objects.create(
            lecture=lecture, instructor=w["instructor_a"], organization=w["org_b"], bucket=f.at(2, 9)
        )


def test_overlap_that_slipped_past_the_checks_is_refused_by_the_database(w, monkeypatch):
    # Two bookings that both passed their checks at the same moment: the second insert meets the unique slot.
    f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9))
    monkeypatch.setattr(services, "_assert_instructor_free", lambda **kwargs: None)
    with refused("concurrent_booking") as exc:
        f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_b"], start=f.at(2, 10))
    assert (_codes(exc), Lecture.objects.count()) == ({"concurrent_booking"}, 1)


@pytest.mark.django_db(transaction=True)
def test_two_organizers_booking_the_same_instructor_at_once_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two real connections booking at the same moment")
    w = f.world()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(organization, organizer) -> None:
        try:
            barrier.wait(timeout=10)
            f.lecture(
                course=w["course"],
                instructor=w["instructor_a"],
                organization=organization,
                start=f.at(2, 9),
                by=organizer,
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=book, args=(w["org_a"], w["organizer_a"])),
        threading.Thread(target=book, args=(w["org_a2"], w["city_organizer"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert (sorted(outcomes), Lecture.objects.filter(instructor=w["instructor_a"]).count()) == (["ok", "refused"], 1)


def _past(w, day: int, organization=None):
    return f.lecture(
        course=w["course"],
        instructor=w["instructor_a"],
        organization=organization or w["org_a"],
        start=f.at(day, 9, year=2020),
    )


def test_deliver_records_attendance_and_updates_the_yearly_figures(w):
    for day in (2, 3):
        lecture = services.lecture_confirm(lecture=_past(w, day), by=w["organizer_a"])
        services.lecture_deliver(lecture=lecture, attendance=45, hours=Decimal("2.5"), photos=[], by=w["organizer_a"])
    figures = InstructorYearFigures.objects.get(instructor=w["instructor_a"], year=2020)
    assert (figures.lectures, figures.hours) == (2, Decimal("5.0"))


def test_cancelled_and_planned_lectures_do_not_count_in_the_figures(w):
    delivered = services.lecture_confirm(lecture=_past(w, 2), by=None)
    services.lecture_deliver(lecture=delivered, attendance=45, hours=Decimal("2"), photos=[], by=None)
    _past(w, 3)
    services.lecture_cancel(lecture=_past(w, 4), reason="暴雨", by=None)
    assert InstructorYearFigures.objects.get(instructor=w["instructor_a"], year=2020).lectures == 1


def test_deliver_stores_photos(w):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "JPEG")
    upload = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    lecture = services.lecture_confirm(lecture=_past(w, 2), by=None)
    services.lecture_deliver(lecture=lecture, attendance=45, hours=Decimal("2"), photos=[upload], by=None)
    assert LecturePhoto.objects.filter(lecture=lecture).count() == 1


def test_deliver_refuses_a_renamed_pdf_as_photo_and_saves_nothing(w):
    upload = SimpleUploadedFile("p.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    lecture = services.lecture_confirm(lecture=_past(w, 2), by=None)
    with refused("invalid"):
        services.lecture_deliver(lecture=lecture, attendance=45, hours=Decimal("2"), photos=[upload], by=None)
    assert Lecture.objects.get(pk=lecture.pk).status == Lecture.Status.CONFIRMED


def test_deliver_refuses_a_lecture_that_has_not_started(w):
    lecture = services.lecture_confirm(
        lecture=f.lecture(course=w["course"], instructor=w["instructor_a"], organization=w["org_a"], start=f.at(2, 9)),
        by=None,
    )
    with refused("future") as exc:
        services.lecture_deliver(lecture=lecture, attendance=1, hours=Decimal("2"), photos=[], by=None)
    assert _codes(exc) == {"future"}


def test_deliver_refuses_a_planned_lecture(w):
    with refused("transition") as exc:
        services.lecture_deliver(lecture=_past(w, 2), attendance=1, hours=Decimal("2"), photos=[], by=None)
    assert _codes(exc) == {"transition"}


def test_close_follows_delivery(w):
    lecture = services.lecture_confirm(lecture=_past(w, 2), by=None)
    services.lecture_deliver(lecture=lecture, attendance=45, hours=Decimal("2"), photos=[], by=None)
    assert services.lecture_close(lecture=lecture, by=None).status == Lecture.Status.CLOSED


def test_a_delivered_lecture_cannot_be_cancelled(w):
    lecture = services.lecture_confirm(lecture=_past(w, 2), by=None)
    services.lecture_deliver(lecture=lecture, attendance=45, hours=Decimal("2"), photos=[], by=None)
    with refused("transition"):
        services.lecture_cancel(lecture=lecture, reason="错录", by=None)


def test_request_create_refuses_a_course_under_rectification(w):
    course = f.course(lead=w["instructor_a"], status=Course.Status.RECTIFICATION)
    with refused("rectification"):
        services.request_create(
            organization=w["org_a"],
            course=course,
            preferred_from=dt.date(2030, 3, 1),
            preferred_to=dt.date(2030, 3, 5),
            expected_audience=30,
            by=w["organizer_a"],
        )


def test_request_create_refuses_a_course_the_campaign_does_not_offer(w):
    campaign = f.campaign(region=w["city"])
    campaign.courses.add(f.course(lead=w["instructor_b"]))
    with refused("course_not_in_campaign"):
        services.request_create(
            organization=w["org_a"],
            course=w["course"],
            campaign=campaign,
            preferred_from=dt.date(2030, 3, 1),
            preferred_to=dt.date(2030, 3, 5),
            expected_audience=30,
            by=w["organizer_a"],
        )
