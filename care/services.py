"""Every write of the care app. Refusals are ``ValidationError`` with a Chinese message and a ``code``; a refused
call writes nothing (one transaction). Money and seats are taken with conditional UPDATEs, so two approvals at the
same moment can never overspend a fund or overbook a programme; check constraints back that up in the database."""

from __future__ import annotations

import datetime as dt
import logging
import string
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluations.models import Notification, ReviewProposal
from instructors import services as instructor_services
from instructors.models import Instructor, Region, User

from . import festivals, selectors
from .models import (
    Appointment,
    AwardCriterion,
    AwardFund,
    AwardRound,
    CareerGoal,
    CareerPlan,
    CounsellingBooking,
    CounsellingTalk,
    Counsellor,
    Figure,
    FundEntry,
    Greeting,
    GreetingText,
    Honour,
    InternalPost,
    Nomination,
    Occasion,
    PriorityEntry,
    PriorityList,
    StudyApplication,
    StudyProgramme,
)

log = logging.getLogger(__name__)


def _positive(amount: Decimal | None, *, field: str = "amount") -> Decimal:
    if amount is None or amount <= 0:
        raise ValidationError(
            {field: ValidationError(_("The amount must be greater than zero."), code="negative_amount")}
        )
    return amount


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Please give a reason."), code="reason_required")})
    return reason


# --- Award fund -------------------------------------------------------------------------------------------------------


@transaction.atomic
def fund_create(*, region: Region, year: int, name: str, budget: Decimal, by: User | None) -> AwardFund:
    """Open a region's award fund for a year with its budget (the first ledger line)."""
    if budget is None or budget < 0:
        raise ValidationError({"budget": ValidationError(_("The budget cannot be negative."), code="negative_amount")})
    if AwardFund.objects.filter(region=region, year=year).exists():
        raise ValidationError(_("This region already has an award fund for that year."), code="fund_exists")
    try:
        with transaction.atomic():
            fund = AwardFund.objects.create(
                region=region, year=year, name=name, budget=budget, balance=budget, created_by=by
            )
    except IntegrityError:
        raise ValidationError(_("This region already has an award fund for that year."), code="fund_exists") from None
    FundEntry.objects.create(fund=fund, kind=FundEntry.Kind.BUDGET, amount=budget, balance_after=budget, by=by)
    return fund


@transaction.atomic
def fund_add_budget(*, fund: AwardFund, amount: Decimal, by: User | None, note: str = "") -> AwardFund:
    """Raise a fund's budget (and its balance) by a positive amount."""
    _positive(amount)
    AwardFund.objects.filter(pk=fund.pk).update(budget=F("budget") + amount, balance=F("balance") + amount)
    fund.refresh_from_db()
    FundEntry.objects.create(
        fund=fund, kind=FundEntry.Kind.BUDGET, amount=amount, balance_after=fund.balance, note=note[:200], by=by
    )
    return fund


@transaction.atomic
def round_create(
    *,
    fund: AwardFund,
    name: str,
    default_amount: Decimal,
    criteria: list[tuple[str, Decimal]],
    by: User | None,
    description: str = "",
) -> AwardRound:
    """An award round with its rules; at least one rule, one per figure, no negative minimum."""
    _positive(default_amount, field="default_amount")
    rules = [(figure, minimum) for figure, minimum in criteria if figure]
    if not rules:
        raise ValidationError(_("A round needs at least one rule."), code="no_rules")
    if len({figure for figure, _m in rules}) != len(rules):
        raise ValidationError(_("Each figure may appear in only one rule."), code="duplicate_rule")
    if any(minimum is None or minimum < 0 for _f, minimum in rules):
        raise ValidationError(_("A rule's minimum cannot be negative."), code="negative_amount")
    if fund.rounds.filter(name=name).exists():
        raise ValidationError(_("This fund already has a round of that name."), code="round_exists")
    award_round = AwardRound.objects.create(
        fund=fund, name=name, description=description, default_amount=default_amount, created_by=by
    )
    AwardCriterion.objects.bulk_create(
        AwardCriterion(round=award_round, figure=figure, minimum=minimum) for figure, minimum in rules
    )
    return award_round


def _explain(figures: dict[str, Decimal], criteria) -> dict:
    """The figures that decided, as stored on the nomination (shown like a review proposal's)."""
    rules = [
        {
            "figure": c.figure,
            "value": str(figures[c.figure]),
            "minimum": str(c.minimum),
            "met": figures[c.figure] >= c.minimum,
        }
        for c in criteria
    ]
    return {"rules": rules, "all": {key: str(value) for key, value in figures.items()}}


@transaction.atomic
def round_propose(*, award_round: AwardRound) -> int:
    """Propose every in-pool instructor of the fund's region whose figures meet all rules; returns how many.

    Run again, it refreshes undecided nominees (adds new ones, drops those who no longer qualify) and never touches
    a decided one."""
    locked = AwardRound.objects.select_for_update().select_related("fund__region").get(pk=award_round.pk)
    if not locked.can_propose:
        raise ValidationError(_("This round is closed."), code="round_closed")
    criteria = list(locked.criteria.all())
    people = Instructor.objects.in_pool().within(locked.fund.region)
    figures = selectors.year_figures(instructors=people, year=locked.fund.year)
    qualified = {
        pk: _explain(values, criteria)
        for pk, values in figures.items()
        if criteria and all(values[c.figure] >= c.minimum for c in criteria)
    }
    existing = {n.instructor_id: n for n in locked.nominations.all()}
    locked.nominations.filter(status=Nomination.Status.PROPOSED).exclude(instructor_id__in=qualified).delete()
    for pk, explanation in qualified.items():
        nomination = existing.get(pk)
        if nomination is None:
            Nomination.objects.create(round=locked, instructor_id=pk, figures=explanation)
        elif nomination.status == Nomination.Status.PROPOSED:
            Nomination.objects.filter(pk=nomination.pk).update(figures=explanation)
    locked.status = AwardRound.Status.PROPOSED
    locked.proposed_at = timezone.now()
    locked.save(update_fields=["status", "proposed_at"])
    return len(qualified)


@transaction.atomic
def nomination_approve(*, nomination: Nomination, amount: Decimal, by: User, reason: str = "") -> Nomination:
    """Award a nominee: the amount leaves the fund only if the balance covers it (conditional UPDATE)."""
    _positive(amount)
    moved = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.PROPOSED).update(
        status=Nomination.Status.APPROVED, amount=amount, decided_by=by, decided_at=timezone.now(), reason=reason
    )
    if not moved:
        raise ValidationError(_("This nomination has already been decided."), code="already_decided")
    fund_id = AwardRound.objects.filter(pk=nomination.round_id).values_list("fund_id", flat=True).get()
    paid = AwardFund.objects.filter(pk=fund_id, balance__gte=amount).update(balance=F("balance") - amount)
    if not paid:
        raise ValidationError(
            _("The fund's balance does not cover this amount."), code="over_budget"
        )  # the atomic block undoes the status change above
    fund = AwardFund.objects.get(pk=fund_id)
    nomination.refresh_from_db()
    FundEntry.objects.create(
        fund=fund,
        kind=FundEntry.Kind.AWARD,
        amount=-amount,
        balance_after=fund.balance,
        nomination=nomination,
        note=str(nomination.instructor)[:200],
        by=by,
    )
    user_id = Instructor.objects.filter(pk=nomination.instructor_id).values_list("user_id", flat=True).first()
    if user_id:
        Notification.objects.create(
            user_id=user_id,
            text=_("You have received the award “%(round)s”.") % {"round": nomination.round.name},
            link=nomination.instructor.get_absolute_url(),
        )
    return nomination


@transaction.atomic
def nomination_reject(*, nomination: Nomination, by: User, reason: str) -> Nomination:
    """Decide not to award a nominee, with the reason."""
    reason = _need_reason(reason)
    moved = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.PROPOSED).update(
        status=Nomination.Status.REJECTED, decided_by=by, decided_at=timezone.now(), reason=reason
    )
    if not moved:
        raise ValidationError(_("This nomination has already been decided."), code="already_decided")
    nomination.refresh_from_db()
    return nomination


def round_close(*, award_round: AwardRound) -> AwardRound:
    """Close a round: no more proposals; undecided nominees stay as they are."""
    AwardRound.objects.filter(pk=award_round.pk).update(status=AwardRound.Status.CLOSED)
    award_round.refresh_from_db()
    return award_round


# --- Honours and priority lists ---------------------------------------------------------------------------------------


def honour_record(
    *, instructor: Instructor, title: str, level: str, conferred_by: str, conferred_on: dt.date, by: User | None
) -> Honour:
    """Record an honour on the dossier (once per title and date)."""
    if conferred_on > timezone.localdate():
        raise ValidationError(_("An honour cannot be conferred in the future."), code="future_date")
    try:
        with transaction.atomic():
            return Honour.objects.create(
                instructor=instructor,
                title=title,
                level=level,
                conferred_by=conferred_by,
                conferred_on=conferred_on,
                recorded_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("This honour is already recorded."), code="honour_exists") from None


HONOUR_POINTS = {"national": 20, "provincial": 15, "city": 10, "county": 5}


def _priority_reasons(*, region: Region, year: int, kind: str) -> dict[int, list[tuple[Decimal, str]]]:
    """Points and the reason for each, per instructor, from awards, honours, results and (for titles) study."""
    people = Instructor.objects.in_pool().within(region)
    reasons: dict[int, list[tuple[Decimal, str]]] = {}

    def add(pk: int, points: int | Decimal, text: str) -> None:
        reasons.setdefault(pk, []).append((Decimal(points), text))

    for pk, name in Nomination.objects.filter(
        instructor__in=people, status=Nomination.Status.APPROVED, round__fund__year=year
    ).values_list("instructor_id", "round__name"):
        add(pk, 10, _("Award “%(name)s” %(year)s") % {"name": name, "year": year})
    for pk, title, level in Honour.objects.filter(instructor__in=people, conferred_on__year=year).values_list(
        "instructor_id", "title", "level"
    ):
        add(
            pk,
            HONOUR_POINTS[level],
            _("Honour “%(title)s” (%(level)s)") % {"title": title, "level": Honour.Level(level).label},
        )
    for pk in (
        ReviewProposal.objects.filter(
            instructor__in=people, cycle__period_end__year=year, status=ReviewProposal.Status.APPROVED
        )
        .filter(decision=ReviewProposal.Outcome.EXCELLENT)
        .values_list("instructor_id", flat=True)
    ):
        add(pk, 6, _("Rated excellent in the %(year)s review") % {"year": year})
    figures = selectors.year_figures(instructors=people, year=year)
    for pk, values in figures.items():
        if values[Figure.TOP_TEN]:
            add(
                pk, 8 * values[Figure.TOP_TEN], _("%(n)s top-ten competition course(s)") % {"n": values[Figure.TOP_TEN]}
            )
        if values[Figure.PREMIUM]:
            add(
                pk,
                4 * values[Figure.PREMIUM],
                _("%(n)s course(s) in the premium library") % {"n": values[Figure.PREMIUM]},
            )
        if values[Figure.QUALITY] >= 90:
            add(pk, 5, _("Quality score Q %(q)s ≥ 90") % {"q": values[Figure.QUALITY]})
        if kind == PriorityList.Kind.TITLE and values[Figure.CREDITS]:
            add(pk, values[Figure.CREDITS], _("%(n)s further-study credits") % {"n": values[Figure.CREDITS]})
    if kind == PriorityList.Kind.TITLE:
        for pk, post in (
            Appointment.objects.filter(instructor__in=people, starts_on__year__lte=year)
            .exclude(ended_on__year__lt=year)
            .values_list("instructor_id", "post__name")
        ):
            add(pk, 3, _("Holds the post “%(post)s”") % {"post": post})
    return reasons


@transaction.atomic
def priority_list_generate(*, region: Region, year: int, kind: str, by: User | None) -> PriorityList:
    """(Re)build a region's yearly priority list: everyone with points, ranked, each with the reasons."""
    if kind not in PriorityList.Kind.values:
        raise ValidationError(_("Unknown list."), code="unknown_kind")
    priority_list, _created = PriorityList.objects.get_or_create(region=region, year=year, kind=kind)
    priority_list = PriorityList.objects.select_for_update().get(pk=priority_list.pk)
    # The reasons are stored text: written in the portal's language, whatever language the requester reads.
    with translation.override(settings.LANGUAGE_CODE):
        reasons = _priority_reasons(region=region, year=year, kind=kind)
    names = dict(Instructor.objects.filter(pk__in=reasons).values_list("pk", "pinyin"))
    ordered = sorted(reasons.items(), key=lambda item: (-sum(p for p, _t in item[1]), names.get(item[0], ""), item[0]))
    priority_list.entries.all().delete()
    PriorityEntry.objects.bulk_create(
        PriorityEntry(
            priority_list=priority_list,
            instructor_id=pk,
            rank=rank,
            points=sum(p for p, _t in items),
            reasons=[f"{text} (+{points.normalize():f})" for points, text in items],
        )
        for rank, (pk, items) in enumerate(ordered, start=1)
    )
    priority_list.generated_by = by
    priority_list.generated_at = timezone.now()
    priority_list.save(update_fields=["generated_by", "generated_at"])
    return priority_list


# --- Further study ---------------------------------------------------------------------------------------------------


def study_eligibility(*, programme: StudyProgramme, instructor: Instructor) -> list[ValidationError]:
    """The rules of the programme this instructor does not meet (empty: eligible)."""
    problems = []
    if not instructor.can_teach:
        problems.append(ValidationError(_("Only instructors in the pool may apply."), code="not_in_pool"))
    if programme.min_quality is not None:
        quality = selectors.latest_quality(instructor)
        if quality is None or quality < programme.min_quality:
            problems.append(
                ValidationError(
                    _("This programme requires a quality score Q of at least %(q)s.") % {"q": programme.min_quality},
                    code="not_eligible_quality",
                )
            )
    if programme.min_years_in_pool:
        years = selectors.years_in_pool(instructor)
        if years is None or years < programme.min_years_in_pool:
            problems.append(
                ValidationError(
                    _("This programme requires at least %(n)s years in the pool.") % {"n": programme.min_years_in_pool},
                    code="not_eligible_years",
                )
            )
    return problems


def study_apply(*, programme: StudyProgramme, instructor: Instructor, motivation: str) -> StudyApplication:
    """Apply to a programme: once per instructor (a second click is refused), only when open and eligible."""
    if not programme.is_open():
        raise ValidationError(_("Applications for this programme are closed."), code="applications_closed")
    if not (motivation or "").strip():
        raise ValidationError(
            {"motivation": ValidationError(_("Please say why you want to take part."), code="motivation_required")}
        )
    problems = study_eligibility(programme=programme, instructor=instructor)
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            return StudyApplication.objects.create(programme=programme, instructor=instructor, motivation=motivation)
    except IntegrityError:
        raise ValidationError(_("You have already applied to this programme."), code="duplicate_application") from None


@transaction.atomic
def study_application_decide(
    *, application: StudyApplication, approve: bool, by: User, reason: str = ""
) -> StudyApplication:
    """Approve (a seat is taken only while seats are left) or reject (with a reason) an application."""
    if not approve:
        reason = _need_reason(reason)
    status = StudyApplication.Status.APPROVED if approve else StudyApplication.Status.REJECTED
    moved = StudyApplication.objects.filter(pk=application.pk, status=StudyApplication.Status.APPLIED).update(
        status=status, decided_by=by, decided_at=timezone.now(), reason=reason
    )
    if not moved:
        raise ValidationError(_("This application has already been decided."), code="already_decided")
    if approve:
        taken = StudyProgramme.objects.filter(pk=application.programme_id, approved_count__lt=F("seats")).update(
            approved_count=F("approved_count") + 1
        )
        if not taken:
            raise ValidationError(_("All seats of this programme are taken."), code="no_seats_left")
    application.refresh_from_db()
    return application


@transaction.atomic
def study_application_complete(
    *, application: StudyApplication, completed_on: dt.date, credits: Decimal, certificate_no: str, by: User
) -> StudyApplication:
    """Record completion with credits and the certificate number; shown on the dossier."""
    if credits is None or credits < 0:
        raise ValidationError({"credits": ValidationError(_("Credits cannot be negative."), code="negative_amount")})
    if credits > application.programme.credits:
        raise ValidationError(
            {"credits": ValidationError(_("More credits than the programme gives."), code="too_many_credits")}
        )
    if completed_on > timezone.localdate():
        raise ValidationError(_("Completion cannot be in the future."), code="future_date")
    moved = StudyApplication.objects.filter(pk=application.pk, status=StudyApplication.Status.APPROVED).update(
        status=StudyApplication.Status.COMPLETED,
        completed_on=completed_on,
        credits=credits,
        certificate_no=certificate_no.strip(),
    )
    if not moved:
        raise ValidationError(_("Only an approved application can be completed."), code="not_approved")
    application.refresh_from_db()
    return application


# --- Internal posts ---------------------------------------------------------------------------------------------------


@transaction.atomic
def appointment_make(*, post: InternalPost, instructor: Instructor, starts_on: dt.date, by: User | None) -> Appointment:
    """Appoint someone to a post for its term; a group-leader post makes them the group's recorded leader."""
    InternalPost.objects.select_for_update().get(pk=post.pk)
    if not instructor.can_teach:
        raise ValidationError(_("Only instructors in the pool can be appointed."), code="not_in_pool")
    if post.appointments.filter(ended_on__isnull=True).exists():
        raise ValidationError(_("This post is held; end the current term first."), code="post_taken")
    try:
        term_ends_on = starts_on.replace(year=starts_on.year + post.term_years)
    except ValueError:  # 29 February
        term_ends_on = starts_on.replace(year=starts_on.year + post.term_years, day=28)
    appointment = Appointment.objects.create(
        post=post, instructor=instructor, starts_on=starts_on, term_ends_on=term_ends_on, appointed_by=by
    )
    if post.group_id:
        instructor_services.teaching_group_set_leader(group=post.group, leader=instructor)
    return appointment


@transaction.atomic
def appointment_end(*, appointment: Appointment, ended_on: dt.date, reason: str, by: User | None) -> Appointment:
    """End a term (expired, resigned, removed); the group's leader is cleared if it was this appointee."""
    reason = _need_reason(reason)
    if ended_on < appointment.starts_on:
        raise ValidationError(_("A term cannot end before it starts."), code="end_before_start")
    moved = Appointment.objects.filter(pk=appointment.pk, ended_on__isnull=True).update(
        ended_on=ended_on, end_reason=reason[:200], ended_by=by
    )
    if not moved:
        raise ValidationError(_("This term has already ended."), code="already_ended")
    appointment.refresh_from_db()
    group = appointment.post.group
    if group is not None and group.leader_id == appointment.instructor_id:
        instructor_services.teaching_group_set_leader(group=group, leader=None)
    return appointment


# --- Career plans -----------------------------------------------------------------------------------------------------


@transaction.atomic
def career_plan_save(
    *, instructor: Instructor, year: int, direction: str, goals: list[dict], by: User | None
) -> CareerPlan:
    """Create or replace an instructor's plan for a year with its goals (one per figure, positive targets)."""
    goals = [g for g in goals if g.get("figure")]
    if len({g["figure"] for g in goals}) != len(goals):
        raise ValidationError(_("Each figure may appear in only one goal."), code="duplicate_goal")
    if any(g.get("target") is None or g["target"] <= 0 for g in goals):
        raise ValidationError(_("A goal's target must be greater than zero."), code="negative_amount")
    plan, _created = CareerPlan.objects.update_or_create(
        instructor=instructor, year=year, defaults={"direction": direction, "agreed_by": by}
    )
    plan.goals.all().delete()
    CareerGoal.objects.bulk_create(
        CareerGoal(plan=plan, figure=g["figure"], target=g["target"], note=g.get("note", "")) for g in goals
    )
    return plan


# --- Counselling ------------------------------------------------------------------------------------------------------


def counselling_book(
    *, instructor: Instructor, counsellor: Counsellor, wanted_at: dt.datetime, concern: str
) -> CounsellingBooking:
    """Book a one-to-one session with a counsellor at a preferred time."""
    if not counsellor.active:
        raise ValidationError(_("This counsellor is not taking bookings."), code="counsellor_unavailable")
    if wanted_at <= timezone.now():
        raise ValidationError(_("Please choose a time in the future."), code="time_in_past")
    return CounsellingBooking.objects.create(
        kind=CounsellingBooking.Kind.ONE_TO_ONE,
        instructor=instructor,
        counsellor=counsellor,
        wanted_at=wanted_at,
        concern=concern,
    )


@transaction.atomic
def counselling_talk_book(*, talk: CounsellingTalk, instructor: Instructor) -> CounsellingBooking:
    """Take a place at a talk: once per person, never beyond its places (the talk row is locked)."""
    talk = CounsellingTalk.objects.select_for_update().get(pk=talk.pk)
    if talk.starts_at <= timezone.now():
        raise ValidationError(_("This talk has already taken place."), code="time_in_past")
    if talk.bookings.filter(instructor=instructor).exists():
        raise ValidationError(_("You already have a place at this talk."), code="duplicate_booking")
    if talk.bookings.exclude(status=CounsellingBooking.Status.CANCELLED).count() >= talk.capacity:
        raise ValidationError(_("This talk is full."), code="talk_full")
    return CounsellingBooking.objects.create(
        kind=CounsellingBooking.Kind.TALK,
        instructor=instructor,
        counsellor_id=talk.counsellor_id,
        talk=talk,
        wanted_at=talk.starts_at,
    )


def counselling_booking_update(
    *, booking: CounsellingBooking, status: str, note: str | None = None
) -> CounsellingBooking:
    """The instructor cancels; the counsellor marks a session held and keeps a note."""
    if booking.status != CounsellingBooking.Status.BOOKED:
        raise ValidationError(_("This booking is no longer open."), code="booking_closed")
    booking.status = status
    fields = ["status"]
    if note is not None:
        booking.counsellor_note = note
        fields.append("counsellor_note")
    booking.save(update_fields=fields)
    return booking


# --- Festival greetings -----------------------------------------------------------------------------------------------

PLACEHOLDERS = {"name", "years"}


def greeting_text_save(*, occasion: str, subject: str, text: str, by: User | None) -> GreetingText:
    """Organizers edit a greeting; only the {name} and {years} placeholders are allowed."""
    try:
        used = {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}
    except ValueError:
        used = {"?"}
    if used - PLACEHOLDERS:
        raise ValidationError(
            {"text": ValidationError(_("Only {name} and {years} may be used in braces."), code="bad_placeholder")}
        )
    greeting, _created = GreetingText.objects.update_or_create(
        occasion=occasion, defaults={"subject": subject, "text": text, "updated_by": by}
    )
    return greeting


DEFAULT_TEXTS = {
    Occasion.TEACHERS_DAY: ("教师节快乐", "{name}老师：教师节快乐！感谢您在党员教育讲台上的辛勤付出。"),
    Occasion.JULY_FIRST: ("七一问候", "{name}同志：值此中国共产党成立纪念日，向您致以节日的问候！"),
    Occasion.SPRING_FESTIVAL: ("新春快乐", "{name}老师：新春佳节，祝您和家人身体健康、万事如意！"),
    Occasion.MID_AUTUMN: ("中秋快乐", "{name}老师：月圆人团圆，祝您中秋快乐、阖家幸福！"),
    Occasion.ANNIVERSARY: ("入库纪念日", "{name}老师：今天是您加入师资库{years}周年，感谢您一路相伴！"),
}


def _text_for(occasion: str) -> tuple[str, str]:
    row = GreetingText.objects.filter(occasion=occasion).values_list("subject", "text").first()
    return row or DEFAULT_TEXTS[Occasion(occasion)]


def greetings_send(*, today: dt.date) -> int:
    """Send today's greetings once: a Greeting row per person, occasion and year (unique), then the message."""
    sent = 0
    recipients = Instructor.objects.in_pool().filter(user__isnull=False, user__is_active=True).select_related("user")
    for occasion in festivals.occasions_on(today):
        subject, text = _text_for(occasion)
        for person in recipients:
            sent += _greet(person, occasion, today, subject, _fill(text, name=person.name, years=""))
    for person in recipients.filter(joined_on__isnull=False, joined_on__lt=today):
        if festivals.is_anniversary(person.joined_on, today):
            subject, text = _text_for(Occasion.ANNIVERSARY)
            years = today.year - person.joined_on.year
            sent += _greet(person, Occasion.ANNIVERSARY, today, subject, _fill(text, name=person.name, years=years))
    return sent


def _fill(text: str, **values) -> str:
    """The text with its placeholders filled; a text edited in the admin with stray braces is sent as written."""
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def _greet(person: Instructor, occasion: str, today: dt.date, subject: str, text: str) -> int:
    try:
        with transaction.atomic():
            greeting = Greeting.objects.create(
                instructor=person, occasion=occasion, year=today.year, sent_on=today, text=text
            )
            Notification.objects.create(user=person.user, text=text)
    except IntegrityError:
        return 0  # sent earlier (a second run, or a concurrent one)
    if person.user.email:
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [person.user.email])
        except OSError:
            log.warning("greeting e-mail to instructor %s failed; the in-portal message was delivered", person.pk)
        else:
            Greeting.objects.filter(pk=greeting.pk).update(emailed=True)
    return 1
