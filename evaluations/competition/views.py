"""Competition pages: entries, judging, peer review, audience votes, results and certificates."""

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

from evaluations.competition import selectors as competition_selectors
from evaluations.competition import services as competition_services
from evaluations.models import Competition, CompetitionResult, JudgeAssignment, JudgeScore, PeerScore
from instructors.models import TeachingGroup, User


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
    return render(
        request,
        "evaluations/competition/list.html",
        {"competitions": competition_selectors.competitions_for(request.user)},
    )


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
                    competition_services.judge_score_submit(assignment=assignment, values=parsed, by=request.user)
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
    competition = _get_managed_competition(request, pk)
    try:
        queued = competition_services.competition_rank_request(competition=competition)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The ranking is being computed.") if queued else _("The ranking was computed."))
        _warn_short_of_judges(request, competition)
    return redirect(competition)


def _warn_short_of_judges(request: HttpRequest, competition: Competition) -> None:
    """Tell the organizer which entries are below the judge minimum (not ranked, not published) and who is missing."""
    minimum = (competition.params or {}).get("min_judges") or competition_services.competition_params()["min_judges"]
    for row in competition_selectors.entries_short_of_judges(competition, minimum):
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
        messages.error(request, " ".join(exc.messages))
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


def _parse_scores(request: HttpRequest, entries, prefix: str) -> tuple[dict[int, Decimal], list[str]]:
    """The non-empty 0–100 fields ``<prefix><entry pk>`` of the form, and one message per bad one."""
    values, errors = {}, []
    for entry in entries:
        raw = request.POST.get(f"{prefix}{entry.pk}", "").strip()
        if not raw:
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors.append(_("No. %(n)s %(course)s: enter a number.") % {"n": entry.number, "course": entry.course})
            continue
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
            errors.append(
                _("No. %(n)s %(course)s: scores run from 0 to 100.") % {"n": entry.number, "course": entry.course}
            )
            continue
        values[entry.pk] = value.quantize(Decimal("0.01"))
    return values, errors


@login_required
def competition_peer(request: HttpRequest, pk: int) -> HttpResponse:
    """初赛互评: an entrant group's leader scores the other groups' entries (organizers may enter a paper ballot).

    A group sees only its own scores; nobody sees another group's scores before publication.
    """
    competition = Competition.objects.filter(pk=pk).select_related("region").first()
    if competition is None:
        raise Http404
    manages = Competition.objects.managed_by(request.user).filter(pk=pk).exists()
    if manages:
        groups = list(
            TeachingGroup.objects.filter(competition_entries__competition=competition).distinct().order_by("name")
        )
    else:
        groups = competition_selectors.peer_groups_of(competition=competition, user=request.user)
        if not groups:
            raise Http404
    group = next((g for g in groups if str(g.pk) == request.GET.get("group", "")), groups[0] if groups else None)
    if group is None:
        return render(request, "evaluations/competition/peer.html", {"competition": competition, "groups": []})
    entries = list(competition.entries.exclude(group=group).select_related("course", "group").order_by("number"))
    is_open = competition.round_open(Competition.Phase.PRELIMINARY)
    current = dict(PeerScore.objects.filter(entry__in=entries, group=group).values_list("entry_id", "value"))
    errors: list[str] = []
    if request.method == "POST":
        values, errors = _parse_scores(request, entries, "e")
        if not errors:
            try:
                with transaction.atomic():
                    by_pk = {e.pk: e for e in entries}
                    for entry_pk, value in values.items():
                        competition_services.peer_score_submit(
                            entry=by_pk[entry_pk], group=group, value=value, by=request.user
                        )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request, _("%(n)d peer scores saved for %(group)s.") % {"n": len(values), "group": group}
                )
                return redirect(f"{request.path}?group={group.pk}")
        current.update({int(k[1:]): v for k, v in request.POST.items() if k.startswith("e") and k[1:].isdigit()})
    rows = [{"entry": e, "value": current.get(e.pk, "")} for e in entries]
    context = {
        "competition": competition,
        "groups": groups,
        "group": group,
        "rows": rows,
        "open": is_open,
        "errors": errors,
        "manages": manages,
    }
    return render(request, "evaluations/competition/peer.html", context, status=400 if errors else 200)


@login_required
def competition_audience(request: HttpRequest, pk: int) -> HttpResponse:
    """决赛现场观众投票: the organizers record, per entry, how many in the audience voted and their mean score."""
    competition = _get_managed_competition(request, pk)
    entries = list(competition.entries.select_related("course", "group", "audience").order_by("number"))
    is_open = competition.round_open(Competition.Phase.FINAL)
    errors: list[str] = []
    submitted: dict[str, str] = {}
    if request.method == "POST":
        submitted = {k: v for k, v in request.POST.items() if k[:1] in ("n", "m")}
        means, errors = _parse_scores(request, entries, "m")
        counts: dict[int, int] = {}
        for entry in entries:
            raw_n = request.POST.get(f"n{entry.pk}", "").strip()
            if not raw_n and entry.pk not in means:
                continue
            if not raw_n.isdigit() or entry.pk not in means:
                errors.append(
                    _("No. %(n)s %(course)s: give both the number of votes (a whole number) and their mean.")
                    % {"n": entry.number, "course": entry.course}
                )
                continue
            counts[entry.pk] = int(raw_n)
        if not errors:
            try:
                with transaction.atomic():
                    by_pk = {e.pk: e for e in entries}
                    for entry_pk, n in counts.items():
                        competition_services.audience_score_set(
                            entry=by_pk[entry_pk], n=n, mean=means[entry_pk], by=request.user
                        )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Audience votes saved for %(n)d entries.") % {"n": len(counts)})
                return redirect("evaluations:competition_audience", pk=competition.pk)
    rows = []
    for entry in entries:
        audience = getattr(entry, "audience", None)
        rows.append(
            {
                "entry": entry,
                "n": submitted.get(f"n{entry.pk}", audience.n if audience else ""),
                "mean": submitted.get(f"m{entry.pk}", audience.mean if audience else ""),
            }
        )
    context = {"competition": competition, "rows": rows, "open": is_open, "errors": errors}
    return render(request, "evaluations/competition/audience.html", context, status=400 if errors else 200)
