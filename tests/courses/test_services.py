import datetime as dt
import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from courses import courseware, selectors, services
from courses.models import (
    Course,
    CourseStatusChange,
    CoursewareVersion,
    PremiumLibraryEntry,
    Rectification,
    TrainingSignup,
)
from tests import factories as f
from tests.conftest import need
from tests.courses import factories as cf
from tests.refusals import refused


@pytest.fixture
def tree():
    return f.region_tree()


@pytest.fixture
def lead(tree):
    return f.instructor(region=tree["county_a"])


# --- life-cycle ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_course_change_status_walks_draft_to_premium_with_audit(lead):
    course = cf.course(lead=lead, status=Course.Status.DRAFT)
    for status in ("in_review", "active", "premium"):
        services.course_change_status(course=course, to_status=status, by=None, reason="审定")
    course.refresh_from_db()
    assert course.status == "premium"
    assert list(course.status_changes.values_list("to_status", flat=True)[:3]) == ["premium", "active", "in_review"]


@pytest.mark.django_db
def test_course_change_status_refuses_skipping_review(lead):
    course = cf.course(lead=lead, status=Course.Status.DRAFT)
    with refused("transition_not_allowed"):
        services.course_change_status(course=course, to_status="active", by=None, reason="跳过")
    course.refresh_from_db()
    assert course.status == "draft"


@pytest.mark.django_db
def test_course_change_status_refuses_retired_course(lead):
    course = cf.course(lead=lead, status=Course.Status.RETIRED)
    with refused("transition_not_allowed"):
        services.course_change_status(course=course, to_status="active", by=None, reason="恢复")


@pytest.mark.django_db
def test_course_change_status_needs_a_reason(lead):
    course = cf.course(lead=lead, status=Course.Status.DRAFT)
    with refused("reason_missing"):
        services.course_change_status(course=course, to_status="in_review", by=None, reason="  ")


@pytest.mark.django_db
def test_course_change_status_refuses_rectification_without_findings(lead):
    course = cf.course(lead=lead)
    with refused("rectification_only"):
        services.course_change_status(course=course, to_status="rectification", by=None, reason="下架")
    assert CourseStatusChange.objects.filter(course=course).count() == 1


@pytest.mark.django_db
def test_course_assert_schedulable_refuses_course_in_rectification(lead):
    course = cf.course(lead=lead, status=Course.Status.RECTIFICATION)
    with refused("rectification") as exc:
        services.course_assert_schedulable(course=course)
    assert exc.value.code == "rectification"


@pytest.mark.django_db
def test_course_assert_schedulable_refuses_draft_and_accepts_premium(lead):
    with refused("not_orderable"):
        services.course_assert_schedulable(course=cf.course(lead=lead, status=Course.Status.DRAFT))
    assert services.course_assert_schedulable(course=cf.course(lead=lead, status=Course.Status.PREMIUM)) is None


# --- courseware ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_courseware_upload_refuses_renamed_exe_and_saves_nothing(lead, settings):
    course = cf.course(lead=lead)
    with refused("executable") as exc:
        services.courseware_upload(course=course, upload=cf.exe_upload(), note="新版", by=None)
    assert exc.value.code == "executable"
    assert CoursewareVersion.objects.count() == 0
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, "courseware"))


@pytest.mark.django_db
def test_courseware_upload_numbers_versions_and_keeps_old_ones(lead):
    course = cf.course(lead=lead)
    first = services.courseware_upload(course=course, upload=cf.pdf_upload(), note="初版", by=None)
    second = services.courseware_upload(course=course, upload=cf.pdf_upload(), note="补充案例", by=None)
    assert (first.number, second.number, first.kind) == (1, 2, "pdf")
    assert services.courseware_current(course=course) == second
    assert first.file.name != second.file.name


@pytest.mark.django_db
def test_courseware_upload_needs_a_change_note(lead):
    with refused("note_missing"):
        services.courseware_upload(course=cf.course(lead=lead), upload=cf.pdf_upload(), note="", by=None)


@pytest.mark.parametrize(
    ("upload", "kind"),
    [
        (lambda: cf.office_upload("ppt", "a.pdf"), "pptx"),
        (lambda: cf.office_upload("word", "a.pptx"), "docx"),
        (lambda: SimpleUploadedFile("a.txt", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20), "mp4"),
        (lambda: SimpleUploadedFile("a.mp4", b"ID3\x04\x00" + b"\x00" * 20), "mp3"),
        (lambda: SimpleUploadedFile("a.bin", b"\xff\xfb\x90\x64" + b"\x00" * 20), "mp3"),
    ],
)
def test_detect_kind_reads_content_not_name(upload, kind):
    assert courseware.detect_kind(upload()) == kind


def test_plain_zip_without_office_entries_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<x/>")
    with refused("format"):
        courseware.clean_courseware_upload(SimpleUploadedFile("a.pptx", buffer.getvalue()))


def test_courseware_over_type_limit_is_refused(settings):
    settings.COURSEWARE_MAX_BYTES = {"pdf": 100}
    with refused("too_big") as exc:
        courseware.clean_courseware_upload(SimpleUploadedFile("a.pdf", cf.MINIMAL_PDF + b" " * 200))
    assert exc.value.code == "too_big"


# --- rectification -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rectification_open_takes_course_off_the_menu(lead):
    course = cf.course(lead=lead)
    deadline = timezone.localdate() + dt.timedelta(days=30)
    services.rectification_open(course=course, reason="满意度低", findings="红灯", deadline=deadline, by=None)
    course.refresh_from_db()
    assert course.status == "rectification"
    assert not Course.objects.orderable().filter(pk=course.pk).exists()


@pytest.mark.django_db
def test_rectification_open_refuses_past_deadline(lead):
    course = cf.course(lead=lead)
    with refused("deadline_past"):
        services.rectification_open(
            course=course, reason="r", findings="f", deadline=timezone.localdate() - dt.timedelta(days=1), by=None
        )
    course.refresh_from_db()
    assert course.status == "active"


@pytest.mark.django_db
def test_rectification_open_refuses_draft_course(lead):
    course = cf.course(lead=lead, status=Course.Status.DRAFT)
    with refused("transition_not_allowed"):
        services.rectification_open(
            course=course, reason="r", findings="f", deadline=timezone.localdate() + dt.timedelta(days=3), by=None
        )
    assert Rectification.objects.count() == 0


@pytest.mark.django_db
def test_rectification_submit_then_approve_puts_course_back(lead):
    course = cf.course(lead=lead)
    rect = cf.rectification(course_obj=course)
    services.rectification_submit(rectification=rect, upload=cf.pdf_upload(), note="更新案例", by=None)
    services.rectification_decide(rectification=rect, approve=True, note="复审通过", by=None)
    rect.refresh_from_db()
    course.refresh_from_db()
    assert (rect.status, course.status, rect.revised_version.number) == ("approved", "active", 1)


@pytest.mark.django_db
def test_rectification_cannot_be_approved_before_a_revision(lead):
    rect = cf.rectification(course_obj=cf.course(lead=lead))
    with refused("no_revision_yet"):
        services.rectification_decide(rectification=rect, approve=True, note="通过", by=None)
    rect.refresh_from_db()
    assert rect.status == "open"


@pytest.mark.django_db
def test_rectification_retire_retires_the_course(lead):
    course = cf.course(lead=lead)
    rect = cf.rectification(course_obj=course, deadline=timezone.localdate() - dt.timedelta(days=3))
    services.rectification_decide(rectification=rect, approve=False, note="逾期未整改", by=None)
    course.refresh_from_db()
    assert course.status == "retired"


@pytest.mark.django_db
def test_rectifications_overdue_lists_pending_past_deadline_in_scope(tree, lead):
    today = timezone.localdate()
    late = cf.rectification(course_obj=cf.course(lead=lead), deadline=today - dt.timedelta(days=1))
    cf.rectification(course_obj=cf.course(lead=lead), deadline=today + dt.timedelta(days=1))
    cf.rectification(
        course_obj=cf.course(lead=lead), deadline=today - dt.timedelta(days=5), status=Rectification.Status.APPROVED
    )
    cf.rectification(course_obj=cf.course(lead=f.instructor(region=tree["county_b"])), deadline=today - dt.timedelta(1))
    assert list(selectors.rectifications_overdue(f.organizer(tree["county_a"]))) == [late]


# --- premium library -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_premium_library_add_is_idempotent_and_marks_course_premium(lead):
    course = cf.course(lead=lead)
    services.premium_library_add(course=course, year=2025, reason="top_ten", by=None, source="擂台赛第1名")
    services.premium_library_add(course=course, year=2025, reason="top_ten", by=None, source="擂台赛第1名")
    course.refresh_from_db()
    assert (PremiumLibraryEntry.objects.count(), course.status) == (1, "premium")


@pytest.mark.django_db
def test_premium_library_add_refuses_course_in_rectification(lead):
    course = cf.course(lead=lead, status=Course.Status.RECTIFICATION)
    with refused("not_orderable"):
        services.premium_library_add(course=course, year=2025, reason="selection", by=None)


# --- training ------------------------------------------------------------------------------------------------------


@pytest.fixture
def session(tree):
    topic = cf.topic()
    return cf.session(programme_obj=cf.programme(region=tree["city"], topics=[topic]), topic_obj=topic, capacity=3)


@pytest.mark.django_db
def test_training_signup_refuses_full_session_with_clear_message(tree, session):
    for _ in range(3):
        services.training_signup(session=session, instructor=f.instructor(region=tree["county_a"]))
    with refused("full") as exc:
        services.training_signup(session=session, instructor=f.instructor(region=tree["county_a"]))
    assert exc.value.code == "full"


@pytest.mark.django_db
def test_training_signup_never_exceeds_capacity(tree, session):
    people = [f.instructor(region=tree["county_a"]) for _ in range(6)]
    refused = 0
    for person in people:
        try:
            services.training_signup(session=session, instructor=person)
        except ValidationError:
            refused += 1
    assert (TrainingSignup.objects.filter(session=session).count(), refused) == (3, 3)


@pytest.mark.django_db
def test_training_signup_refuses_double_signup(tree, session):
    person = f.instructor(region=tree["county_a"])
    services.training_signup(session=session, instructor=person)
    with refused("already_signed_up"):
        services.training_signup(session=session, instructor=person)
    assert TrainingSignup.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_training_signup_concurrent_clicks_never_overbook(tree):
    need(connection.vendor == "postgresql", "row locks need PostgreSQL (SQLite serialises the whole database)")
    topic = cf.topic()
    target = cf.session(programme_obj=cf.programme(region=tree["city"], topics=[topic]), topic_obj=topic, capacity=2)
    people = [f.instructor(region=tree["county_a"]) for _ in range(8)]
    barrier = threading.Barrier(len(people))

    def click(person):
        barrier.wait()
        try:
            services.training_signup(session=target, instructor=person)
        except ValidationError:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert TrainingSignup.objects.filter(session=target).count() == 2


@pytest.mark.django_db
def test_training_record_attendance_marks_yes_and_no(tree, session):
    here = services.training_signup(session=session, instructor=f.instructor(region=tree["county_a"]))
    away = services.training_signup(session=session, instructor=f.instructor(region=tree["county_a"]))
    services.training_record_attendance(session=session, attended_ids={here.pk})
    away.refresh_from_db()
    here.refresh_from_db()
    assert (here.attended, away.attended) == (True, False)


@pytest.mark.django_db
def test_training_demand_counts_wishes_and_places_per_topic(tree):
    wanted, other = cf.topic("理论武装"), cf.topic("授课技巧")
    prog = cf.programme(region=tree["city"], topics=[wanted, other])
    cf.session(programme_obj=prog, topic_obj=wanted, capacity=5)
    for _ in range(2):
        services.training_wish_toggle(programme=prog, topic=wanted, instructor=f.instructor(region=tree["county_a"]))
    rows = {t.name: (t.wish_count, t.places) for t in selectors.training_demand(programme=prog)}
    assert rows == {"理论武装": (2, 5), "授课技巧": (0, 0)}
