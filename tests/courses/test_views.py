import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses import services
from courses.models import Course, CoursewareVersion, PremiumLibraryEntry, Rectification, TrainingSignup
from tests import factories as f
from tests.courses import factories as cf
from tests.helpers import count_queries


@pytest.fixture
def world(db):
    tree = f.region_tree()
    me_user = f.user()
    other_user = f.user()
    me = f.instructor(region=tree["county_a"], user=me_user, name="李讲师")
    other = f.instructor(region=tree["county_a"], user=other_user, name="赵讲师")
    topic = cf.topic("乡村振兴")
    mine = cf.course(lead=me, title="激活村级治理新动能", topic_obj=topic, series=cf.series("党建引领农业现代化"))
    services.courseware_upload(course=mine, upload=cf.pdf_upload(), note="初版", by=None)
    fixing = cf.course(lead=me, title="整改中的课程", topic_obj=topic)
    rect = cf.rectification(course_obj=fixing)
    cf.course(lead=other, title="别人的课程", topic_obj=topic)
    PremiumLibraryEntry.objects.create(year=timezone.localdate().year, course=mine, reason="selection")
    column = cf.column(name="党课开讲啦", slug="dangke")
    cf.work(column_obj=column, course_obj=mine)
    programme = cf.programme(region=tree["county_a"], topics=[topic])
    session = cf.session(programme_obj=programme, topic_obj=topic, capacity=2)
    return {
        "tree": tree,
        "me_user": me_user,
        "me": me,
        "other_user": other_user,
        "mine": mine,
        "rect": rect,
        "column": column,
        "programme": programme,
        "session": session,
        "organizer": f.organizer(tree["county_a"]),
        "city_organizer": f.organizer(tree["city"]),
        "stranger": f.organizer(tree["county_b"]),
        "topic": topic,
    }


def _url(world, name: str) -> str:
    args = {
        "course_detail": [world["mine"].pk],
        "course_update": [world["mine"].pk],
        "courseware_upload": [world["mine"].pk],
        "courseware_download": [world["mine"].pk],
        "rectification_create": [world["mine"].pk],
        "rectification_detail": [world["rect"].pk],
        "training_programme_detail": [world["programme"].pk],
        "training_session_detail": [world["session"].pk],
    }[name]
    return reverse(f"courses:{name}", args=args)


DETAIL_VIEWS = [
    "course_detail",
    "course_update",
    "courseware_upload",
    "courseware_download",
    "rectification_create",
    "rectification_detail",
    "training_programme_detail",
    "training_session_detail",
]
POST_VIEWS = [
    ("course_status_change", "mine"),
    ("rectification_submit", "rect"),
    ("rectification_decide", "rect"),
    ("training_signup", "session"),
    ("training_signup_cancel", "session"),
    ("training_attendance", "session"),
]
LIST_VIEWS = [
    "course_list",
    "course_menu",
    "course_export",
    "topic_list",
    "series_list",
    "rectification_list",
    "premium_list",
    "premium_export",
    "column_list",
    "training_programme_list",
]


# --- scope ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DETAIL_VIEWS)
def test_detail_views_hide_from_organizer_of_another_county(client, world, name):
    client.force_login(world["stranger"])
    assert client.get(_url(world, name)).status_code == 404


@pytest.mark.parametrize("name", DETAIL_VIEWS)
def test_detail_views_hide_from_another_instructor(client, world, name):
    # Programmes are open to every instructor of the organizing region, so the outsider there is from elsewhere.
    outsider = world["other_user"]
    if name == "training_programme_detail":
        outsider = f.user()
        f.instructor(region=world["tree"]["county_b"], user=outsider)
    client.force_login(outsider)
    assert client.get(_url(world, name)).status_code == 404


# File views answer 404 to anonymous people like to any other outsider (tests/trust/test_private_files.py).
PAGES = [name for name in DETAIL_VIEWS if name != "courseware_download"]


@pytest.mark.parametrize("name", PAGES + ["course_list", "rectification_list", "training_programme_list"])
def test_views_send_anonymous_users_to_login(client, world, name):
    url = _url(world, name) if name in DETAIL_VIEWS else reverse(f"courses:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "key"), POST_VIEWS)
def test_post_views_hide_from_organizer_of_another_county(client, world, name, key):
    client.force_login(world["stranger"])
    response = client.post(reverse(f"courses:{name}", args=[world[key].pk]), {})
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "key"), [("course_status_change", "mine"), ("rectification_submit", "rect")])
def test_post_views_hide_from_another_instructor(client, world, name, key):
    client.force_login(world["other_user"])
    assert client.post(reverse(f"courses:{name}", args=[world[key].pk]), {}).status_code == 404


@pytest.mark.parametrize("name", ["course_list", "course_menu", "rectification_list", "premium_list"])
def test_lists_leave_out_courses_of_another_county(client, world, name):
    client.force_login(world["stranger"])
    content = client.get(reverse(f"courses:{name}")).content.decode()
    assert world["mine"].title not in content and "整改中的课程" not in content


def test_catalog_export_leaves_out_courses_of_another_county(client, world):
    client.force_login(world["stranger"])
    sheet = load_workbook(io.BytesIO(client.get(reverse("courses:course_export")).content)).active
    assert sheet.max_row == 1


def test_instructor_cannot_create_or_export(client, world):
    client.force_login(world["me_user"])
    codes = [
        client.get(reverse(f"courses:{n}")).status_code for n in ("course_create", "course_export", "premium_export")
    ]
    assert codes == [403, 403, 403]


def test_instructor_cannot_change_status_of_own_course(client, world):
    client.force_login(world["me_user"])
    response = client.post(
        reverse("courses:course_status_change", args=[world["mine"].pk]), {"to_status": "retired", "reason": "x"}
    )
    assert response.status_code == 403


def test_county_organizer_sees_but_cannot_edit_city_course(client, world):
    city_course = cf.course(lead=f.instructor(region=world["tree"]["city"], tier="municipal"), title="市级课程")
    client.force_login(world["organizer"])
    detail = client.get(reverse("courses:course_detail", args=[city_course.pk]))
    edit = client.get(reverse("courses:course_update", args=[city_course.pk]))
    assert (detail.status_code, edit.status_code) == (200, 403)


# --- catalog happy paths --------------------------------------------------------------------------------------------


def test_course_list_shows_own_region_courses(client, world):
    client.force_login(world["organizer"])
    content = client.get(reverse("courses:course_list"), {"q": "村级"}).content.decode()
    assert "激活村级治理新动能" in content and "别人的课程" not in content


def test_course_menu_shows_only_orderable_courses(client, world):
    client.force_login(world["organizer"])
    content = client.get(reverse("courses:course_menu"), {"tier": "county", "max_minutes": 120}).content.decode()
    assert "激活村级治理新动能" in content and "整改中的课程" not in content


def test_course_create_makes_a_draft(client, world):
    client.force_login(world["organizer"])
    data = {
        "title": "新课程",
        "topic": world["topic"].pk,
        "format": "lecture",
        "duration_minutes": 60,
        "lead_instructor": world["me"].pk,
    }
    response = client.post(reverse("courses:course_create"), data)
    course = Course.objects.get(title="新课程")
    assert response.status_code == 302
    assert (course.status, course.status_changes.count()) == ("draft", 1)


def test_course_update_saves_fields(client, world):
    client.force_login(world["organizer"])
    data = {
        "title": "改名后的课程",
        "topic": world["topic"].pk,
        "format": "micro_video",
        "duration_minutes": 15,
        "lead_instructor": world["me"].pk,
    }
    client.post(reverse("courses:course_update", args=[world["mine"].pk]), data)
    world["mine"].refresh_from_db()
    assert (world["mine"].title, world["mine"].status) == ("改名后的课程", "active")


def test_course_status_change_records_reason(client, world):
    client.force_login(world["organizer"])
    client.post(
        reverse("courses:course_status_change", args=[world["mine"].pk]), {"to_status": "premium", "reason": "评为精品"}
    )
    world["mine"].refresh_from_db()
    assert world["mine"].status_changes.first().reason == "评为精品"


def test_instructor_uploads_courseware_of_own_course(client, world):
    client.force_login(world["me_user"])
    response = client.post(
        reverse("courses:courseware_upload", args=[world["mine"].pk]), {"file": cf.pdf_upload(), "note": "第二版"}
    )
    assert response.status_code == 302
    assert world["mine"].courseware_versions.count() == 2


def test_courseware_upload_page_refuses_exe_with_message(client, world):
    client.force_login(world["me_user"])
    response = client.post(
        reverse("courses:courseware_upload", args=[world["mine"].pk]), {"file": cf.exe_upload(), "note": "x"}
    )
    assert response.status_code == 200
    assert "Windows" in response.content.decode() or "程序" in response.content.decode()
    assert CoursewareVersion.objects.filter(course=world["mine"]).count() == 1


def test_courseware_download_streams_current_version(client, world):
    client.force_login(world["organizer"])
    response = client.get(reverse("courses:courseware_download", args=[world["mine"].pk]))
    assert b"".join(response.streaming_content) == cf.MINIMAL_PDF


def test_courseware_download_404_without_courseware(client, world):
    client.force_login(world["organizer"])
    assert client.get(reverse("courses:courseware_download", args=[world["rect"].course_id])).status_code == 404


def test_topic_and_series_pages(client, world):
    client.force_login(world["organizer"])
    series = world["mine"].series
    pages = [
        reverse("courses:topic_list"),
        reverse("courses:series_list"),
        reverse("courses:series_detail", args=[series.pk]),
    ]
    assert all(
        "乡村振兴" in client.get(p).content.decode() or series.name in client.get(p).content.decode() for p in pages
    )


def test_catalog_export_has_chinese_headers(client, world):
    client.force_login(world["organizer"])
    sheet = load_workbook(io.BytesIO(client.get(reverse("courses:course_export")).content)).active
    assert [c.value for c in sheet[1]][:2] == ["课程名称", "专题"]
    assert sheet.max_row == 4  # header + the three courses of county A


# --- rectification --------------------------------------------------------------------------------------------------


def test_organizer_opens_rectification(client, world):
    client.force_login(world["organizer"])
    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    client.post(
        reverse("courses:rectification_create", args=[world["mine"].pk]),
        {"reason": "满意度低", "findings": "黄灯两次", "deadline": deadline},
    )
    world["mine"].refresh_from_db()
    assert world["mine"].status == "rectification"


def test_instructor_sees_findings_of_own_rectification(client, world):
    client.force_login(world["me_user"])
    assert "连续两场黄灯" in client.get(_url(world, "rectification_detail")).content.decode()


def test_instructor_submits_revision(client, world):
    client.force_login(world["me_user"])
    client.post(
        reverse("courses:rectification_submit", args=[world["rect"].pk]),
        {"file": cf.pdf_upload(), "note": "更新了案例"},
    )
    world["rect"].refresh_from_db()
    assert world["rect"].status == "submitted"


def test_instructor_cannot_decide_own_rectification(client, world):
    client.force_login(world["me_user"])
    response = client.post(
        reverse("courses:rectification_decide", args=[world["rect"].pk]), {"decision": "retire", "note": "x"}
    )
    assert response.status_code == 403


def test_organizer_retires_course_after_rectification(client, world):
    client.force_login(world["organizer"])
    client.post(
        reverse("courses:rectification_decide", args=[world["rect"].pk]), {"decision": "retire", "note": "逾期未整改"}
    )
    world["rect"].refresh_from_db()
    assert (world["rect"].status, world["rect"].course.status) == ("retired", "retired")


def test_rectification_list_overdue_filter(client, world):
    Rectification.objects.filter(pk=world["rect"].pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    late = cf.rectification(course_obj=cf.course(lead=world["me"], title="按期课程"))
    client.force_login(world["organizer"])
    content = client.get(reverse("courses:rectification_list"), {"overdue": "on"}).content.decode()
    assert "整改中的课程" in content and late.course.title not in content


# --- premium library ------------------------------------------------------------------------------------------------


def test_premium_list_shows_this_years_library(client, world):
    client.force_login(world["organizer"])
    assert "激活村级治理新动能" in client.get(reverse("courses:premium_list")).content.decode()


def test_premium_create_adds_selected_course(client, world):
    other = cf.course(lead=world["me"], title="遴选课程")
    client.force_login(world["organizer"])
    client.post(reverse("courses:premium_create") + "?year=2030", {"course": other.pk, "source": "遴选会"})
    assert PremiumLibraryEntry.objects.filter(year=2030, course=other, reason="selection").exists()


def test_premium_export_lists_the_year(client, world):
    client.force_login(world["organizer"])
    sheet = load_workbook(io.BytesIO(client.get(reverse("courses:premium_export")).content)).active
    assert sheet.cell(row=2, column=2).value == "激活村级治理新动能"


# --- columns --------------------------------------------------------------------------------------------------------


def test_column_public_page_needs_no_login_and_hides_contact_data(client, world):
    response = client.get(reverse("courses:column_public", args=["dangke"]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "李讲师" in content and world["me"].phone not in content and world["me"].masked_phone not in content


def test_column_public_page_hides_unpublished_works(client, world):
    hidden = cf.work(column_obj=world["column"], published=False)
    assert hidden.title not in client.get(reverse("courses:column_public", args=["dangke"])).content.decode()


def test_column_list_counts_published_works(client, world):
    cf.work(column_obj=world["column"], published=False)
    client.force_login(world["organizer"])
    response = client.get(reverse("courses:column_list"))
    assert response.context["columns"][0].work_count == 1


# --- training -------------------------------------------------------------------------------------------------------


def test_instructor_signs_up_from_programme_page(client, world):
    client.force_login(world["me_user"])
    client.post(reverse("courses:training_signup", args=[world["session"].pk]))
    assert TrainingSignup.objects.filter(session=world["session"], instructor=world["me"]).exists()


def test_full_session_refuses_with_message(client, world):
    for _ in range(2):
        TrainingSignup.objects.create(
            session=world["session"], instructor=f.instructor(region=world["tree"]["county_a"])
        )
    client.force_login(world["me_user"])
    response = client.post(reverse("courses:training_signup", args=[world["session"].pk]), follow=True)
    assert "2" in str(list(response.context["messages"])[0])
    assert TrainingSignup.objects.filter(session=world["session"]).count() == 2


def test_instructor_cancels_signup(client, world):
    TrainingSignup.objects.create(session=world["session"], instructor=world["me"])
    client.force_login(world["me_user"])
    client.post(reverse("courses:training_signup_cancel", args=[world["session"].pk]))
    assert not TrainingSignup.objects.exists()


def test_instructor_wish_shows_in_organizer_demand(client, world):
    client.force_login(world["me_user"])
    client.post(reverse("courses:training_wish_toggle", args=[world["programme"].pk, world["topic"].pk]))
    client.force_login(world["organizer"])
    response = client.get(_url(world, "training_programme_detail"))
    assert response.context["demand"][0].wish_count == 1


def test_instructor_cannot_open_session_attendance(client, world):
    client.force_login(world["me_user"])
    assert client.get(_url(world, "training_session_detail")).status_code == 404


def test_organizer_records_attendance(client, world):
    signup = TrainingSignup.objects.create(session=world["session"], instructor=world["me"])
    client.force_login(world["organizer"])
    client.post(reverse("courses:training_attendance", args=[world["session"].pk]), {"attended": [signup.pk]})
    signup.refresh_from_db()
    assert signup.attended is True


# --- query counts ---------------------------------------------------------------------------------------------------


def _add_rows(world, name: str) -> None:
    """Two more rows of what the list page shows."""
    me, tree = world["me"], world["tree"]
    for i in range(2):
        person = f.instructor(region=tree["county_a"], name=f"新讲师{i}")
        if name in ("course_list", "course_menu", "course_export", "series_list", "topic_list"):
            course = cf.course(lead=person, series=cf.series(), topic_obj=cf.topic())
            course.co_instructors.add(me)
            services.courseware_upload(course=course, upload=cf.pdf_upload(), note="v1", by=None)
        elif name == "rectification_list":
            cf.rectification(course_obj=cf.course(lead=person))
        elif name in ("premium_list", "premium_export"):
            course = cf.course(lead=person, group=f.group(region=tree["county_a"]))
            PremiumLibraryEntry.objects.create(year=timezone.localdate().year, course=course, reason="top_ten")
        elif name == "column_list":
            cf.work(column_obj=cf.column(), course_obj=cf.course(lead=person))
        elif name == "column_public":
            cf.work(column_obj=world["column"], course_obj=cf.course(lead=person))
        elif name == "training_programme_list":
            cf.session(programme_obj=cf.programme(region=tree["county_a"], topics=[cf.topic()]), topic_obj=cf.topic())
        elif name == "training_programme_detail":
            cf.session(programme_obj=world["programme"], topic_obj=world["topic"])
            world["programme"].topics.add(cf.topic())
        elif name == "training_session_detail":
            TrainingSignup.objects.create(session=world["session"], instructor=person)
        elif name == "series_detail":
            cf.course(lead=person, series=world["mine"].series)


@pytest.mark.parametrize(
    "name",
    LIST_VIEWS + ["column_public", "training_programme_detail", "training_session_detail", "series_detail"],
)
def test_list_pages_query_count_does_not_grow_with_rows(client, world, name):
    client.force_login(world["organizer"])
    if name == "training_session_detail":
        TrainingSignup.objects.create(session=world["session"], instructor=world["me"])
    if name == "column_public":
        url = reverse("courses:column_public", args=["dangke"])
    elif name == "series_detail":
        url = reverse("courses:series_detail", args=[world["mine"].series_id])
    elif name in DETAIL_VIEWS:
        url = _url(world, name)
    else:
        url = reverse(f"courses:{name}")
    one = count_queries(client, url)
    _add_rows(world, name)
    three = count_queries(client, url)
    assert one == three


def test_rectification_page_with_both_forms_has_unique_ids(client, world):
    import re
    from collections import Counter

    client.force_login(world["organizer"])
    body = client.get(reverse("courses:rectification_detail", args=[world["rect"].pk])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', body))
    assert ("id_note" in ids, "id_decide_note" in ids) == (True, True)  # both forms are on the page
    assert [name for name, n in ids.items() if n > 1] == []
