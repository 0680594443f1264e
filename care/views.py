"""Pages of 以情聚心: award funds and rounds, honours and priority lists, further study, posts, career plans,
counselling and greeting texts. Organizers manage what lies in their region (others get 404); instructors see what
is theirs; counselling details are shown to the instructor and the counsellor only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import require_manager
from core.xlsx import xlsx_response
from instructors.models import Instructor, Region

from . import exports, selectors, services
from .forms import (
    AmountForm,
    ApplicationDecideForm,
    ApplyForm,
    AppointForm,
    BookingForm,
    BookingUpdateForm,
    CompleteForm,
    CriterionFormSet,
    DecideForm,
    EndTermForm,
    FundForm,
    GoalFormSet,
    GreetingTextForm,
    HonourForm,
    PlanForm,
    PostForm,
    PriorityForm,
    ProgrammeForm,
    RoundForm,
)
from .models import (
    Appointment,
    AwardFund,
    AwardRound,
    CareerPlan,
    CounsellingBooking,
    CounsellingTalk,
    GreetingText,
    InternalPost,
    Nomination,
    Occasion,
    PriorityList,
    StudyApplication,
    StudyProgramme,
)


def _managed(request: HttpRequest, qs: QuerySet, pk: int):
    """An object of the organizer's region, else 404 (existence does not leak); non-organizers get 403."""
    require_manager(request)
    return get_object_or_404(qs.managed_by(request.user), pk=pk)


def _me(request: HttpRequest) -> Instructor:
    instructor = Instructor.objects.filter(user=request.user).select_related("region").first()
    if instructor is None:
        raise Http404
    return instructor


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_page(request: HttpRequest, form, title: str, formset=None) -> HttpResponse:
    return render(request, "care/form.html", {"form": form, "formset": formset, "title": title})


# --- Overview -----------------------------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    instructor = Instructor.objects.filter(user=request.user).first()
    context = {"mine": selectors.for_instructor(instructor) if instructor else None}
    return render(request, "care/overview.html", context)


# --- Award funds --------------------------------------------------------------------------------------------------


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return render(request, "care/fund_list.html", {"funds": selectors.fund_list(user=request.user)})


@login_required
def fund_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = FundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The award fund was opened."))
            return redirect(fund)
    return _form_page(request, form, _("New award fund"))


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _managed(request, AwardFund.objects.select_related("region"), pk)
    context = {
        "fund": fund,
        "rounds": selectors.fund_rounds(fund),
        "entries": fund.entries.select_related("by", "nomination__instructor")[:50],
        "budget_form": AmountForm(),
    }
    return render(request, "care/fund_detail.html", context)


@login_required
@require_POST
def fund_add_budget(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _managed(request, AwardFund.objects, pk)
    form = AmountForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please enter an amount."), code="invalid")
        services.fund_add_budget(fund=fund, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The budget was raised."))
    return redirect(fund)


@login_required
def fund_export(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _managed(request, AwardFund.objects.select_related("region"), pk)
    data = exports.awards_workbook(fund, selectors.fund_award_rows(fund))
    return xlsx_response(data, f"{fund.year}年{fund.name}奖励发放.xlsx", fallback="awards.xlsx")


@login_required
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _managed(request, AwardFund.objects, pk)
    form = RoundForm(request.POST or None)
    formset = CriterionFormSet(request.POST or None, prefix="rules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        criteria = [(f.cleaned_data.get("figure"), f.cleaned_data.get("minimum")) for f in formset]
        try:
            award_round = services.round_create(fund=fund, criteria=criteria, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(award_round)
    return _form_page(request, form, _("New award round"), formset)


def _round(request: HttpRequest, pk: int) -> AwardRound:
    require_manager(request)
    qs = AwardRound.objects.select_related("fund__region").filter(fund__in=AwardFund.objects.managed_by(request.user))
    return get_object_or_404(qs, pk=pk)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _round(request, pk)
    rows = [(n, selectors.figure_rows(n.figures)) for n in selectors.round_nominations(award_round)]
    context = {"round": award_round, "rows": rows, "criteria": award_round.criteria.all(), "form": DecideForm()}
    return render(request, "care/round_detail.html", context)


@login_required
@require_POST
def round_propose(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _round(request, pk)
    try:
        count = services.round_propose(award_round=award_round)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("%(n)s nominees meet every rule.") % {"n": count})
    return redirect(award_round)


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = services.round_close(award_round=_round(request, pk))
    messages.success(request, _("The round was closed."))
    return redirect(award_round)


@login_required
@require_POST
def nomination_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    nomination = get_object_or_404(Nomination.objects.visible_to(request.user).select_related("round"), pk=pk)
    form = DecideForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please choose a decision."), code="invalid")
        data = form.cleaned_data
        if data["approve"]:
            services.nomination_approve(
                nomination=nomination, amount=data["amount"], by=request.user, reason=data["reason"]
            )
        else:
            services.nomination_reject(nomination=nomination, by=request.user, reason=data["reason"])
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Decision recorded for %(name)s.") % {"name": nomination.instructor})
    return redirect(nomination.round)


# --- Honours and priority lists --------------------------------------------------------------------------------


@login_required
def honour_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return render(request, "care/honour_list.html", {"honours": selectors.honour_list(user=request.user)[:200]})


@login_required
def honour_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = HonourForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.honour_record(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The honour was recorded on the dossier."))
            return redirect("care:honour_list")
    return _form_page(request, form, _("Record an honour"))


@login_required
def priority_index(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    context = {"lists": selectors.priority_lists(user=request.user), "form": PriorityForm(user=request.user)}
    return render(request, "care/priority_index.html", context)


@login_required
@require_POST
def priority_generate(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = PriorityForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Please choose a region, year and list."))
        return redirect("care:priority_index")
    priority_list = services.priority_list_generate(by=request.user, **form.cleaned_data)
    return redirect(priority_list)


@login_required
def priority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    priority_list = _managed(request, PriorityList.objects.select_related("region", "generated_by"), pk)
    entries = priority_list.entries.select_related("instructor", "instructor__region")
    return render(request, "care/priority_detail.html", {"list": priority_list, "entries": entries})


# --- Further study ----------------------------------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "care/programme_list.html", {"programmes": selectors.programme_list(user=request.user)})


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        programme = form.save()
        messages.success(request, _("The programme was published."))
        return redirect(programme)
    return _form_page(request, form, _("New study programme"))


def _programme(request: HttpRequest, pk: int) -> StudyProgramme:
    programme = selectors.programme_list(user=request.user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    manager = request.user.can_manage_registry
    me = None if manager else _me(request)
    context = {
        "programme": programme,
        "applications": selectors.programme_applications(programme) if manager else None,
        "mine": programme.applications.filter(instructor=me).first() if me else None,
        "problems": services.study_eligibility(programme=programme, instructor=me) if me else [],
        "apply_form": ApplyForm(),
        "decide_form": ApplicationDecideForm(),
        "complete_form": CompleteForm(),
    }
    return render(request, "care/programme_detail.html", context)


@login_required
@require_POST
def programme_apply(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    me = _me(request)
    form = ApplyForm(request.POST)
    try:
        motivation = form.cleaned_data["motivation"] if form.is_valid() else ""
        services.study_apply(programme=programme, instructor=me, motivation=motivation)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your application was sent."))
    return redirect(programme)


def _application(request: HttpRequest, pk: int) -> StudyApplication:
    require_manager(request)
    programmes = StudyProgramme.objects.managed_by(request.user)
    return get_object_or_404(
        StudyApplication.objects.select_related("programme").filter(programme__in=programmes), pk=pk
    )


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = ApplicationDecideForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please choose a decision."), code="invalid")
        services.study_application_decide(application=application, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(application.programme)


@login_required
@require_POST
def application_complete(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = CompleteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please enter the completion date and credits."), code="invalid")
        services.study_application_complete(application=application, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Completion recorded on the dossier."))
    return redirect(application.programme)


# --- Internal posts ---------------------------------------------------------------------------------------------------


@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    return render(request, "care/post_list.html", {"posts": selectors.post_list(user=request.user)})


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = PostForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        post = form.save()
        return redirect("care:post_detail", post.pk)
    return _form_page(request, form, _("New internal post"))


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _managed(request, InternalPost.objects.select_related("region", "group"), pk)
    context = {
        "post": post,
        "history": selectors.post_history(post),
        "appoint_form": AppointForm(post=post, user=request.user),
        "end_form": EndTermForm(),
    }
    return render(request, "care/post_detail.html", context)


@login_required
@require_POST
def post_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    post = _managed(request, InternalPost.objects.select_related("group"), pk)
    form = AppointForm(request.POST, post=post, user=request.user)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please choose an instructor and the start of the term."), code="invalid")
        services.appointment_make(post=post, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The appointment was recorded."))
    return redirect("care:post_detail", post.pk)


@login_required
@require_POST
def appointment_end(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    posts = InternalPost.objects.managed_by(request.user)
    appointment = get_object_or_404(Appointment.objects.select_related("post__group").filter(post__in=posts), pk=pk)
    form = EndTermForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please give the end date and the reason."), code="invalid")
        services.appointment_end(appointment=appointment, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The term was ended."))
    return redirect("care:post_detail", appointment.post_id)


# --- Career plans -----------------------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "care/plan_list.html", {"plans": selectors.plan_list(user=request.user)[:200]})


def _save_plan(request: HttpRequest, plan: CareerPlan | None) -> HttpResponse:
    require_manager(request)
    initial = {"instructor": plan.instructor, "year": plan.year, "direction": plan.direction} if plan else None
    goals = [{"figure": g.figure, "target": g.target, "note": g.note} for g in plan.goals.all()] if plan else None
    form = PlanForm(request.POST or None, user=request.user, plan=plan, initial=initial)
    formset = GoalFormSet(request.POST or None, prefix="goals", initial=goals)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            plan = services.career_plan_save(
                instructor=data["instructor"],
                year=data["year"],
                direction=data["direction"],
                goals=[f.cleaned_data for f in formset],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(plan)
    return _form_page(request, form, _("Career plan"), formset)


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    return _save_plan(request, None)


@login_required
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request)
    return _save_plan(request, get_object_or_404(CareerPlan.objects.visible_to(request.user), pk=pk))


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = CareerPlan.objects.visible_to(request.user).select_related("instructor", "agreed_by")
    plan = get_object_or_404(qs, pk=pk)
    return render(request, "care/plan_detail.html", {"plan": plan, "progress": selectors.plan_progress(plan)})


# --- Counselling -----------------------------------------------------------------------------------------------------


@login_required
def counselling_home(request: HttpRequest) -> HttpResponse:
    """Instructors book; counsellors see their own bookings; organizers see counts only."""
    instructor = Instructor.objects.filter(user=request.user).select_related("region").first()
    counsellor = selectors.counsellor_of(request.user)
    context = {
        "instructor": instructor,
        "talks": selectors.upcoming_talks(instructor) if instructor else None,
        "bookings": selectors.bookings_of_instructor(instructor) if instructor else None,
        "form": BookingForm(instructor=instructor) if instructor else None,
        "counsellor_bookings": selectors.bookings_of_counsellor(counsellor) if counsellor else None,
        "counts": selectors.counselling_counts(user=request.user) if request.user.can_manage_registry else None,
        "kinds": dict(CounsellingBooking.Kind.choices),
        "statuses": dict(CounsellingBooking.Status.choices),
    }
    return render(request, "care/counselling_home.html", context)


@login_required
@require_POST
def booking_create(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = BookingForm(request.POST, instructor=me)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please choose a counsellor and a time."), code="invalid")
        services.counselling_book(instructor=me, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your booking was sent to the counsellor."))
    return redirect("care:counselling_home")


@login_required
@require_POST
def talk_book(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    talk = get_object_or_404(CounsellingTalk.objects.open_to(me), pk=pk)
    try:
        services.counselling_talk_book(talk=talk, instructor=me)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your place is booked."))
    return redirect("care:counselling_home")


def _booking(request: HttpRequest, pk: int) -> CounsellingBooking:
    """Only the instructor who booked and the counsellor booked: everybody else, admins too, gets 404."""
    qs = CounsellingBooking.objects.select_related("instructor", "counsellor__user", "talk")
    booking = get_object_or_404(qs, pk=pk)
    if request.user.pk not in (booking.instructor.user_id, booking.counsellor.user_id):
        raise Http404
    return booking


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    is_counsellor = request.user.pk == booking.counsellor.user_id
    form = BookingUpdateForm(initial={"note": booking.counsellor_note})
    form.fields["status"].choices = _booking_choices(is_counsellor)
    if not is_counsellor:
        del form.fields["note"]
    return render(
        request, "care/booking_detail.html", {"booking": booking, "form": form, "is_counsellor": is_counsellor}
    )


def _booking_choices(is_counsellor: bool) -> list[tuple[str, str]]:
    statuses = (
        [CounsellingBooking.Status.HELD, CounsellingBooking.Status.CANCELLED]
        if is_counsellor
        else [CounsellingBooking.Status.CANCELLED]
    )
    return [(s.value, s.label) for s in statuses]


@login_required
@require_POST
def booking_update(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    is_counsellor = request.user.pk == booking.counsellor.user_id
    form = BookingUpdateForm(request.POST)
    form.fields["status"].choices = _booking_choices(is_counsellor)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please choose a status."), code="invalid")
        note = form.cleaned_data["note"] if is_counsellor else None
        services.counselling_booking_update(booking=booking, status=form.cleaned_data["status"], note=note)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The booking was updated."))
    return redirect(booking)


# --- Greeting texts ---------------------------------------------------------------------------------------------------


def _require_text_editor(request: HttpRequest) -> None:
    """Greeting texts are shared by the whole pool: admins and city (or higher) organizers edit them."""
    user = request.user
    if not (user.is_admin or (user.is_organizer and user.region.level <= Region.Level.CITY)):
        raise PermissionDenied


@login_required
def greeting_text_list(request: HttpRequest) -> HttpResponse:
    _require_text_editor(request)
    texts = {t.occasion: t for t in GreetingText.objects.select_related("updated_by")}
    rows = [(occasion, texts.get(occasion.value), services.DEFAULT_TEXTS[occasion]) for occasion in Occasion]
    return render(request, "care/greeting_text_list.html", {"rows": rows})


@login_required
def greeting_text_edit(request: HttpRequest, occasion: str) -> HttpResponse:
    _require_text_editor(request)
    if occasion not in Occasion.values:
        raise Http404
    subject, text = services.DEFAULT_TEXTS[Occasion(occasion)]
    instance = GreetingText.objects.filter(occasion=occasion).first()
    form = GreetingTextForm(request.POST or None, instance=instance, initial={"subject": subject, "text": text})
    if request.method == "POST" and form.is_valid():
        try:
            services.greeting_text_save(occasion=occasion, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The greeting text was saved."))
            return redirect("care:greeting_text_list")
    return _form_page(request, form, Occasion(occasion).label)
