"""Review cycle pages, proposals, vetoes, the instructor's outcomes and notifications."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_text
from core.permissions import require_manager
from evaluations.models import Notification, ReviewCycle, ReviewProposal
from evaluations.review import run as review_run
from evaluations.review import selectors as review_selectors
from evaluations.review import services as review_services
from evaluations.review.forms import CycleForm, DecideForm, RevokeForm, VetoForm
from evaluations.review.steps import review_steps
from evaluations.scoring import review_rules
from instructors.models import Instructor
from instructors.selectors import instructor_search


def _get_cycle_for_user(request: HttpRequest, pk: int) -> ReviewCycle:
    cycle = ReviewCycle.objects.visible_to(request.user).select_related("region").filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def _get_proposal_for_user(request: HttpRequest, pk: int) -> ReviewProposal:
    proposal = (
        ReviewProposal.objects.visible_to(request.user)
        .select_related("cycle__region", "instructor__region", "decided_by", "scoring")
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


@login_required
def review_cycle_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    cycles = list(review_selectors.review_cycles_for(request.user)[:200])
    for cycle in cycles:
        cycle.progress = review_steps(cycle=cycle, proposals_n=cycle.proposals_n, undecided_n=cycle.undecided_n)
    waiting = next((c for c in cycles if c.undecided_n or c.status != ReviewCycle.Status.DONE), None)
    progress = _progress(request, waiting) if waiting else review_steps(cycle=None, may_manage=True)
    context = {"cycles": cycles, "form": CycleForm(user=request.user), "progress": progress, "focus": waiting}
    return render(request, "evaluations/review/cycle_list.html", context)


def _progress(request: HttpRequest, cycle: ReviewCycle):
    """The cycle's steps for this user (counted in one query)."""
    counts = review_selectors.review_cycle_counts(cycle)
    return review_steps(cycle=cycle, may_manage=request.user.can_manage_registry, **counts)


@login_required
@require_POST
def review_cycle_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = CycleForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            cycle = review_services.review_cycle_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The review cycle was planned."))
            return redirect(cycle)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("evaluations:review_cycle_list")


@login_required
def review_cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _get_cycle_for_user(request, pk)
    chosen = {key: request.GET.get(key, "") for key in ("proposal", "status", "sort")}
    proposals = list(review_selectors.review_proposals_for(cycle=cycle, **chosen)[:1000])
    versions: dict = {None: review_run.review_params()}
    for p in proposals:
        if p.scoring_id not in versions:
            versions[p.scoring_id] = review_run.review_params(p.scoring)
        p.rule_text = review_rules.rule_label(p.rule, versions[p.scoring_id])
    context = {
        "cycle": cycle,
        "proposals": proposals,
        "chosen": chosen,
        "outcomes": ReviewProposal.Outcome.choices,
        "statuses": ReviewProposal.Status.choices,
        "progress": _progress(request, cycle),
        "matching_n": review_selectors.review_undecided_matching(cycle=cycle, **chosen_filter(chosen)).count(),
    }
    return render(request, "evaluations/review/cycle_detail.html", context)


def chosen_filter(chosen: dict) -> dict:
    return {"proposal": chosen.get("proposal", ""), "status": chosen.get("status", "")}


@login_required
def review_cycle_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of a run: JSON with ?format=json, else the partial htmx swaps in."""
    cycle = _get_cycle_for_user(request, pk)
    if request.GET.get("format") == "json":
        data = {"status": cycle.status, "total": cycle.total, "processed": cycle.processed, "percent": cycle.percent}
        return JsonResponse(data)
    response = render(request, "evaluations/review/_progress.html", {"cycle": cycle})
    if request.headers.get("HX-Request") and cycle.status == ReviewCycle.Status.DONE:
        response["HX-Refresh"] = "true"  # the run is over: reload for the proposals and the next step
    return response


@login_required
@require_POST
def review_cycle_start(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _get_cycle_for_user(request, pk)
    try:
        review_services.review_cycle_start(cycle=cycle, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The review has been started; the proposals appear as it runs."))
    return redirect(cycle)


@login_required
@require_POST
def review_proposals_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the ticked proposals, or (``scope=filter``) every undecided one matching the list's filter, as many
    as the organizer confirmed (``expected``)."""
    cycle = _get_cycle_for_user(request, pk)
    try:
        if request.POST.get("scope") == "filter":
            expected = request.POST.get("expected", "")
            approved, errors = review_services.review_proposals_approve_matching(
                cycle=cycle,
                expected=int(expected) if expected.isdigit() else -1,
                by=request.user,
                **chosen_filter(request.POST),
            )
        else:
            ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
            approved, errors = review_services.review_proposals_approve(cycle=cycle, ids=ids, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _back_to_list(request, cycle)
    if approved or errors:
        messages.success(request, _("%(n)d proposals approved.") % {"n": approved})
    else:
        messages.info(request, _("Nothing to approve: the selected proposals are already decided."))
    for error in errors[:20]:
        messages.error(request, error)
    return _back_to_list(request, cycle)


def _back_to_list(request: HttpRequest, cycle: ReviewCycle) -> HttpResponse:
    """Back to the cycle's proposals with the filter the organizer was using."""
    kept = {key: request.POST[key] for key in ("proposal", "status", "sort") if request.POST.get(key)}
    return redirect(f"{cycle.get_absolute_url()}?{urlencode(kept)}" if kept else cycle.get_absolute_url())


@login_required
def review_proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal_for_user(request, pk)
    params = review_run.review_params(proposal.scoring) if proposal.scoring else review_run.review_params()
    context = {
        "proposal": proposal,
        "rule_label": review_rules.rule_label(proposal.rule, params),
        "figures": review_rules.figure_rows(proposal.figures),
        "formula": review_rules.quality_formula(proposal.figures) if "quality_raw" in proposal.figures else "",
        "form": DecideForm(),
        "may_decide": request.user.can_manage_registry and proposal.can_decide,
        "progress": _progress(request, proposal.cycle) if request.user.can_manage_registry else None,
    }
    return render(request, "evaluations/review/proposal_detail.html", context)


@login_required
@require_POST
def review_proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    proposal = _get_proposal_for_user(request, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            review_services.review_proposal_decide(
                proposal=proposal,
                by=request.user,
                outcome=form.cleaned_data["outcome"] or None,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The decision was recorded and the instructor notified."))
    return redirect(proposal)


@login_required
def review_my_outcomes(request: HttpRequest) -> HttpResponse:
    outcomes = review_selectors.my_review_outcomes(request.user)[:100]
    return render(request, "evaluations/review/my_outcomes.html", {"outcomes": outcomes})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user)[:100]
    return render(request, "evaluations/review/notification_list.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read=False).update(read=True)
    return redirect("evaluations:notification_list")


@login_required
def review_veto_list(request: HttpRequest) -> HttpResponse:
    """The vetoes in force and lifted in the organizer's scope, and a search to veto an instructor."""
    require_manager(request)
    query = request.GET.get("q", "").strip()[:40]
    found = []
    if query:
        found = list(
            instructor_search(Instructor.objects.visible_to(request.user), query)
            .select_related("region")
            .order_by("pinyin", "pk")[:20]
        )
    latest = review_selectors.review_cycles_for(request.user).first()
    progress = _progress(request, latest) if latest else review_steps(cycle=None, may_manage=True)
    context = {
        "vetoes": review_selectors.review_vetoes_for(request.user)[:200],
        "query": query,
        "found": found,
        "progress": progress,
        "latest": latest,
    }
    return render(request, "evaluations/review/veto_list.html", context)


@login_required
@require_POST
def review_veto_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = VetoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the reason for the veto."))
        return redirect("evaluations:review_veto_list")
    instructor = Instructor.objects.visible_to(request.user).filter(pk=form.cleaned_data["instructor"]).first()
    if instructor is None:
        raise Http404
    try:
        review_services.review_veto_add(instructor=instructor, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The veto on %(name)s was recorded.") % {"name": instructor.name})
    return redirect("evaluations:review_veto_list")


@login_required
@require_POST
def review_veto_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    veto = review_selectors.review_vetoes_for(request.user).filter(pk=pk).first()
    if veto is None:
        raise Http404
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please give the reason for lifting the veto."), code="reason_required")
        review_services.review_veto_revoke(veto=veto, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The veto on %(name)s was lifted.") % {"name": veto.instructor.name})
    return redirect("evaluations:review_veto_list")
