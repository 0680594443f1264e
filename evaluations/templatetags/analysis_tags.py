"""The 授课分析 panel on a lecture's page and on a training session's page (those apps sit below evaluations, so
they load this tag instead of importing anything from here)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from evaluations.models import LectureAnalysis

register = template.Library()


@register.inclusion_tag("evaluations/analysis/_analysis_list.html", takes_context=True)
def analysis_panel(context, lecture=None, session=None) -> dict:
    """Analyses of this lecture or session that the viewer may see, and where to upload another. The pages that
    show the panel are themselves visible only to those allowed to upload (the lecture's instructor, the
    organizers of its region; the managers of the session's programme)."""
    user = context["request"].user
    analyses = LectureAnalysis.objects.visible_to(user).only(
        "pk", "status", "original_name", "created_at", "speaking_rate", "lecture_id", "session_id"
    )
    if lecture is not None:
        analyses = analyses.filter(lecture=lecture)
        upload_url = reverse("evaluations:analysis_lecture_new", args=[lecture.pk])
    else:
        analyses = analyses.filter(session=session)
        upload_url = reverse("evaluations:analysis_session_new", args=[session.pk])
    return {"analyses": list(analyses[:20]), "upload_url": upload_url}


@register.filter
def clock(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss), as a player shows a moment."""
    total = int(round(float(seconds or 0)))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
