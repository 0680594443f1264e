"""Reads for the 授课分析 pages: one analysis as its viewer may see it, the lists on the lecture and session pages,
the ratings of the same lecture and the instructor's own trend."""

from __future__ import annotations

from django.db.models import Avg, QuerySet

from courses.models import TrainingProgramme, TrainingSession
from evaluations.models import Answer, LectureAnalysis, LectureResult
from outreach.models import Lecture

RATED_INDICATORS = ("互动性", "趣味性")


def analysis_for_user(*, user, pk: int) -> LectureAnalysis:
    """Raises LectureAnalysis.DoesNotExist for what the user may not see."""
    return (
        LectureAnalysis.objects.visible_to(user)
        .select_related(
            "lecture__course",
            "lecture__instructor",
            "lecture__organization",
            "session__programme",
            "instructor",
            "courseware",
        )
        .get(pk=pk)
    )


def lecture_for_upload(*, user, pk: int) -> Lecture:
    """The instructor's own lecture, or one held in the organizer's region."""
    return Lecture.objects.visible_to(user).select_related("course", "instructor").get(pk=pk)


def session_for_upload(*, user, pk: int) -> TrainingSession:
    """A session of a programme the organizer's region runs."""
    return TrainingSession.objects.select_related("programme").get(
        pk=pk, programme__in=TrainingProgramme.objects.managed_by(user)
    )


def analyses_of(*, lecture: Lecture | None = None, session: TrainingSession | None = None) -> QuerySet[LectureAnalysis]:
    qs = LectureAnalysis.objects.filter(lecture=lecture) if lecture else LectureAnalysis.objects.filter(session=session)
    return qs.only(
        "pk", "status", "progress", "original_name", "created_at", "speaking_rate", "kind", "lecture", "session"
    )


def ratings_beside(analysis: LectureAnalysis) -> dict | None:
    """The same lecture's evaluation result: score and the mean answers of 互动性 and 趣味性 (1–5)."""
    if analysis.lecture_id is None:
        return None
    result = (
        LectureResult.objects.filter(lecture_id=analysis.lecture_id)
        .only("pk", "score", "insufficient", "trainee_n")
        .first()
    )
    indicators = (
        Answer.objects.filter(
            response__evaluation__lecture_id=analysis.lecture_id,
            response__valid=True,
            indicator__name__in=RATED_INDICATORS,
        )
        .values("indicator__name")
        .annotate(mean=Avg("value"))
        .order_by("indicator__name")
    )
    return {"result": result, "indicators": [{"name": r["indicator__name"], "mean": r["mean"]} for r in indicators]}


def instructor_trend(analysis: LectureAnalysis, limit: int = 24) -> list[dict]:
    """The instructor's finished analyses, oldest first: pace, pitch variation and talk share."""
    if analysis.instructor_id is None:
        return []
    rows = (
        LectureAnalysis.objects.filter(instructor_id=analysis.instructor_id, status=LectureAnalysis.Status.DONE)
        .order_by("-created_at")
        .values("pk", "created_at", "speaking_rate", "pitch_variation", "talk_share")[:limit]
    )
    return [
        {
            "date": r["created_at"].date().isoformat(),
            "pace": r["speaking_rate"],
            "pitch": r["pitch_variation"],
            "talk": round(r["talk_share"] * 100, 1) if r["talk_share"] is not None else None,
            "current": r["pk"] == analysis.pk,
        }
        for r in reversed(list(rows))
    ]


def chart_data(analysis: LectureAnalysis, trend: list[dict]) -> dict:
    """Everything the page's charts draw, in one JSON block (the page's script reads it)."""
    r = analysis.result
    return {
        "duration": r["duration"],
        "pace": {
            "low": r["settings"]["pace_low"],
            "high": r["settings"]["pace_high"],
            "minutes": r["pace"]["per_minute"],
        },
        "pitch": {
            "track": r["intonation"]["track"],
            "monotone": r["intonation"]["monotone"],
            "minutes": r["intonation"]["per_minute"],
        },
        "pauses": {"histogram": r["pauses"]["histogram"], "long": r["pauses"]["long"], "speech": r.get("speech", [])},
        "sections": r.get("sections") or [],
        "slides": (r.get("slides") or {}).get("segments", []),
        "motion": r.get("motion") or None,
        "trend": trend,
    }
