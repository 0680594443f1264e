"""Competition pages: entries, judging, peer review, audience votes, results and certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_text
from evaluations.competition import selectors as competition_selectors
from evaluations.competition import services as competition_services
from evaluations.competition.forms import AudienceScoreFormSet, JudgeScoreFormSet, PeerScoreFormSet, rows_initial
from evaluations.competition.steps import competition_step_label, competition_steps
from evaluations.models import Competition, CompetitionResult, JudgeAssignment, JudgeScore
from instructors.models import User


def _get_competition_for_user(request: HttpRequest, pk: int) -> Competition:
    found = Competition.objects.visible_to(request.user).filter(pk=pk).select_related("region").first()
    if found is None:
        raise Http404
    return found


def _get_managed_competition(request: HttpRequest, pk: int) -> Competition:
    if not request.user.can_manage_registry:
        raise PermissionDenied
    found = Competition.objects.managed_by(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _min_judges(competition: Competition) -> int:
    return (competition.params or {}).get("min_judges") or competition_services.competition_params()["min_judges"]


def _progress(request: HttpRequest, competition: Competition, *, manages: bool | None = None):
    """The competition's steps and the next action for this user."""
    if manages is None:
        manages = Competition.objects.managed_by(request.user).filter(pk=competition.pk).exists()
    final = competition.phase == Competition.Phase.FINAL  # the judge minimum matters to the final only
    facts = competition_selectors.competition_facts(
        competition=competition, user=request.user, manages=manages, minimum=_min_judges(competition) if final else 0
    )
    return competition_steps(competition=competition, facts=facts)


@login_required
def competition_list(request: HttpRequest) -> HttpResponse:
    competitions = list(competition_selectors.competitions_for(request.user))
    for competition in competitions:
        competition.step_label = competition_step_label(competition)
    return render(request, "evaluations/competition/list.html", {"competitions": competitions})


@login_required
def competition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_for_user(request, pk)
    manages = Competition.objects.managed_by(request.user).filter(pk=pk).exists()
    entries = competition.entries.select_related("course", "group").prefetch_related("instructors")
    context = {
        "competition": competition,
        "entries": entries,
        "manages": manages,
        "judging": competition.judge_assignments.filter(judge=request.user).exists(),
        "peer_review": manages
        or bool(competition_selectors.peer_groups_of(competition=competition, user=request.user)),
        "judges": User.objects.filter(role=User.Role.JUDGE).order_by("username") if manages else [],
        "results_visible": competition_selectors.results_visible(competition=competition, user=request.user),
        "progress": _progress(request, competition, manages=manages),
    }
    return render(request, "evaluations/competition/detail.html", context)


@login_required
def competition_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The judge's own page: their assignments and their own scores only; all rows are saved or none."""
    competition = _get_competition_for_user(request, pk)
    assignments = competition_selectors.judge_assignments_of(competition=competition, judge=request.user)
    if not assignments:
        raise Http404
    initial = rows_initial(assignments, competition_selectors.judge_own_scores(assignments), key="assignment")
    formset = JudgeScoreFormSet(
        request.POST or None,
        initial=initial,
        objects=assignments,
        editable=lambda a: competition.round_open(a.round),
        prefix="scores",
    )
    if request.method == "POST" and _save(
        request,
        formset,
        lambda rows: competition_services.judge_scores_submit(
            scores={a: form_scores(data) for a, data in rows}, by=request.user
        ),
    ):
        messages.success(request, _("Scores saved. You can change them until the round closes."))
        return redirect("evaluations:competition_score", pk=competition.pk)
    context = {"competition": competition, "rows": list(zip(assignments, formset.forms, strict=True))}
    context["criteria"] = JudgeScore.Criterion.choices
    context["progress"] = _progress(request, competition, manages=False)
    return _render_rows(request, "evaluations/competition/score.html", context, formset)


@login_required
@require_POST
def competition_recuse(request: HttpRequest, pk: int) -> HttpResponse:
    """A judge steps back from one entry (a conflict of interest found late); the score is then missing, not zero."""
    assignment = get_object_or_404(
        JudgeAssignment.objects.select_related("entry__course", "competition"), pk=pk, judge=request.user
    )
    try:
        competition_services.judge_recuse(assignment=assignment, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You have recused yourself from %(course)s.") % {"course": assignment.entry.course})
    return redirect("evaluations:competition_detail", pk=assignment.competition_id)


@login_required
@require_POST
def competition_rank(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_managed_competition(request, pk)
    try:
        queued = competition_services.competition_rank_request(competition=competition)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The ranking is being computed.") if queued else _("The ranking was computed."))
        _warn_short_of_judges(request, competition)
    return redirect(competition)


def _warn_short_of_judges(request: HttpRequest, competition: Competition) -> None:
    """Tell the organizer which entries are below the judge minimum (not ranked, not published) and who is missing."""
    for row in competition_selectors.entries_short_of_judges(competition, _min_judges(competition)):
        lacking = "、".join(row["lacking"]) or _("no judge assigned")
        messages.warning(
            request,
            _(
                "%(entry)s: only %(k)d of %(minimum)d judges with complete scores, so it is not ranked or published "
                "(missing: %(lacking)s)."
            )
            % {"entry": row["entry"], "k": row["k"], "minimum": row["minimum"], "lacking": lacking},
        )


@login_required
@require_POST
def competition_advance(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_managed_competition(request, pk)
    try:
        competition = competition_services.competition_advance(competition=competition, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if competition.phase == Competition.Phase.PUBLICITY:
            _warn_short_of_judges(request, competition)
        messages.success(
            request, _("The competition is now in the phase “%(phase)s”.") % {"phase": competition.get_phase_display()}
        )
    return redirect(competition)


@login_required
@require_POST
def competition_judge_assign(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_managed_competition(request, pk)
    judge = User.objects.filter(pk=request.POST.get("judge") or 0, role=User.Role.JUDGE).first()
    if judge is None:
        messages.error(request, _("Choose a judge."))
        return redirect(competition)
    assigned, refused = competition_services.judge_assign_all(competition=competition, judge=judge)
    messages.success(request, _("%(judge)s assigned to %(n)d entries.") % {"judge": judge, "n": assigned})
    for entry, reason in refused:
        messages.warning(request, f"{entry}: {reason}")
    return redirect(competition)


@login_required
def competition_results(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_for_user(request, pk)
    if not competition_selectors.results_visible(competition=competition, user=request.user):
        raise Http404
    manager = Competition.objects.managed_by(request.user).filter(pk=competition.pk).exists()
    results = competition_selectors.results_explained(competition, show_ineligible=manager)
    flags = competition.judge_flags.select_related("judge").order_by("judge__username")
    params = {**competition_services.competition_params(), **(competition.params or {})}
    context = {"competition": competition, "results": results, "flags": flags, "params": params, "manager": manager}
    context["progress"] = _progress(request, competition, manages=manager)
    return render(request, "evaluations/competition/results.html", context)


@login_required
def competition_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    result = (
        CompetitionResult.objects.select_related("competition", "entry__course", "entry__group")
        .prefetch_related("entry__instructors")
        .filter(pk=pk, competition__in=Competition.objects.visible_to(request.user))
        .first()
    )
    if result is None or not result.competition.is_published or not result.is_top_ten:
        raise Http404
    return render(request, "evaluations/competition/certificate.html", {"result": result})


def _save(request: HttpRequest, formset, store) -> bool:
    """Hand a valid formset's filled rows to ``store`` (a service saving all rows or none); False with errors."""
    if not formset.is_valid():
        return False
    try:
        store(formset.filled())
    except ValidationError as exc:
        formset._non_form_errors = formset.error_class(exc.messages)
        return False
    return True


def _render_rows(request: HttpRequest, template: str, context: dict, formset) -> HttpResponse:
    errors = formset.row_errors() if formset.is_bound else []
    context = {**context, "formset": formset, "errors": errors}
    return render(request, template, context, status=400 if errors else 200)


def form_scores(data: dict) -> dict:
    return {criterion: data[criterion] for criterion in JudgeScore.Criterion.values}


@login_required
def competition_peer(request: HttpRequest, pk: int) -> HttpResponse:
    """初赛互评: an entrant group's leader scores the other groups' entries (organizers may enter a paper ballot).

    A group sees only its own scores; nobody sees another group's scores before publication.
    """
    competition = get_object_or_404(Competition.objects.select_related("region"), pk=pk)
    manages = Competition.objects.managed_by(request.user).filter(pk=pk).exists()
    groups = competition_selectors.peer_groups_for_page(competition=competition, user=request.user, manages=manages)
    if not groups and not manages:
        raise Http404
    group = next((g for g in groups if str(g.pk) == request.GET.get("group", "")), groups[0] if groups else None)
    entries = list(competition.entries.exclude(group=group).select_related("course", "group").order_by("number"))
    is_open = competition.round_open(Competition.Phase.PRELIMINARY)
    initial = rows_initial(entries, competition_selectors.peer_scores_of(group=group, entries=entries))
    formset = PeerScoreFormSet(request.POST or None, initial=initial, objects=entries, editable=is_open, prefix="peer")
    if request.method == "POST" and _save(
        request,
        formset,
        lambda rows: competition_services.peer_scores_submit(
            group=group, scores={entry: data["value"] for entry, data in rows}, by=request.user
        ),
    ):
        messages.success(request, _("Peer scores saved for %(group)s.") % {"group": group})
        return redirect(f"{request.path}?group={group.pk}")
    context = {"competition": competition, "groups": groups, "group": group, "open": is_open, "manages": manages}
    context["progress"] = _progress(request, competition, manages=manages)
    context["rows"] = list(zip(entries, formset.forms, strict=True))
    return _render_rows(request, "evaluations/competition/peer.html", context, formset)


@login_required
def competition_audience(request: HttpRequest, pk: int) -> HttpResponse:
    """决赛现场观众投票: the organizers record, per entry, how many in the audience voted and their mean score."""
    competition = _get_managed_competition(request, pk)
    entries = list(competition.entries.select_related("course", "group", "audience").order_by("number"))
    is_open = competition.round_open(Competition.Phase.FINAL)
    initial = rows_initial(entries, competition_selectors.audience_scores_of(entries))
    formset = AudienceScoreFormSet(
        request.POST or None, initial=initial, objects=entries, editable=is_open, prefix="audience"
    )
    if request.method == "POST" and _save(
        request,
        formset,
        lambda rows: competition_services.audience_scores_set(
            votes={entry: (data["n"], data["mean"]) for entry, data in rows}, by=request.user
        ),
    ):
        messages.success(request, _("Audience votes saved."))
        return redirect("evaluations:competition_audience", pk=competition.pk)
    context = {"competition": competition, "open": is_open, "rows": list(zip(entries, formset.forms, strict=True))}
    context["progress"] = _progress(request, competition, manages=True)
    return _render_rows(request, "evaluations/competition/audience.html", context, formset)
