"""以情聚心 (care and career): what the pool gives back to the instructors it wants to keep.

Award funds and rounds (专项奖励基金), honours and the yearly priority lists (评优评先、职称评定优先), further study
(进修深造), internal posts (内部晋升), career plans (职业发展规划), counselling (心理关爱) and festival greetings
(节日慰问). The top floor: it reads the registry, courses, outreach and evaluations and changes them only through
their services; nothing below imports it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import below_q
from instructors.models import Instructor, Region, TeachingGroup, User


class RegionScopedQuerySet(models.QuerySet):
    """Rows owned by a region: admins see all, organizers their region and below, nobody else anything."""

    def managed_by(self, user: User) -> RegionScopedQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(below_q("region", user.region))
        return self.none()

    def open_to(self, instructor: Instructor) -> RegionScopedQuerySet:
        """Rows of the instructor's region or any region above it (a city's programme is open to its counties)."""
        return self.filter(region__code__in=instructor.region.lineage_codes)


class Figure(models.TextChoices):
    """The yearly figures a rule or a goal can be stated over (see selectors.year_figures)."""

    QUALITY = "quality", _("Quality score Q")
    SATISFACTION = "satisfaction", _("Satisfaction rate (%)")
    LECTURES = "lectures", _("Lectures delivered")
    HOURS = "hours", _("Teaching hours")
    PREMIUM = "premium", _("Courses in the premium library")
    TOP_TEN = "top_ten", _("Top-ten competition courses")
    INNOVATION = "innovation", _("New courses in innovative formats")
    CREDITS = "credits", _("Further-study credits")


# --- Award fund ----------------------------------------------------------------------------------------------------


class AwardFund(models.Model):
    """专项奖励基金: one region's award money for one year. The balance is checked by the database, never below 0."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="award_funds", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=80)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2)
    # Written only by services with a conditional UPDATE; the check constraint is the last line of defence.
    balance = models.DecimalField(_("balance (yuan)"), max_digits=12, decimal_places=2, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("award fund")
        verbose_name_plural = _("award funds")
        ordering = ["-year", "region__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="care_one_fund_per_region_year",
                violation_error_message=_("This region already has an award fund for that year."),
                violation_error_code="fund_exists",
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="care_fund_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="care_fund_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
                violation_error_code="negative_amount",
            ),
            models.CheckConstraint(condition=Q(balance__lte=F("budget")), name="care_fund_balance_within_budget"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("care:fund_detail", args=[self.pk])

    @property
    def spent(self) -> Decimal:
        return self.budget - self.balance


class FundEntry(models.Model):
    """One line of a fund's ledger: the budget set, an award paid, an award withdrawn. Never edited."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        AWARD = "award", _("Award")
        REVERSAL = "reversal", _("Award withdrawn")

    fund = models.ForeignKey(AwardFund, on_delete=models.CASCADE, related_name="entries", verbose_name=_("fund"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(_("balance after"), max_digits=12, decimal_places=2)
    nomination = models.ForeignKey(
        "Nomination", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("award")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("fund ledger entry")
        verbose_name_plural = _("fund ledger entries")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.fund} {self.get_kind_display()} {self.amount}"


class AwardRound(models.Model):
    """An award round (年度优秀师资, 课程创新奖 …) paid from a fund, with rules that propose nominees."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Rules being set")
        PROPOSED = "proposed", _("Nominees proposed")
        CLOSED = "closed", _("Closed")

    fund = models.ForeignKey(AwardFund, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("fund"))
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    default_amount = models.DecimalField(_("default amount (yuan)"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("award round")
        verbose_name_plural = _("award rounds")
        ordering = ["fund", "name"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "name"], name="care_round_name_unique_in_fund"),
            models.CheckConstraint(condition=Q(default_amount__gt=0), name="care_round_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.fund.year} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("care:round_detail", args=[self.pk])

    @property
    def can_propose(self) -> bool:
        return self.status != self.Status.CLOSED


class AwardCriterion(models.Model):
    """One rule of a round: the figure must reach the minimum in the fund's year. All rules of a round must hold."""

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("round"))
    figure = models.CharField(_("figure"), max_length=12, choices=Figure.choices)
    minimum = models.DecimalField(_("at least"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "figure"], name="care_one_rule_per_figure"),
            models.CheckConstraint(condition=Q(minimum__gte=0), name="care_rule_minimum_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()} ≥ {self.minimum}"


class NominationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NominationQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(below_q("round__fund__region", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(instructor__user=user, status=Nomination.Status.APPROVED)
        return self.none()


class Nomination(models.Model):
    """A nominee of a round, the figures that qualified them, and the organizer's decision with the amount."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Awarded")
        REJECTED = "rejected", _("Not awarded")

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("round"))
    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="award_nominations", verbose_name=_("instructor")
    )
    figures = models.JSONField(_("figures"), default=dict)
    status = models.CharField(_("decision"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("award nomination")
        verbose_name_plural = _("award nominations")
        ordering = ["round", "instructor__pinyin", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "instructor"], name="care_one_nomination_per_round"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="care_nomination_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.instructor}"

    @property
    def can_decide(self) -> bool:
        return self.status == self.Status.PROPOSED


# --- Honours and priority lists ------------------------------------------------------------------------------------


class HonourQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> HonourQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(below_q("instructor__region", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(instructor__user=user)
        return self.none()


class Honour(models.Model):
    """An honour conferred on an instructor (优秀党员教育师资, 先进个人 …), recorded on the dossier."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="honours", verbose_name=_("instructor")
    )
    title = models.CharField(_("honour"), max_length=80)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    conferred_by = models.CharField(_("conferred by"), max_length=80)
    conferred_on = models.DateField(_("conferred on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = HonourQuerySet.as_manager()

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-conferred_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["instructor", "title", "conferred_on"],
                name="care_honour_recorded_once",
                violation_error_message=_("This honour is already recorded."),
                violation_error_code="honour_exists",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor}: {self.title}"


class PriorityList(models.Model):
    """A yearly priority list of a region for title evaluation or commendations, generated with reasons."""

    class Kind(models.TextChoices):
        TITLE = "title", _("Title evaluation (职称评定)")
        COMMENDATION = "commendation", _("Commendations (评优评先)")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="priority_lists", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("priority list")
        verbose_name_plural = _("priority lists")
        ordering = ["-year", "region__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "kind"], name="care_one_priority_list")]

    def __str__(self) -> str:
        return f"{self.region} {self.year} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("care:priority_detail", args=[self.pk])


class PriorityEntry(models.Model):
    """One person on a priority list: rank, points and why they are there."""

    priority_list = models.ForeignKey(PriorityList, on_delete=models.CASCADE, related_name="entries")
    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="priority_entries")
    rank = models.PositiveIntegerField(_("rank"))
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("priority list entry")
        verbose_name_plural = _("priority list entries")
        ordering = ["priority_list", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["priority_list", "instructor"], name="care_priority_once_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.instructor}"


# --- Further study --------------------------------------------------------------------------------------------------


class StudyProgramme(models.Model):
    """进修深造: a further-study programme with seats and stated eligibility rules."""

    class Kind(models.TextChoices):
        GRADUATE = "graduate", _("Part-time graduate study")
        ADVANCED = "advanced", _("Advanced seminar")
        PARTNER = "partner", _("Partner college programme")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="study_programmes", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    partner = models.CharField(_("partner college"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    seats = models.PositiveIntegerField(_("seats"))
    # Counted by the approving service with a conditional UPDATE; the check constraint refuses an overbooking.
    approved_count = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    credits = models.DecimalField(_("credits on completion"), max_digits=5, decimal_places=1, default=0)
    apply_until = models.DateField(_("applications until"))
    min_quality = models.DecimalField(
        _("minimum quality score Q"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    min_years_in_pool = models.PositiveSmallIntegerField(_("minimum years in the pool"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("study programme")
        verbose_name_plural = _("study programmes")
        ordering = ["-year", "apply_until", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gt=0),
                name="care_programme_has_seats",
                violation_error_message=_("A programme needs at least one seat."),
                violation_error_code="no_seats",
            ),
            models.CheckConstraint(condition=Q(approved_count__lte=F("seats")), name="care_programme_within_seats"),
            models.UniqueConstraint(
                fields=["region", "year", "name"],
                name="care_programme_name_unique",
                violation_error_message=_("This region already has a programme of that name this year."),
                violation_error_code="programme_exists",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("care:programme_detail", args=[self.pk])

    @property
    def seats_left(self) -> int:
        return self.seats - self.approved_count

    def is_open(self, today=None) -> bool:
        return (today or timezone.localdate()) <= self.apply_until


class StudyApplication(models.Model):
    """An instructor's application to a programme: applied → approved → completed (or rejected / withdrawn)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        COMPLETED = "completed", _("Completed")

    programme = models.ForeignKey(
        StudyProgramme, on_delete=models.CASCADE, related_name="applications", verbose_name=_("programme")
    )
    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="study_applications", verbose_name=_("instructor")
    )
    motivation = models.TextField(_("motivation"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    credits = models.DecimalField(_("credits earned"), max_digits=5, decimal_places=1, null=True, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("study application")
        verbose_name_plural = _("study applications")
        ordering = ["programme", "applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "instructor"], name="care_one_application_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.instructor} → {self.programme}"


# --- Internal posts ---------------------------------------------------------------------------------------------------


class InternalPost(models.Model):
    """An internal post (教研组组长, 课程研发项目主管 …) with its term. A group-leader post names its group."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="internal_posts", verbose_name=_("region")
    )
    name = models.CharField(_("post"), max_length=80)
    group = models.OneToOneField(
        TeachingGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leader_post",
        verbose_name=_("teaching-research group led"),
        help_text=_("Set for a 教研组组长 post: the appointee becomes the group's leader."),
    )
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=3)
    duties = models.TextField(_("duties"), blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("internal post")
        verbose_name_plural = _("internal posts")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="care_post_name_unique",
                violation_error_message=_("This region already has a post of that name."),
                violation_error_code="post_exists",
            ),
            models.CheckConstraint(
                condition=Q(term_years__gt=0),
                name="care_post_term_positive",
                violation_error_message=_("A term lasts at least one year."),
                violation_error_code="term_too_short",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    """An appointment to a post for a term; ending it records when and why. One holder at a time per post."""

    post = models.ForeignKey(
        InternalPost, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("post")
    )
    instructor = models.ForeignKey(
        Instructor, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("instructor")
    )
    starts_on = models.DateField(_("term starts"))
    term_ends_on = models.DateField(_("term ends"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["post", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(ended_on__isnull=True), name="care_one_holder_per_post"
            ),
            models.CheckConstraint(condition=Q(term_ends_on__gt=F("starts_on")), name="care_term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.post}: {self.instructor}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


# --- Career plans -----------------------------------------------------------------------------------------------------


class CareerPlanQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CareerPlanQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.is_organizer:
            return self.filter(below_q("instructor__region", user.region))
        if user.role == User.Role.INSTRUCTOR:
            return self.filter(instructor__user=user)
        return self.none()


class CareerPlan(models.Model):
    """职业发展规划: an instructor's goals for one year, agreed with the organizer."""

    instructor = models.ForeignKey(
        Instructor, on_delete=models.CASCADE, related_name="career_plans", verbose_name=_("instructor")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    direction = models.TextField(_("development direction"), blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_on = models.DateField(_("agreed on"), default=timezone.localdate)

    objects = CareerPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("career plan")
        verbose_name_plural = _("career plans")
        ordering = ["-year", "instructor__pinyin", "pk"]
        constraints = [models.UniqueConstraint(fields=["instructor", "year"], name="care_one_plan_per_year")]

    def __str__(self) -> str:
        return f"{self.instructor} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("care:plan_detail", args=[self.pk])


class CareerGoal(models.Model):
    """One goal of a plan: a figure to reach, whose progress the system reads from the figures it already has."""

    plan = models.ForeignKey(CareerPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan"))
    figure = models.CharField(_("figure"), max_length=12, choices=Figure.choices)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("career goal")
        verbose_name_plural = _("career goals")
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "figure"], name="care_one_goal_per_figure"),
            models.CheckConstraint(condition=Q(target__gt=0), name="care_goal_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()} {self.target}"


# --- Counselling ------------------------------------------------------------------------------------------------------


class Counsellor(models.Model):
    """A user assigned as counsellor (心理关爱): only they and the instructor see a booking's details."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="counsellor", verbose_name=_("account")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="counsellors", verbose_name=_("region"))
    introduction = models.TextField(_("introduction"), blank=True)
    active = models.BooleanField(_("taking bookings"), default=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("counsellor")
        verbose_name_plural = _("counsellors")
        ordering = ["region__path", "pk"]

    def __str__(self) -> str:
        return str(self.user)


class CounsellingTalk(models.Model):
    """A group talk (心理健康讲座) instructors book a place at."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="counselling_talks")
    counsellor = models.ForeignKey(
        Counsellor, on_delete=models.PROTECT, related_name="talks", verbose_name=_("counsellor")
    )
    title = models.CharField(_("title"), max_length=100)
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place"), max_length=100)
    capacity = models.PositiveIntegerField(_("places"))

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("counselling talk")
        verbose_name_plural = _("counselling talks")
        ordering = ["starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gt=0), name="care_talk_has_places")]

    def __str__(self) -> str:
        return self.title


class CounsellingBooking(models.Model):
    """A booking by an instructor: a place at a talk, or a one-to-one session with a counsellor.

    Confidential: the instructor and the counsellor see the details; organizers see counts only; nothing here is
    read by reviews, exports or any other app.
    """

    class Kind(models.TextChoices):
        TALK = "talk", _("Talk")
        ONE_TO_ONE = "one_to_one", _("One-to-one session")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="counselling_bookings")
    counsellor = models.ForeignKey(Counsellor, on_delete=models.PROTECT, related_name="bookings")
    talk = models.ForeignKey(CounsellingTalk, on_delete=models.CASCADE, null=True, blank=True, related_name="bookings")
    wanted_at = models.DateTimeField(_("preferred time"))
    concern = models.TextField(_("what you would like to talk about"), blank=True, max_length=2000)
    counsellor_note = models.TextField(_("counsellor's note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("counselling booking")
        verbose_name_plural = _("counselling bookings")
        ordering = ["wanted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["talk", "instructor"], name="care_one_place_per_talk"),
            models.CheckConstraint(
                condition=(Q(kind="talk") & Q(talk__isnull=False)) | (Q(kind="one_to_one") & Q(talk__isnull=True)),
                name="care_booking_kind_matches_talk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("care:booking_detail", args=[self.pk])


# --- Festival greetings -----------------------------------------------------------------------------------------------


class Occasion(models.TextChoices):
    TEACHERS_DAY = "teachers_day", _("Teachers' Day (Sep 10)")
    JULY_FIRST = "july_first", _("Party founding day (July 1)")
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    ANNIVERSARY = "anniversary", _("Anniversary of joining the pool")


class GreetingText(models.Model):
    """The text sent on an occasion, edited by organizers; {name} and {years} are filled in per person."""

    occasion = models.CharField(_("occasion"), max_length=16, choices=Occasion.choices, unique=True)
    subject = models.CharField(_("subject"), max_length=80)
    text = models.TextField(_("text"), max_length=1000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("greeting text")
        verbose_name_plural = _("greeting texts")
        ordering = ["occasion"]

    def __str__(self) -> str:
        return self.get_occasion_display()


class Greeting(models.Model):
    """A greeting sent to one instructor on one occasion of one year: the unique key makes a second run send none."""

    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="greetings")
    occasion = models.CharField(_("occasion"), max_length=16, choices=Occasion.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sent_on = models.DateField(_("sent on"))
    text = models.TextField(_("text"))
    emailed = models.BooleanField(_("e-mailed"), default=False)

    class Meta:
        verbose_name = _("greeting sent")
        verbose_name_plural = _("greetings sent")
        ordering = ["-sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instructor", "occasion", "year"], name="care_one_greeting_per_occasion")
        ]

    def __str__(self) -> str:
        return f"{self.instructor} {self.get_occasion_display()} {self.year}"
