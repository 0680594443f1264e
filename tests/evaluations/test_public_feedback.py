"""Public comments on column works (弹幕 and 留言): bad input, the rate limit, moderation, what each person sees."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from evaluations.feedback import selectors as feedback_selectors
from evaluations.feedback import services as feedback_services
from evaluations.models import PublicComment
from evaluations.results import services as result_services
from evaluations.survey.views import DEVICE_COOKIE
from tests.courses import factories as course_factories
from tests.evaluations.analysis.builders import finished_analysis
from tests.helpers import count_queries
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(world):
    column = course_factories.column(name="党课开讲啦", slug="dangke")
    return course_factories.work(column_obj=column, course_obj=world["course"])


def _address() -> str:
    """A fresh address per call: the per-address counters live in the cache, which no test rolls back."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


def _submit(work, *, kind="danmaku", text="讲得好", at_seconds="12", device=None, address=None):
    return feedback_services.public_comment_submit(
        work=work,
        kind=kind,
        text=text,
        at_seconds=at_seconds,
        device_id=device or uuid.uuid4().hex,
        address=address or _address(),
    )


def _post(client, work, **data):
    payload = {"kind": "danmaku", "text": "讲得好", "at_seconds": "12", **data}
    client.get(reverse("evaluations:work_public", args=[work.pk]), REMOTE_ADDR=data.get("addr", "10.0.0.1"))
    return client.post(reverse("evaluations:work_comment", args=[work.pk]), payload, REMOTE_ADDR=_address())


# --- bad input --------------------------------------------------------------------------------------------------------


def test_a_danmaku_is_stored_pending_with_its_moment(work):
    comment = _submit(work, at_seconds="12.7")
    assert (comment.state, comment.at_seconds, comment.kind) == ("pending", 12, "danmaku")


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_comment_is_refused(work, text):
    with refused("comment_empty"):
        _submit(work, text=text)
    assert PublicComment.objects.count() == 0


def test_an_oversized_danmaku_is_refused(work):
    with refused("comment_too_long"):
        _submit(work, text="长" * 101)
    assert PublicComment.objects.count() == 0


def test_an_oversized_message_is_refused_but_500_characters_pass(work):
    _submit(work, kind="message", text="长" * 500, at_seconds=None)
    with refused("comment_too_long"):
        _submit(work, kind="message", text="长" * 501, at_seconds=None)
    assert PublicComment.objects.count() == 1


@pytest.mark.parametrize(
    ("at_seconds", "code"),
    [("", "moment_required"), (None, "moment_required"), ("-1", "moment_negative"), ("abc", "moment_invalid"),
     ("nan", "moment_negative"), ("21601", "moment_too_late"), ("1e9", "moment_too_late")],
)  # fmt: skip
def test_a_bad_moment_is_refused_with_its_code(work, at_seconds, code):
    with refused(code):
        _submit(work, at_seconds=at_seconds)
    assert PublicComment.objects.count() == 0


def test_a_message_keeps_no_moment(work):
    assert _submit(work, kind="message", at_seconds="30").at_seconds is None


def test_an_unpublished_work_takes_no_comment(world):
    hidden = course_factories.work(column_obj=course_factories.column(), published=False)
    with refused("work_not_published"):
        _submit(hidden)


def test_a_flood_from_one_phone_is_refused_after_the_limit(work, settings):
    settings.PUBLIC_COMMENTS_PER_DEVICE_PER_MINUTE = 3
    device = uuid.uuid4().hex
    for _ in range(3):
        _submit(work, device=device)
    with refused("comment_flood"):
        _submit(work, device=device)
    assert PublicComment.objects.count() == 3


def test_a_flood_from_one_address_is_refused_across_phones(work, settings):
    settings.PUBLIC_COMMENTS_PER_ADDRESS_PER_MINUTE = 2
    address = _address()
    _submit(work, address=address)
    _submit(work, address=address)
    with refused("comment_flood"):
        _submit(work, address=address)
    assert PublicComment.objects.count() == 2


def test_the_flood_page_says_so_in_chinese_with_429(client, work, settings):
    settings.PUBLIC_COMMENTS_PER_DEVICE_PER_MINUTE = 1
    _post(client, work)
    response = _post(client, work)
    assert response.status_code == 429
    assert "太快" in response.content.decode()


def test_posting_without_a_device_cookie_stores_nothing(client, work):
    response = client.post(
        reverse("evaluations:work_comment", args=[work.pk]), {"kind": "danmaku", "text": "好", "at_seconds": "1"}
    )
    assert (response.status_code, PublicComment.objects.count()) == (400, 0)


def test_the_work_page_sets_the_device_cookie(client, work):
    response = client.get(reverse("evaluations:work_public", args=[work.pk]))
    assert response.status_code == 200
    assert DEVICE_COOKIE in response.cookies


def test_a_posted_comment_redirects_and_waits_for_moderation(client, work):
    response = _post(client, work, text="第12秒的例子很好")
    assert response.status_code == 302
    page = client.get(reverse("evaluations:work_public", args=[work.pk])).content.decode()
    assert "第12秒的例子很好" not in page
    assert PublicComment.objects.get().state == "pending"


def test_a_bad_moment_posted_shows_the_message_on_the_page(client, work):
    response = _post(client, work, at_seconds="-5")
    assert response.status_code == 400
    assert PublicComment.objects.count() == 0


# --- script in a comment ------------------------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_script_is_stored_as_text_and_shown_escaped(client, work, world):
    comment = _submit(work, kind="message", text=SCRIPT, at_seconds=None)
    result_services.comment_moderate(comment=comment, state="public", reason="", by=world["org_a"])
    page = client.get(reverse("evaluations:work_public", args=[work.pk])).content.decode()
    assert PublicComment.objects.get().text == SCRIPT
    assert SCRIPT not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_danmaku_feed_is_json_text_never_markup(client, work, world):
    comment = _submit(work, text="<b>粗</b>", at_seconds="3")
    result_services.comment_moderate(comment=comment, state="public", reason="", by=world["org_a"])
    response = client.get(reverse("evaluations:work_danmaku", args=[work.pk]))
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"comments": [{"text": "<b>粗</b>", "time": 3}]}


# --- moderation -------------------------------------------------------------------------------------------------------


def _feed(client, work) -> list[str]:
    return [c["text"] for c in client.get(reverse("evaluations:work_danmaku", args=[work.pk])).json()["comments"]]


def test_pending_private_and_removed_comments_are_never_public(client, work, world):
    pending = _submit(work, text="待审")
    private = _submit(work, text="仅组织者")
    removed = _submit(work, text="已删除")
    result_services.comment_moderate(comment=private, state="private", reason="", by=world["org_a"])
    result_services.comment_moderate(comment=removed, state="removed", reason="不文明用语", by=world["org_a"])
    assert _feed(client, work) == []
    assert pending.text not in client.get(reverse("evaluations:work_public", args=[work.pk])).content.decode()


def test_an_approved_danmaku_is_in_the_feed(client, work, world):
    comment = _submit(work, text="例子很生动", at_seconds="42")
    result_services.comment_moderate(comment=comment, state="public", reason="", by=world["org_a"])
    assert _feed(client, work) == ["例子很生动"]


def test_removal_needs_a_reason_like_survey_comments(work, world):
    comment = _submit(work)
    with refused("reason_required"):
        result_services.comment_moderate(comment=comment, state="removed", reason=" ", by=world["org_a"])


def test_the_queue_shows_survey_and_public_comments(client, work, world):
    _submit(work, text="公众弹幕待审")
    client.force_login(world["org_a"])
    page = client.get(reverse("evaluations:moderation_queue")).content.decode()
    assert "公众弹幕待审" in page


def test_the_queue_of_another_county_does_not_show_the_comment(client, work, world):
    _submit(work, text="公众弹幕待审")
    client.force_login(world["org_b"])
    assert "公众弹幕待审" not in client.get(reverse("evaluations:moderation_queue")).content.decode()


def test_an_organizer_approves_through_the_queue(client, work, world):
    comment = _submit(work)
    client.force_login(world["org_a"])
    url = reverse("evaluations:public_comment_moderate", args=[comment.pk])
    client.post(url, {"state": "public", "reason": ""})
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by) == ("public", world["org_a"])


def test_an_organizer_of_another_county_cannot_moderate(client, work, world):
    comment = _submit(work)
    client.force_login(world["org_b"])
    response = client.post(reverse("evaluations:public_comment_moderate", args=[comment.pk]), {"state": "public"})
    comment.refresh_from_db()
    assert (response.status_code, comment.state) == (404, "pending")


def test_the_instructor_cannot_moderate(client, work, world):
    comment = _submit(work)
    client.force_login(world["lecturer_user"])
    response = client.post(reverse("evaluations:public_comment_moderate", args=[comment.pk]), {"state": "public"})
    assert response.status_code == 403


# --- what the instructor reads ----------------------------------------------------------------------------------------


def _approve(work, world, text, at):
    comment = _submit(work, text=text, at_seconds=str(at))
    result_services.comment_moderate(comment=comment, state="public", reason="", by=world["org_a"])


def test_danmaku_are_grouped_in_ten_second_buckets(work, world):
    for text, at in (("a", 1), ("b", 9), ("c", 10), ("d", 35)):
        _approve(work, world, text, at)
    _submit(work, text="pending", at_seconds="2")
    buckets = feedback_selectors.danmaku_by_moment(work=work, manager=False)
    assert [(b["start"], b["texts"]) for b in buckets] == [(0, ["a", "b"]), (10, ["c"]), (30, ["d"])]


def test_the_instructor_reads_the_feedback_of_their_work(client, work, world):
    _approve(work, world, "讲到第十秒很精彩", 10)
    client.force_login(world["lecturer_user"])
    response = client.get(reverse("evaluations:work_feedback", args=[work.pk]))
    assert "讲到第十秒很精彩" in response.content.decode()


def test_another_instructor_cannot_read_it(client, work, world):
    client.force_login(world["colleague_user"])
    assert client.get(reverse("evaluations:work_feedback", args=[work.pk])).status_code == 404


def test_column_counts_approved_and_pending_per_work(client, work, world):
    _approve(work, world, "好", 1)
    _submit(work)
    _submit(work)
    client.force_login(world["org_a"])
    works = client.get(reverse("evaluations:column_feedback", args=[work.column.slug])).context["works"]
    assert [(w.approved, w.pending) for w in works] == [(1, 2)]


def test_column_feedback_page_does_not_query_per_work(client, work, world):
    client.force_login(world["org_a"])
    _submit(work)
    url = reverse("evaluations:column_feedback", args=[work.column.slug])
    one = count_queries(client, url)
    for _ in range(2):
        other = course_factories.work(column_obj=work.column, course_obj=world["course"])
        _submit(other)
    assert count_queries(client, url) == one


def test_moderation_queue_does_not_query_per_public_comment(client, work, world):
    client.force_login(world["org_a"])
    _submit(work)
    url = reverse("evaluations:moderation_queue")
    one = count_queries(client, url)
    other = course_factories.work(column_obj=course_factories.column(), course_obj=world["course"])
    _submit(other)
    _submit(work)
    assert count_queries(client, url) == one


def test_the_public_column_page_links_to_the_work_page(client, work):
    page = client.get(reverse("courses:column_public", args=[work.column.slug])).content.decode()
    assert reverse("evaluations:work_public", args=[work.pk]) in page


def test_the_work_feedback_links_the_delivery_analysis_of_its_course(client, work, world):
    analysis = finished_analysis(lecture=world["lecture"])
    client.force_login(world["lecturer_user"])
    response = client.get(reverse("evaluations:work_feedback", args=[work.pk]))
    assert response.context["analysis"] == analysis
    assert reverse("evaluations:analysis_detail", args=[analysis.pk]) in response.content.decode()
