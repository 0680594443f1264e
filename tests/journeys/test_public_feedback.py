"""A phone sends a 弹幕 on a column work, the county organizer approves it, and the public page plays it over the
clip; the switch hides it and the page remembers that (screenshots: test-artifacts/journeys/public-feedback-*)."""

from __future__ import annotations

import io

import pytest

from evaluations.models import PublicComment
from tests import factories
from tests.browser import login, shot
from tests.courses import factories as course_factories

CLIP_PATH = "/clips/dangke.webm"
TEXT = "第一秒就讲到点子上了"


def _clip() -> bytes:
    """A 10-second silent WebM made here (no file in the repository, no call outside)."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    container = av.open(buffer, "w", format="webm")
    stream = container.add_stream("libvpx", rate=5)
    stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
    for i in range(50):
        image = np.zeros((180, 320, 3), dtype=np.uint8)
        image[:, :, 0], image[:, :, 1], image[:, :, 2] = 120 + i, 20, 30
        for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phone_sends_a_danmaku_that_plays_over_the_clip_once_approved(page, live_server):
    tree = factories.region_tree()
    factories.user(username="organizer", role="organizer", region=tree["county_a"])
    lecturer = factories.instructor(region=tree["county_a"], name="张三")
    course = course_factories.course(lead=lecturer, title="坚持党建引领激活村级治理新动能")
    column = course_factories.column(name="党课开讲啦", slug="dangke")
    work = course_factories.work(column_obj=column, course_obj=course)
    work.link = f"{live_server.url}{CLIP_PATH}"  # our own origin: the policy plays clips from 'self' only
    work.save(update_fields=["link"])
    clip = _clip()

    phone_context = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone_context.route(f"**{CLIP_PATH}", lambda route: route.fulfill(body=clip, content_type="video/webm"))
    phone = phone_context.new_page()
    errors: list[str] = []
    phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # The phone opens the column, then the work, and sends a bullet comment at second 1.
    phone.goto(f"{live_server.url}/courses/columns/dangke/")
    phone.get_by_role("link", name=work.title).tap()
    phone.wait_for_selector("#danmaku-stage[data-danmaku-ready='0']")
    phone.get_by_label("评论").first.fill(TEXT)
    phone.get_by_label("时间点（从开头起的秒数）").fill("1")
    phone.get_by_role("button", name="发送").first.tap()
    phone.get_by_text("审核通过后即可显示").wait_for()
    assert TEXT not in phone.locator("#danmaku-stage").inner_text()
    shot(phone, "public-feedback", "1-phone-sent")
    assert PublicComment.objects.get().state == "pending"

    # The organizer approves it in the moderation queue, beside the survey comments.
    login(page, live_server.url, "organizer")
    page.goto(f"{live_server.url}/evaluations/moderation/")
    card = page.locator(".public-comment-pending", has_text=TEXT)
    card.get_by_label("处理决定").select_option("public")
    shot(page, "public-feedback", "2-organizer-queue")
    card.get_by_role("button", name="保存").click()
    page.get_by_text("没有待审核的网友评论").wait_for()
    assert PublicComment.objects.get().state == "public"

    # The public page now plays it over the clip.
    phone.reload()
    phone.wait_for_selector("#danmaku-stage[data-danmaku-ready='1']")
    phone.evaluate("() => { const v = document.getElementById('work-player'); v.muted = true; return v.play(); }")
    flying = phone.locator(".danmaku-layer", has_text=TEXT)
    flying.wait_for(state="attached", timeout=15000)
    phone.wait_for_timeout(600)
    shot(phone, "public-feedback", "3-danmaku-over-clip")
    stage = phone.locator("#danmaku-stage").bounding_box()
    bullet = phone.get_by_text(TEXT, exact=True).first.bounding_box()
    assert stage["y"] <= bullet["y"] <= stage["y"] + stage["height"]

    # Switched off, the layer is hidden, and a reload remembers it.
    phone.get_by_label("显示弹幕").uncheck()
    phone.reload()
    phone.wait_for_selector("#danmaku-stage.danmaku-off")
    assert not phone.get_by_label("显示弹幕").is_checked()
    shot(phone, "public-feedback", "4-danmaku-off")
    assert [e for e in errors if "Content Security Policy" in e] == []
    phone_context.close()
