"""Pages of the 十佳课程擂台赛: competitions, the judge's scoring page, ranking, publication and certificates.

Judges see only their own scores until the results are published; before that the results page is for the
competition's organizers only.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from instructors.models import User

from . import competition as comp
from .models_competition import Competition, CompetitionResult, JudgeAssignment, JudgeScore


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


@login_required
def competition_list(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluations/competition/list.html", {"competitions": comp.competitions_for(request.user)})


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
        "judges": User.objects.filter(role=User.Role.JUDGE).order_by("username") if manages else [],
        "results_visible": comp.results_visible(competition=competition, user=request.user),
    }
    return render(request, "evaluations/competition/detail.html", context)


@login_required
def competition_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The judge's own page: their assignments and their own scores only."""
    competition = _get_competition_for_user(request, pk)
    assignments = list(
        JudgeAssignment.objects.filter(competition=competition, judge=request.user, recused=False)
        .select_related("entry__course", "entry__group")
        .prefetch_related("scores")
        .order_by("round", "entry__number")
    )
    if not assignments:
        raise Http404
    criteria = JudgeScore.Criterion.choices
    if request.method == "POST":
        saved, errors = 0, []
        with transaction.atomic():
            for assignment in assignments:
                values = {c: request.POST.get(f"s{assignment.pk}-{c}", "").strip() for c, _label in criteria}
                if not any(values.values()):
                    continue
                try:
                    parsed = {c: Decimal(v) for c, v in values.items()}
                    comp.judge_score_submit(assignment=assignment, values=parsed, by=request.user)
                except (InvalidOperation, ValidationError) as exc:
                    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("Enter numbers.")
                    errors.append(f"{assignment.entry}: {text}")
                else:
                    saved += 1
        for error in errors:
            messages.error(request, error)
        if saved:
            messages.success(
                request, _("%(n)d scores saved. You can change them until the round closes.") % {"n": saved}
            )
        return redirect("evaluations:competition_score", pk=competition.pk)
    rows = [
        {
            "assignment": a,
            "open": competition.round_open(a.round),
            "fields": [
                (c, label, next((s.value for s in a.scores.all() if s.criterion == c), "")) for c, label in criteria
            ],
        }
        for a in assignments
    ]
    return render(request, "evaluations/competition/score.html", {"competition": competition, "rows": rows})


@login_required
@require_POST
def competition_rank(request: HttpRequest, pk: int) -> HttpResponse:
    from .tasks import competition_rank_task

    competition = _get_managed_competition(request, pk)
    if competition.is_published:
        messages.error(request, _("The results are published and can no longer be recomputed."))
    else:
        transaction.on_commit(lambda: competition_rank_task.delay(competition.pk))
        messages.success(request, _("The ranking is being computed."))
    return redirect(competition)


@login_required
@require_POST
def competition_advance(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_managed_competition(request, pk)
    try:
        competition = comp.competition_advance(competition=competition, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
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
    assigned, refused = comp.judge_assign_all(competition=competition, judge=judge)
    messages.success(request, _("%(judge)s assigned to %(n)d entries.") % {"judge": judge, "n": assigned})
    for entry, reason in refused:
        messages.warning(request, f"{entry}: {reason}")
    return redirect(competition)


@login_required
def competition_results(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_for_user(request, pk)
    if not comp.results_visible(competition=competition, user=request.user):
        raise Http404
    names = comp.judge_names(competition)
    results = list(comp.results_for(competition))
    for result in results:
        for row in result.breakdown.get("judges", []):
            row["name"] = names.get(row["judge"], "?")
    flags = competition.judge_flags.select_related("judge").order_by("judge__username")
    context = {"competition": competition, "results": results, "flags": flags}
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
