"""The 授课分析 pages: upload, result page, the private recording with byte ranges, section marks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.models import LectureAnalysis
from tests import factories as f
from tests.evaluations.factories import lecture_with_result

from .builders import finished_analysis

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    tree = f.region_tree()
    teacher = f.instructor(region=tree["county_a"], user=f.user(region=tree["county_a"]))
    other = f.instructor(region=tree["county_a"], name="李四", user=f.user(region=tree["county_a"]))
    lecture = lecture_with_result(instructor=teacher).lecture
    return {
        "tree": tree,
        "teacher": teacher,
        "other": other,
        "lecture": lecture,
        "analysis": finished_analysis(lecture=lecture),
        "organizer_b": f.organizer(tree["county_b"]),
        "organizer_a": f.organizer(tree["county_a"]),
    }


def test_result_page_shows_the_figures_and_the_suggestion(client, scene):
    client.force_login(scene["teacher"].user)
    response = client.get(reverse("evaluations:analysis_detail", args=[scene["analysis"].pk]))
    assert response.status_code == 200
    assert "1:10 处停顿 7.0 秒。" in response.content.decode()


def test_result_page_carries_chart_data_in_json_not_inline_script(client, scene):
    client.force_login(scene["teacher"].user)
    body = client.get(reverse("evaluations:analysis_detail", args=[scene["analysis"].pk])).content.decode()
    assert 'id="analysis-data" type="application/json"' in body
    assert "<script>" not in body


def test_another_instructor_gets_404_for_the_result_page(client, scene):
    client.force_login(scene["other"].user)
    response = client.get(reverse("evaluations:analysis_detail", args=[scene["analysis"].pk]))
    assert response.status_code == 404


def test_organizer_of_another_county_gets_404_for_the_recording(client, scene):
    client.force_login(scene["organizer_b"])
    response = client.get(reverse("evaluations:analysis_recording", args=[scene["analysis"].pk]))
    assert response.status_code == 404


def test_recording_answers_a_byte_range_for_seeking(client, scene):
    client.force_login(scene["organizer_a"])
    url = reverse("evaluations:analysis_recording", args=[scene["analysis"].pk])
    response = client.get(url, HTTP_RANGE="bytes=100-199")
    body = b"".join(response.streaming_content)
    assert (response.status_code, len(body), response["Content-Range"]) == (206, 100, "bytes 100-199/16044")


def test_open_ended_range_streams_to_the_end(client, scene):
    client.force_login(scene["teacher"].user)
    url = reverse("evaluations:analysis_recording", args=[scene["analysis"].pk])
    response = client.get(url, HTTP_RANGE="bytes=16000-")
    assert (len(b"".join(response.streaming_content)), response["Content-Range"]) == (44, "bytes 16000-16043/16044")


def test_recording_is_served_whole_without_a_range(client, scene):
    client.force_login(scene["teacher"].user)
    response = client.get(reverse("evaluations:analysis_recording", args=[scene["analysis"].pk]))
    assert (response.status_code, response["Content-Type"], response["Cache-Control"]) == (
        200,
        "audio/wav",
        "private, no-store",
    )


def test_deleted_recording_is_gone_but_the_page_stays(client, scene):
    analysis = scene["analysis"]
    analysis.recording.delete(save=True)
    client.force_login(scene["teacher"].user)
    codes = [
        client.get(reverse(n, args=[analysis.pk])).status_code
        for n in ("evaluations:analysis_recording", "evaluations:analysis_detail")
    ]
    assert codes == [404, 200]


def test_upload_page_refuses_another_instructors_lecture(client, scene):
    client.force_login(scene["other"].user)
    response = client.get(reverse("evaluations:analysis_lecture_new", args=[scene["lecture"].pk]))
    assert response.status_code == 404


def test_upload_of_a_non_media_file_shows_the_error_and_stores_nothing(client, scene):
    client.force_login(scene["teacher"].user)
    upload = SimpleUploadedFile("lecture.mp3", b"not audio at all" * 50)
    response = client.post(
        reverse("evaluations:analysis_lecture_new", args=[scene["lecture"].pk]), {"recording": upload}
    )
    assert (response.status_code, LectureAnalysis.objects.count()) == (200, 1)
    assert "MP3" in response.content.decode()


def test_upload_of_a_recording_redirects_to_its_analysis(client, scene, lecture_at, django_capture_on_commit_callbacks):
    path, _ = lecture_at(160)
    client.force_login(scene["teacher"].user)
    upload = SimpleUploadedFile("课.wav", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evaluations:analysis_lecture_new", args=[scene["lecture"].pk]),
            {"recording": upload, "sections": "0:00 导入\n0:15 正文"},
        )
    created = LectureAnalysis.objects.latest("pk")
    assert (response.status_code, response["Location"], created.status) == (302, created.get_absolute_url(), "done")
    assert [s["title"] for s in created.result["sections"]] == ["导入", "正文"]


def test_section_marks_are_saved_from_the_result_page(client, scene):
    client.force_login(scene["teacher"].user)
    url = reverse("evaluations:analysis_sections", args=[scene["analysis"].pk])
    client.post(url, {"sections": "0:00 导入\n1:00 第二部分"})
    scene["analysis"].refresh_from_db()
    assert [s["seconds"] for s in scene["analysis"].result["sections"]] == [60.0, 60.0]


def test_lecture_page_lists_its_analyses(client, scene):
    client.force_login(scene["teacher"].user)
    body = client.get(scene["lecture"].get_absolute_url()).content.decode()
    assert reverse("evaluations:analysis_detail", args=[scene["analysis"].pk]) in body


def test_session_upload_page_is_for_the_organizers_of_the_programme(client, scene):
    from tests.courses import factories as cf

    session = cf.session(programme_obj=cf.programme(region=scene["tree"]["county_a"]), topic_obj=cf.topic())
    url = reverse("evaluations:analysis_session_new", args=[session.pk])
    client.force_login(scene["organizer_a"])
    allowed = client.get(url).status_code
    client.force_login(scene["organizer_b"])
    assert (allowed, client.get(url).status_code) == (200, 404)


def test_result_page_shows_the_rating_of_the_same_lecture(client, scene):
    client.force_login(scene["teacher"].user)
    response = client.get(reverse("evaluations:analysis_detail", args=[scene["analysis"].pk]))
    assert response.context["ratings"]["result"].score == scene["lecture"].result.score


def test_trend_lists_the_instructors_finished_analyses_oldest_first(client, scene):
    second = finished_analysis(lecture=scene["lecture"])
    client.force_login(scene["teacher"].user)
    response = client.get(reverse("evaluations:analysis_detail", args=[second.pk]))
    assert [t["current"] for t in response.context["chart"]["trend"]] == [False, True]


def test_running_analysis_shows_progress_and_refreshes(client, scene):
    running = finished_analysis(
        lecture=scene["lecture"],
    )
    LectureAnalysis.objects.filter(pk=running.pk).update(status="running", progress=0.6, result={})
    client.force_login(scene["teacher"].user)
    body = client.get(reverse("evaluations:analysis_detail", args=[running.pk])).content.decode()
    assert ('value="60"' in body, 'http-equiv="refresh"' in body) == (True, True)
