"""Pages for the evaluation of instructor training sessions (以训提能: 课中现场评估, 课后反馈调整).

The attending instructors rate each session anonymously by QR code (the same survey as a lecture's); organizers
open the evaluation, read each session's result and see, per topic, how the year's sessions were rated so that
they can adjust the training menu.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from courses.models import TrainingProgramme, TrainingSession

from . import selectors, services
from .models import RaterRole, SessionResult
from .views import _require_manager, _year


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """The year's training sessions with their evaluation and result, and the per-topic feedback for the menu."""
    _require_manager(request)
    year = _year(request)
    sessions = selectors.training_sessions_to_evaluate(user=request.user, year=year)
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    feedback = selectors.training_menu_feedback(user=request.user, year=year)
    context = {"page": page, "year": year, "feedback": feedback, "query": f"year={year}"}
    return render(request, "evaluations/session_list.html", context)


@login_required
@require_POST
def session_evaluation_open(request: HttpRequest, session_pk: int) -> HttpResponse:
    _require_manager(request)
    session = get_object_or_404(
        TrainingSession.objects.filter(programme__in=TrainingProgramme.objects.managed_by(request.user)),
        pk=session_pk,
    )
    evaluation = services.evaluation_open_session(session=session, by=request.user)
    return redirect(evaluation)


@login_required
def session_result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        result = selectors.session_result_for_user(request.user, pk)
    except SessionResult.DoesNotExist:
        raise Http404 from None
    trainee = next((r for r in result.explanation.get("roles", []) if r.get("role") == RaterRole.TRAINEE), None)
    context = {
        "result": result,
        "session": result.session,
        "subject": result.evaluation.subject,
        "roles": [{**r, "label": RaterRole(r["role"]).label} for r in result.explanation.get("roles", [])],
        "distribution": selectors.indicator_distribution(evaluation=result.evaluation),
        "comments": selectors.comments_for(evaluation=result.evaluation, user=request.user),
        "needed": max(0, trainee["minimum"] - result.trainee_n) if trainee else 0,
    }
    return render(request, "evaluations/session_result_detail.html", context)
