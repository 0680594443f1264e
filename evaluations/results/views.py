"""Result pages, 我的评价, the moderation queue, consequences and training-session results."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_text
from core.params import year_param
from core.permissions import require_manager
from core.xlsx import export_filename, xlsx_response
from courses.models import Course
from evaluations import scoring
from evaluations.feedback import selectors as feedback_selectors
from evaluations.models import (
    Comment,
    LectureResult,
    RaterRole,
    ResultAction,
    SessionResult,
)
from evaluations.results import selectors as result_selectors
from evaluations.results import services as result_services
from evaluations.results.exports import results_export
from evaluations.results.forms import DecisionForm, FollowUpForm, ModerationForm, ResultFilterForm
from evaluations.scoring.ranking import COMPETITION_DEFAULTS
from evaluations.scoring.review_rules import REVIEW_DEFAULTS
from evaluations.survey import selectors as survey_selectors
from evaluations.survey import services as survey_services
from evaluations.survey.views import get_evaluation_for_user
from instructors.models import Instructor
from outreach.models import Lecture


def _get_result_for_user(request: HttpRequest, pk: int) -> LectureResult:
    try:
        return result_selectors.result_for_user(request.user, pk)
    except LectureResult.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def evaluation_compute(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for_user(request, pk)
    if evaluation.session_id:
        session_result = result_services.session_results_compute(evaluation_ids=[evaluation.pk])[0]
        messages.success(request, _("The result was computed."))
        return redirect("evaluations:session_result_detail", pk=session_result.pk)
    result = result_services.result_compute(evaluation=evaluation)
    result_services.instructor_quality_refresh(instructor=result.instructor, year=result.year)
    messages.success(request, _("The result was computed."))
    return redirect("evaluations:result_detail", pk=result.pk)


@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = _get_result_for_user(request, pk)
    manager = request.user.can_manage_registry
    minimum = result_selectors.private_below(result.scoring.merged)
    context = {
        "result": result,
        "lecture": result.lecture,
        "roles": _roles(result, manager, minimum),
        "distribution": result_selectors.indicator_distribution(evaluation=result.evaluation)
        if manager or result.trainee_n >= minimum
        else None,
        "comments": result_selectors.comments_for(evaluation=result.evaluation, user=request.user),
        "manager": manager,
        "follow_ups": result.lecture.follow_ups.all() if manager else [],
        "follow_up_form": FollowUpForm() if manager else None,
        "needed": _answers_needed(result),
        "flag_text": result_selectors.result_flag_text(result),
        "yellow_lectures": result_selectors.yellow_lectures(result),
        "params": result.scoring.merged,
        "held": survey_selectors.held_counts(evaluation=result.evaluation),
    }
    return render(request, "evaluations/result_detail.html", context)


def _roles(result: LectureResult, manager: bool, minimum: int) -> list[dict]:
    """The rater roles' figures; a named-rater role's mean is hidden from the instructor below the privacy minimum."""
    rows = []
    for r in result.explanation.get("roles", []):
        private = not manager and r["role"] != RaterRole.TRAINEE and 0 < r["n"] < minimum
        rows.append({**r, "label": RaterRole(r["role"]).label, "private": private})
    return rows


def _answers_needed(result: LectureResult) -> int:
    trainee = next((r for r in result.explanation.get("roles", []) if r.get("role") == RaterRole.TRAINEE), None)
    return max(0, trainee["minimum"] - result.trainee_n) if trainee else 0


@login_required
@require_POST
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    result = _get_result_for_user(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        result_services.follow_up_create(lecture=result.lecture, by=request.user, **form.cleaned_data)
        messages.success(request, _("The follow-up was recorded."))
    else:
        messages.error(request, _("Please record both the feedback and the improvement agreed."))
    return redirect("evaluations:result_detail", pk=result.pk)


@login_required
def my_ratings(request: HttpRequest) -> HttpResponse:
    instructor = Instructor.objects.filter(user=request.user).first()
    if instructor is None:
        raise Http404
    year = year_param(request)
    results = functools.cache(lambda: result_selectors.my_year_results(instructor=instructor, year=year))
    # The figures are functions: the template calls them only when its cached fragment (keyed by the stamp of the
    # instructor's results, the year's and the stored Q) is missing.
    context = {
        "instructor": instructor,
        "year": year,
        "stamp": result_selectors.my_ratings_stamp(instructor=instructor, year=year),
        "results": results,
        "summary": lambda: result_selectors.my_year_summary(instructor=instructor, year=year),
        "quality": lambda: result_selectors.my_quality(instructor=instructor, year=year),
        "chart": functools.cache(
            lambda: result_selectors.my_chart(instructor=instructor, year=year, rows=results()["rows"])
        ),
        # Qualitative input, outside the cached figures so that a new record shows at once; never in the score.
        "visits": feedback_selectors.field_visits(courses=Course.objects.taught_by_user(request.user).values("pk"))[
            :50
        ],
        "works": feedback_selectors.my_works(user=request.user),
    }
    return render(request, "evaluations/my_ratings.html", context)


@login_required
def result_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = ResultFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(result_selectors.results_list(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    person = (
        filters.get("instructor")
        and Instructor.objects.visible_to(request.user).filter(pk=filters["instructor"]).first()
    )
    context = {"form": form, "page": page, "query": query.urlencode(), "person": person}
    return render(request, "evaluations/result_list.html", context)


@login_required
def result_export(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = ResultFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    results = result_selectors.results_list(user=request.user, filters=filters).iterator(chunk_size=2000)
    year = filters.get("year") or timezone.localdate().year
    qualities = result_selectors.year_qualities(user=request.user, year=year)
    return xlsx_response(results_export(results, qualities), export_filename("评价结果"), fallback="results.xlsx")


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    context = {
        "comments": result_selectors.moderation_queue(user=request.user)[:100],
        "public_comments": feedback_selectors.public_moderation_queue(user=request.user)[:100],
        "form": ModerationForm(),
    }
    return render(request, "evaluations/moderation_queue.html", context)


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    comment = get_object_or_404(
        Comment.objects.filter(evaluation__lecture__in=Lecture.objects.visible_to(request.user)), pk=pk
    )
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            result_services.comment_moderate(comment=comment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The comment was moderated."))
    return redirect("evaluations:moderation_queue")


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    status = request.GET.get("status", ResultAction.Status.PROPOSED)
    if status not in ResultAction.Status.values:
        status = ResultAction.Status.PROPOSED
    page = Paginator(result_selectors.action_list(user=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    result_selectors.explain_actions(page.object_list)
    context = {
        "page": page,
        "actions": page.object_list,
        "query": f"status={status}",
        "status": status,
        "statuses": ResultAction.Status.choices,
        "form": DecisionForm(),
    }
    return render(request, "evaluations/action_list.html", context)


@login_required
@require_POST
def action_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    action = get_object_or_404(result_selectors.action_list(user=request.user, status=""), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            result_services.action_decide(
                action=action, confirm=form.cleaned_data["confirm"], reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The decision was recorded."))
    else:
        messages.error(request, _("Please give the reason for this decision."))
    return redirect("evaluations:action_list")


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """The year's training sessions with their evaluation and result, and the per-topic feedback for the menu."""
    require_manager(request)
    year = year_param(request)
    sessions = survey_selectors.training_sessions_to_evaluate(user=request.user, year=year)
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    feedback = result_selectors.training_menu_feedback(user=request.user, year=year)
    context = {"page": page, "year": year, "feedback": feedback, "query": f"year={year}"}
    return render(request, "evaluations/session_list.html", context)


@login_required
def session_result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        result = result_selectors.session_result_for_user(request.user, pk)
    except SessionResult.DoesNotExist:
        raise Http404 from None
    trainee = next((r for r in result.explanation.get("roles", []) if r.get("role") == RaterRole.TRAINEE), None)
    context = {
        "result": result,
        "session": result.session,
        "subject": result.evaluation.subject,
        "roles": [{**r, "label": RaterRole(r["role"]).label} for r in result.explanation.get("roles", [])],
        "distribution": result_selectors.indicator_distribution(evaluation=result.evaluation),
        "comments": result_selectors.comments_for(evaluation=result.evaluation, user=request.user),
        "needed": max(0, trainee["minimum"] - result.trainee_n) if trainee else 0,
    }
    return render(request, "evaluations/session_result_detail.html", context)


@login_required
def scoring_rules(request: HttpRequest) -> HttpResponse:
    """评分规则: every formula, default, threshold and tie-break, rendered from the current settings and indicators."""
    current = survey_services.scoring_current()
    system = survey_services.indicator_system_current()
    p = current.merged
    context = {
        "settings_row": current,
        "p": p,
        "review": {**REVIEW_DEFAULTS, **current.params.get("review", {})},
        "competition": {**COMPETITION_DEFAULTS, **current.params.get("competition", {})},
        "system": system,
        "dimensions": system.dimensions.prefetch_related("indicators") if system else [],
        "roles": [
            {"label": RaterRole(role).label, "weight": p["role_weights"][role], "minimum": p["role_min_counts"][role]}
            for role in scoring.ROLE_ORDER
            if role in p["role_weights"]
        ],
    }
    return render(request, "evaluations/scoring_rules.html", context)
