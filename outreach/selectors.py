"""Reads that feed outreach's pages. Joins, prefetches and every figure (SQL aggregates) are decided here, once."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import CalendarEntry
from core.filters import apply_filters
from core.scope import below_q, lineage_q
from courses.models import Course
from instructors.models import Instructor, InstructorYearFigures, Region, User

from .models import (
    Campaign,
    CourseRequest,
    Lecture,
    Organization,
    PlayLog,
    Station,
    travel_buffer,
)

# Which instructor tiers suit which kind of host: agencies and schools get provincial and municipal speakers,
# villages and communities the county's own instructors who know local conditions.
VENUE_TIERS: dict[str, tuple[str, ...]] = {
    Organization.Type.AGENCY: (Instructor.Tier.PROVINCIAL, Instructor.Tier.MUNICIPAL),
    Organization.Type.SCHOOL: (Instructor.Tier.PROVINCIAL, Instructor.Tier.MUNICIPAL),
    Organization.Type.PARK: (Instructor.Tier.MUNICIPAL, Instructor.Tier.COUNTY),
    Organization.Type.ENTERPRISE: (Instructor.Tier.MUNICIPAL, Instructor.Tier.COUNTY),
    Organization.Type.VILLAGE: (Instructor.Tier.COUNTY,),
    Organization.Type.COMMUNITY: (Instructor.Tier.COUNTY, Instructor.Tier.MUNICIPAL),
    Organization.Type.OTHER: (Instructor.Tier.MUNICIPAL, Instructor.Tier.COUNTY),
}


def _sql_sum(column: str) -> Func:
    """SUM() that Django does not see as an aggregate, for a one-value subquery without GROUP BY."""
    return Func(F(column), function="SUM")


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return timezone.make_aware(dt.datetime(year, 1, 1)), timezone.make_aware(dt.datetime(year + 1, 1, 1))


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + (month == 12), month % 12 + 1, 1))
    return start, end


# --- Regions a user may pick ------------------------------------------------------------------------------------


def scope_regions(user: User) -> QuerySet[Region]:
    """Regions a user may report on: their own and below, down to county level."""
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    if user.is_admin:
        return qs
    if user.is_organizer:
        return qs.within(user.region)
    return qs.none()


def counties_for(user: User) -> QuerySet[Region]:
    return scope_regions(user).filter(level=Region.Level.COUNTY)


# --- Organizations, campaigns, requests ---------------------------------------------------------------------------


def organization_list(*, user: User, filters: dict | None = None) -> QuerySet[Organization]:
    filters = filters or {}
    qs = Organization.objects.visible_to(user).select_related("region", "county")
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(contact_name__icontains=filters["q"]))
    qs = apply_filters(qs, filters, {"type": "type", "county": "county"})
    return qs.order_by("county__path", "name", "pk")


def _counties_within(region: Region) -> QuerySet[Region]:
    """Counties in a region, as a subquery: lets the database use the lecture's (county, start) index instead of
    joining every lecture to its region to compare paths."""
    return Region.objects.filter(level=Region.Level.COUNTY, path__startswith=region.path).values("pk")


def _lecture_scope(user: User, prefix: str = "") -> Q:
    """Q restricting lectures (reached through ``prefix``) to what the user may see."""
    if user.is_admin:
        return Q()
    if user.is_organizer:
        return Q(**{f"{prefix}county__in": _counties_within(user.region)})
    if user.role == User.Role.INSTRUCTOR:
        return Q(**{f"{prefix}instructor__user": user})
    return Q(pk__in=[])


def campaign_list(*, user: User) -> QuerySet[Campaign]:
    """Campaigns with their progress within the user's scope: lectures, organizations and members reached.

    Each figure is a subquery per campaign (a handful of campaigns), so no join multiplies the lecture rows.
    """
    done = (
        Lecture.objects.delivered().filter(_lecture_scope(user), campaign=OuterRef("pk")).order_by().values("campaign")
    )
    reached = Lecture.objects.delivered().filter(_lecture_scope(user), campaign=OuterRef(OuterRef("pk")))
    members = (
        Organization.objects.filter(pk__in=reached.values("organization_id"))
        .order_by()
        .annotate(total=_sql_sum("member_count"))
        .values("total")
    )
    return (
        Campaign.objects.visible_to(user)
        .select_related("region")
        .annotate(
            lectures_done=Coalesce(Subquery(done.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0),
            organizations_reached=Coalesce(
                Subquery(
                    done.annotate(n=Count("organization", distinct=True)).values("n"), output_field=IntegerField()
                ),
                0,
            ),
            members_reached=Coalesce(Subquery(members, output_field=IntegerField()), 0),
        )
        .order_by("-starts_on", "name")
    )


def campaign_detail(*, user: User, pk: int) -> Campaign:
    return campaign_list(user=user).prefetch_related("courses").get(pk=pk)


def campaign_by_county(*, user: User, campaign: Campaign) -> list[dict]:
    """A campaign's delivered lectures, organizations and attendance per county, one grouped query."""
    return list(
        Lecture.objects.delivered()
        .filter(_lecture_scope(user), campaign=campaign)
        .values("county__name")
        .annotate(
            lectures=Count("pk"),
            organizations=Count("organization", distinct=True),
            attendance=Coalesce(Sum("audience_actual"), 0),
        )
        .order_by("county__name")
    )


def request_list(*, user: User, filters: dict | None = None) -> QuerySet[CourseRequest]:
    """Requests in the user's scope; each carries ``lecture_id``, the lecture that serves it (the newest one not
    cancelled), for the link from a dispatched request to its lecture."""
    filters = filters or {}
    serving = Lecture.objects.active().filter(request=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    qs = (
        CourseRequest.objects.visible_to(user)
        .select_related("organization", "organization__county", "course", "campaign")
        .annotate(lecture_id=Subquery(serving))
    )
    return apply_filters(qs, filters, {"status": "status"}).order_by("status", "preferred_from", "pk")


def request_detail(*, user: User, pk: int) -> CourseRequest:
    return request_list(user=user).select_related("organization__region", "course__lead_instructor").get(pk=pk)


# --- Dispatch suggestions -----------------------------------------------------------------------------------------

# The parts of the fit score (see dispatch_suggestions); the page shows each part a candidate earns, in words.
FIT_TEACHES = 40
FIT_TIER = 20
FIT_SAME_COUNTY = 20
FIT_QUALITY_DIVISOR = 5
FIT_UNRATED_QUALITY = Decimal("70")
FIT_PER_MONTH_LECTURE = 2


@dataclass
class Reason:
    """One part of a suggestion's fit score, in words, with the points it adds (or takes away)."""

    text: str
    points: Decimal | int | None = None


@dataclass
class Suggestion:
    """A ranked candidate for a lecture and the reasons for its place."""

    instructor: Instructor
    score: int
    busy: bool
    reasons: list[Reason] = field(default_factory=list)
    clash: str = ""

    @property
    def reason_texts(self) -> list[str]:
        return [reason.text for reason in self.reasons]


def _teaches(course: Course) -> Q:
    """Instructors who can give a course: its lead instructor and its co-instructors."""
    co_teaches = Course.co_instructors.through.objects.filter(course_id=course.pk, instructor_id=OuterRef("pk"))
    return Q(pk=course.lead_instructor_id) | Q(Exists(co_teaches))


def dispatch_candidates(*, course: Course, organization: Organization) -> QuerySet[Instructor]:
    """Who may be sent to give a course to an organization: the instructors who teach the course (lead or
    co-instructor), may teach now, and belong to the pool of the organization's county or the regions above it."""
    return Instructor.objects.in_pool().filter(lineage_q("region", organization.county)).filter(_teaches(course))


def dispatch_times(*, course_request: CourseRequest) -> dict:
    """The time the dispatch page proposes first: the first preferred day, 09:00, for the course's length."""
    start = dt.datetime.combine(course_request.preferred_from, dt.time(9, 0))
    end = start + dt.timedelta(minutes=course_request.course.duration_minutes or 90)
    if end.date() != start.date():
        end = dt.datetime.combine(start.date(), dt.time(23, 30))
    return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}


def _clash_values(start: dt.datetime, end: dt.datetime, county: Region) -> dict:
    """Subqueries naming an instructor's first lecture that blocks [start, end): an overlap anywhere, or one in
    another county within the travel buffer."""
    buffer = travel_buffer()
    mine = Lecture.objects.active().filter(instructor=OuterRef("pk"))
    blocking = (
        mine.filter(start__lt=end + buffer, end__gt=start - buffer)
        .filter(Q(start__lt=end, end__gt=start) | ~Q(county=county))
        .order_by("start", "pk")
    )
    return {
        "clash_course": Subquery(blocking.values("course__title")[:1]),
        "clash_place": Subquery(blocking.values("organization__name")[:1]),
        "clash_county": Subquery(blocking.values("county__name")[:1]),
        "clash_start": Subquery(blocking.values("start")[:1]),
        "clash_end": Subquery(blocking.values("end")[:1]),
    }


def _clash_text(person: Instructor, start: dt.datetime, end: dt.datetime) -> str:
    values = {
        "course": person.clash_course,
        "place": person.clash_place,
        "county": person.clash_county,
        "start": timezone.localtime(person.clash_start).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(person.clash_end).strftime("%H:%M"),
        "hours": settings.OUTREACH_TRAVEL_BUFFER_HOURS,
    }
    if person.clash_start < end and person.clash_end > start:
        return _("teaches “%(course)s” at %(place)s from %(start)s to %(end)s") % values
    return (
        _(
            "teaches “%(course)s” at %(place)s (%(county)s) from %(start)s to %(end)s; another county needs "
            "%(hours)s hours for travel"
        )
        % values
    )


def _reasons(person: Instructor, course: Course, organization: Organization) -> list[Reason]:
    """The parts of a candidate's fit score in words, in the order the score adds them."""
    county = organization.county
    reasons = []
    if person.teaches:
        if person.pk == course.lead_instructor_id:
            reasons.append(Reason(_("lead instructor of this course"), FIT_TEACHES))
        else:
            reasons.append(Reason(_("co-instructor of this course"), FIT_TEACHES))
    tier = {"tier": person.get_tier_display(), "type": organization.get_type_display()}
    if person.tier_fits:
        reasons.append(Reason(_("%(tier)s instructors suit a host of type “%(type)s”") % tier, FIT_TIER))
    else:
        reasons.append(Reason(_("%(tier)s instructors are not the first choice for “%(type)s”") % tier, 0))
    if person.same_county:
        reasons.append(
            Reason(_("works in %(county)s, no travel across counties") % {"county": county.name}, FIT_SAME_COUNTY)
        )
    else:
        reasons.append(
            Reason(
                _("comes from %(region)s, outside %(county)s") % {"region": person.region.name, "county": county.name},
                0,
            )
        )
    if person.quality is not None:
        points = (Decimal(person.quality) / FIT_QUALITY_DIVISOR).quantize(Decimal("0.1"))
        reasons.append(Reason(_("quality score %(q).1f") % {"q": person.quality}, points))
    else:
        points = (FIT_UNRATED_QUALITY / FIT_QUALITY_DIVISOR).quantize(Decimal("0.1"))
        reasons.append(Reason(_("not yet rated, counted as %(q)s") % {"q": FIT_UNRATED_QUALITY}, points))
    load = -FIT_PER_MONTH_LECTURE * person.month_lectures
    reasons.append(Reason(_("%(n)d lectures planned or given this month") % {"n": person.month_lectures}, load))
    return reasons


def dispatch_suggestions(
    *,
    course: Course,
    organization: Organization,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 15,
) -> list[Suggestion]:
    """Instructors who can give the course, ranked by fit, each with the parts of its score in words and, when a
    time is given, whether they are free then (a busy one names the lecture in the way); one query in all.

    Fit = 40 teaches the course + 20 tier suits the host + 20 same county + quality / 5 (70 when unrated)
    − 2 per lecture already planned in the month. Free instructors come first.
    """
    county = organization.county
    moment = start or timezone.now()
    local = timezone.localtime(moment)
    month_start, month_end = month_bounds(local.year, local.month)
    month_lectures = (
        Lecture.objects.active()
        .filter(instructor=OuterRef("pk"), start__gte=month_start, start__lt=month_end)
        .order_by()
        .values("instructor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    quality = (
        InstructorYearFigures.objects.filter(instructor=OuterRef("pk"), quality__isnull=False, year__lte=local.year)
        .order_by("-year")
        .values("quality")[:1]
    )
    timed = start is not None and end is not None
    clash = _clash_values(start, end, county) if timed else {}
    suits = VENUE_TIERS.get(organization.type, ())
    qs = (
        dispatch_candidates(course=course, organization=organization)
        .select_related("region")
        .annotate(
            teaches=Case(When(_teaches(course), then=1), default=0),
            tier_fits=Case(When(tier__in=suits, then=1), default=0),
            same_county=Case(When(below_q("region", county), then=1), default=0),
            month_lectures=Coalesce(Subquery(month_lectures, output_field=IntegerField()), 0),
            quality=Subquery(quality),
            **clash,
        )
        .annotate(
            busy=Case(When(clash_start__isnull=False, then=1), default=0) if timed else Value(0),
            fit=F("teaches") * FIT_TEACHES
            + F("tier_fits") * FIT_TIER
            + F("same_county") * FIT_SAME_COUNTY
            + Coalesce(F("quality"), Value(FIT_UNRATED_QUALITY)) / FIT_QUALITY_DIVISOR
            - F("month_lectures") * FIT_PER_MONTH_LECTURE,
        )
        .order_by("busy", "-fit", "month_lectures", "pinyin", "pk")[:limit]
    )
    out = []
    for person in qs:
        busy = bool(person.busy)
        out.append(
            Suggestion(
                instructor=person,
                score=int(round(person.fit)),
                busy=busy,
                reasons=_reasons(person, course, organization),
                clash=_clash_text(person, start, end) if busy else "",
            )
        )
    return out


# --- Lectures ---------------------------------------------------------------------------------------------------


LECTURE_FILTERS = {
    "status": "status",
    "county": "county",
    "date_from": "start__date__gte",
    "date_to": "start__date__lte",
}


def lecture_list(*, user: User, filters: dict | None = None) -> QuerySet[Lecture]:
    filters = filters or {}
    qs = Lecture.objects.visible_to(user).select_related("instructor", "course", "organization", "county")
    return apply_filters(qs, filters, LECTURE_FILTERS).order_by("-start", "pk")


def lecture_detail(*, user: User, pk: int) -> Lecture:
    """A lecture with what its page links to: ``evaluation`` (evaluations' one-to-one, read by name) and whether the
    user may open the instructor's and the course's pages (``instructor_visible``, ``course_visible``)."""
    return (
        Lecture.objects.visible_to(user)
        .select_related(
            "instructor",
            "instructor__region",
            "course",
            "organization",
            "county",
            "request",
            "request__organization",
            "campaign",
            "evaluation",
        )
        .annotate(
            instructor_visible=Exists(Instructor.objects.visible_to(user).filter(pk=OuterRef("instructor_id"))),
            course_visible=Exists(Course.objects.visible_to(user).filter(pk=OuterRef("course_id"))),
        )
        .prefetch_related("photos")
        .get(pk=pk)
    )


@dataclass
class NextStep:
    """What should happen next to a lecture, as its state machine says, and whether this user may do it here."""

    action: str  # confirm, deliver, close, or "" when nothing follows
    label: str
    text: str
    allowed: bool


def lecture_next_step(*, lecture: Lecture, user: User) -> NextStep:
    """The forward step of a lecture's life-cycle (planned → confirmed → delivered → closed) for the page."""
    status = lecture.status
    if status == Lecture.Status.PLANNED:
        return NextStep(
            "confirm",
            _("Confirm the lecture"),
            _("Once the instructor and the host have agreed on the time and place, confirm the lecture."),
            lecture.can_confirm,
        )
    if status == Lecture.Status.CONFIRMED:
        started = lecture.start <= timezone.now()
        text = (
            _("After the lecture, record the attendance, hours and photos.")
            if started
            else _("Once the lecture has begun (%(start)s), record the attendance, hours and photos.")
            % {"start": timezone.localtime(lecture.start).strftime("%Y-%m-%d %H:%M")}
        )
        return NextStep("deliver", _("Lecture delivered"), text, lecture.can_deliver and started)
    if status == Lecture.Status.DELIVERED:
        if user.can_manage_registry:
            text = _("Check the record of the lecture, then close it.")
        else:
            text = _("The organizer checks the record of the lecture and closes it.")
        return NextStep("close", _("Close the lecture"), text, lecture.can_close and user.can_manage_registry)
    if status == Lecture.Status.CLOSED:
        return NextStep("", "", _("This lecture is checked and closed; nothing more to do."), False)
    return NextStep("", "", _("This lecture was cancelled; its time is free again."), False)


@dataclass
class MonthGrid:
    """A month as weeks of days, each day with its lectures and the other apps' entries (guest lectures)."""

    year: int
    month: int
    weeks: list[list[tuple[dt.date, list[Lecture], list[CalendarEntry]]]]

    @property
    def previous(self) -> str:
        return f"{self.year - (self.month == 1)}-{(self.month - 2) % 12 + 1:02d}"

    @property
    def next(self) -> str:
        return f"{self.year + (self.month == 12)}-{self.month % 12 + 1:02d}"


def _entries_by_day(entries: list[CalendarEntry]) -> dict[dt.date, list[CalendarEntry]]:
    by_day: dict[dt.date, list[CalendarEntry]] = {}
    for entry in entries:
        by_day.setdefault(timezone.localtime(entry.start).date(), []).append(entry)
    return by_day


def calendar_month(
    *, lectures: QuerySet[Lecture], year: int, month: int, extras: list[CalendarEntry] = ()
) -> MonthGrid:
    """Lay the month's non-cancelled lectures (and ``extras``, other apps' entries) out on a Monday-first grid."""
    start, end = month_bounds(year, month)
    extra_days = _entries_by_day(list(extras))
    by_day: dict[dt.date, list[Lecture]] = {}
    for lecture in (
        lectures.active().filter(start__gte=start, start__lt=end).select_related("course", "organization", "instructor")
    ):
        by_day.setdefault(timezone.localtime(lecture.start).date(), []).append(lecture)
    weeks = [
        [(day, by_day.get(day, []), extra_days.get(day, [])) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    return MonthGrid(year=year, month=month, weeks=weeks)


@dataclass
class WeekGrid:
    """Seven days from a Monday, each with its lectures."""

    monday: dt.date
    days: list[tuple[dt.date, list[Lecture], list[CalendarEntry]]]

    @property
    def previous(self) -> str:
        return (self.monday - dt.timedelta(days=7)).isoformat()

    @property
    def next(self) -> str:
        return (self.monday + dt.timedelta(days=7)).isoformat()

    @property
    def month(self) -> str:
        return f"{self.monday:%Y-%m}"


def week_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware start of the Monday of ``day``'s week and of the Monday after."""
    monday = day - dt.timedelta(days=day.weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()), timezone.get_current_timezone())
    return start, start + dt.timedelta(days=7)


def calendar_week(*, lectures: QuerySet[Lecture], day: dt.date, extras: list[CalendarEntry] = ()) -> WeekGrid:
    """The non-cancelled lectures of the week (Monday to Sunday) that contains ``day``, with ``extras``."""
    extra_days = _entries_by_day(list(extras))
    monday = day - dt.timedelta(days=day.weekday())
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()), tz)
    by_day: dict[dt.date, list[Lecture]] = {}
    for lecture in (
        lectures.active()
        .filter(start__gte=start, start__lt=start + dt.timedelta(days=7))
        .select_related("course", "organization", "instructor")
    ):
        by_day.setdefault(timezone.localtime(lecture.start).date(), []).append(lecture)
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    return WeekGrid(monday=monday, days=[(d, by_day.get(d, []), extra_days.get(d, [])) for d in days])


def instructor_schedule(*, instructor: Instructor, since: dt.datetime) -> QuerySet[Lecture]:
    return (
        Lecture.objects.active()
        .filter(instructor=instructor, end__gte=since)
        .select_related("course", "organization", "county")
        .order_by("start")
    )


def region_schedule(*, user: User, since: dt.datetime, limit: int = 5000) -> QuerySet[Lecture]:
    """The lectures of an organizer's region (an admin's: all) for the region's calendar feed, soonest first."""
    return (
        Lecture.objects.visible_to(user)
        .active()
        .filter(end__gte=since)
        .select_related("course", "organization", "county")
        .order_by("start")[:limit]
    )


# --- Loudspeakers -------------------------------------------------------------------------------------------------


def station_list(*, user: User, year: int, filters: dict | None = None) -> QuerySet[Station]:
    filters = filters or {}
    start, end = year_bounds(year)
    qs = Station.objects.visible_to(user).select_related("region", "county")
    if filters.get("county"):
        qs = qs.filter(county=filters["county"])
    plays = Q(plays__played_at__gte=start, plays__played_at__lt=end)
    return qs.annotate(plays_year=Count("plays", filter=plays)).order_by("county__path", "region__name", "pk")


def _plays(user: User, region: Region | None, year: int) -> QuerySet[PlayLog]:
    """The year's plays on the stations a user may see, limited by station ids so the (station, …) index serves."""
    start, end = year_bounds(year)
    stations = Station.objects.visible_to(user)
    if not user.is_admin and not user.is_organizer:
        return PlayLog.objects.none()
    if region is not None:
        stations = stations.filter(below_q("region", region))
    qs = PlayLog.objects.filter(played_at__gte=start, played_at__lt=end)
    if region is None and user.is_admin:
        return qs
    return qs.filter(station__in=stations.values("pk"))


def loudspeaker_by_county(*, user: User, year: int, region: Region | None = None) -> list[dict]:
    """Per county: stations that played, plays, and listeners reached (each station counted once); two queries."""
    plays = _plays(user, region, year)
    counts = dict(plays.values_list("station__county__path").annotate(n=Count("pk")).order_by())
    rows = list(
        Station.objects.filter(Exists(plays.filter(station=OuterRef("pk"))))
        .values("county__name", "county__path")
        .annotate(stations=Count("pk"), listeners=Coalesce(Sum("listeners"), 0))
        .order_by("county__path")
    )
    for row in rows:
        row["plays"] = counts.get(row["county__path"], 0)
    return rows


def _month_filters(year: int, field: str) -> list[tuple[int, Q]]:
    """One condition per month on a datetime field (local months): conditional aggregates instead of a GROUP BY on
    an extracted month, which SQLite computes in Python per row and which no index can serve."""
    return [
        (m, Q(**{f"{field}__gte": month_bounds(year, m)[0], f"{field}__lt": month_bounds(year, m)[1]}))
        for m in range(1, 13)
    ]


def loudspeaker_months(*, user: User, year: int, region: Region | None = None) -> list[dict]:
    """Plays and listeners reached per month; a station counts once in a month however often it played.

    Two queries. The reach sums the listeners of the distinct (station, month) pairs of the year's plays: one
    grouped query over a DISTINCT derived table, instead of twelve EXISTS sub-plans over the play log.
    """
    plays = _plays(user, region, year)
    months = _month_filters(year, "played_at")
    per_month = plays.aggregate(**{f"p{m}": Count("pk", filter=condition) for m, condition in months})
    pairs = plays.annotate(month=TruncMonth("played_at")).values("station_id", "month").distinct().order_by()
    inner, params = pairs.query.sql_with_params()
    station = connection.ops.quote_name(Station._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.month, SUM(s.listeners) FROM ({inner}) p JOIN {station} s ON s.id = p.station_id "  # noqa: S608
            "GROUP BY p.month",
            params,
        )
        reach = {_month_of(month): int(total or 0) for month, total in cursor.fetchall()}
    return [{"month": m, "plays": per_month[f"p{m}"], "listeners": reach.get(m, 0)} for m, _c in months]


def _month_of(value) -> int:
    """The month of a truncated timestamp as the database returns it (a datetime, or SQLite's text)."""
    return value.month if hasattr(value, "month") else int(str(value)[5:7])


# --- Coverage dashboard and annual report -------------------------------------------------------------------------


def _scoped_lectures(user: User, year: int, region: Region | None) -> QuerySet[Lecture]:
    start, end = year_bounds(year)
    qs = Lecture.objects.delivered().filter(_lecture_scope(user), start__gte=start, start__lt=end)
    if region is not None:
        qs = qs.filter(county__in=_counties_within(region))
    return qs


def _members_by_county_and_type(organizations: QuerySet[Organization]) -> list[tuple[str, str, int]]:
    """Party members of organizations per (county path, type), each organization once, in one grouped query."""
    return list(organizations.values_list("county__path", "type").annotate(n=Sum("member_count")).order_by())


def coverage_figures(*, user: User, year: int, region: Region | None = None) -> dict:
    """Every figure of the coverage dashboard and the annual report, as SQL aggregates (about a dozen queries).

    Delivered and closed lectures count. An organization counts once per period however often it was visited,
    and "members reached" sums the party members of the organizations covered (each once).
    """
    lectures = _scoped_lectures(user, year, region)
    # IN (subquery) rather than a correlated EXISTS: the database evaluates the lecture filter once.
    covered = Organization.objects.filter(pk__in=lectures.values("organization_id"))
    totals = lectures.aggregate(
        lectures=Count("pk"),
        hours=Coalesce(Sum("hours"), Decimal("0")),
        attendance=Coalesce(Sum("audience_actual"), 0),
        organizations=Count("organization", distinct=True),
        instructors=Count("instructor", distinct=True),
        courses=Count("course", distinct=True),
        premium_courses=Count("course", distinct=True, filter=Q(course__status=Course.Status.PREMIUM)),
        counties=Count("county", distinct=True),
    )
    members = _members_by_county_and_type(covered)
    totals["members"] = sum(n for _county, _type, n in members)
    all_organizations = Organization.objects.visible_to(user)
    if region is not None:
        all_organizations = all_organizations.filter(below_q("region", region))
    pool = all_organizations.aggregate(organizations=Count("pk"), members=Coalesce(Sum("member_count"), 0))
    month_filters = _month_filters(year, "start")
    by_month = lectures.aggregate(
        **{f"l{m}": Count("pk", filter=condition) for m, condition in month_filters},
        **{f"o{m}": Count("organization", distinct=True, filter=condition) for m, condition in month_filters},
        **{f"a{m}": Coalesce(Sum("audience_actual", filter=condition), 0) for m, condition in month_filters},
    )
    months = [
        {"month": m, "lectures": by_month[f"l{m}"], "organizations": by_month[f"o{m}"], "attendance": by_month[f"a{m}"]}
        for m, _condition in month_filters
    ]
    tier_rows = {
        row["instructor__tier"]: row
        for row in lectures.values("instructor__tier")
        .annotate(instructors=Count("instructor", distinct=True), lectures=Count("pk"), hours=Sum("hours"))
        .order_by()
    }
    tiers = [
        {
            "tier": tier.value,
            "label": tier.label,
            "instructors": tier_rows.get(tier.value, {}).get("instructors", 0),
            "lectures": tier_rows.get(tier.value, {}).get("lectures", 0),
            "hours": tier_rows.get(tier.value, {}).get("hours") or Decimal("0"),
        }
        for tier in Instructor.Tier
    ]
    county_members: dict[str, int] = {}
    type_members: dict[str, int] = {}
    for county_path, kind, n in members:
        county_members[county_path] = county_members.get(county_path, 0) + n
        type_members[kind] = type_members.get(kind, 0) + n
    counties = list(
        lectures.values("county__name", "county__path")
        .annotate(
            lectures=Count("pk"), organizations=Count("organization", distinct=True), attendance=Sum("audience_actual")
        )
        .order_by("county__path")
    )
    for row in counties:
        row["members"] = county_members.get(row["county__path"], 0)
    type_rows = {
        row["organization__type"]: row
        for row in lectures.values("organization__type")
        .annotate(lectures=Count("pk"), organizations=Count("organization", distinct=True))
        .order_by()
    }
    types = [
        {
            "type": kind.value,
            "label": kind.label,
            "lectures": type_rows.get(kind.value, {}).get("lectures", 0),
            "organizations": type_rows.get(kind.value, {}).get("organizations", 0),
            "members": type_members.get(kind.value, 0),
        }
        for kind in Organization.Type
    ]
    stations = Station.objects.visible_to(user)
    if region is not None:
        stations = stations.filter(below_q("region", region))
    plays = _plays(user, region, year)
    loudspeakers = stations.aggregate(
        stations=Count("pk"),
        active=Count("pk", filter=Exists(plays.filter(station=OuterRef("pk")))),
        reach=Coalesce(Sum("listeners", filter=Exists(plays.filter(station=OuterRef("pk")))), 0),
    )
    loudspeaker_month_rows = loudspeaker_months(user=user, year=year, region=region)
    for row, plays_row in zip(months, loudspeaker_month_rows, strict=True):
        row["plays"], row["listeners"] = plays_row["plays"], plays_row["listeners"]
    loudspeakers["plays"] = sum(row["plays"] for row in loudspeaker_month_rows)
    played_months = [row for row in loudspeaker_month_rows if row["plays"]]
    loudspeakers["plays_per_month"] = round(loudspeakers["plays"] / len(played_months)) if played_months else 0
    return {
        "year": year,
        "region": region,
        "totals": totals,
        "pool": pool,
        "months": months,
        "tiers": tiers,
        "counties": counties,
        "types": types,
        "loudspeakers": loudspeakers,
        "loudspeaker_months": loudspeaker_month_rows,
    }


def chart_data(figures: dict) -> dict:
    """The plain lists the dashboard's ECharts read through json_script."""
    return {
        "months": [f"{row['month']}" for row in figures["months"]],
        "lectures": [row["lectures"] for row in figures["months"]],
        "organizations": [row["organizations"] for row in figures["months"]],
        "plays": [row["plays"] for row in figures["loudspeaker_months"]],
        "tiers": [{"name": str(row["label"]), "value": row["instructors"]} for row in figures["tiers"]],
        "counties": [row["county__name"] for row in figures["counties"]],
        "county_lectures": [row["lectures"] for row in figures["counties"]],
        "types": [{"name": str(row["label"]), "value": row["organizations"]} for row in figures["types"]],
        "labels": {
            "lectures": _("Lectures"),
            "organizations": _("Organizations covered"),
            "plays": _("Loudspeaker plays"),
        },
    }


def broadcast_schedules(*, user: User, on: dt.date) -> QuerySet:
    """Fixed loudspeaker time slots in force on a day for the user's region (and the regions above it)."""
    from .models import BroadcastSchedule

    if not user.can_manage_registry:
        return BroadcastSchedule.objects.none()
    qs = BroadcastSchedule.objects.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    if not user.is_admin:
        qs = qs.filter(lineage_q("region", user.region))
    return qs.select_related("region", "programme").order_by("weekday", "time", "pk")


# --- Yearly figures kept by the worker (CoverageFigures) ------------------------------------------------------------


def coverage_stamp() -> str:
    """The state of the data behind the yearly figures: newest change stamp and row count of lectures, organizations
    and plays (the count catches deletions). Six index lookups and counts, a few milliseconds."""
    parts = []
    for model in (Lecture, Organization, PlayLog):
        row = model.objects.order_by().aggregate(newest=Max("changed_at"), n=Count("pk"))
        newest = row["newest"].isoformat() if row["newest"] else "-"
        parts.append(f"{newest}/{row['n']}")
    return "|".join(parts)


def coverage_scope(*, user: User, region: Region | None) -> tuple[bool, Region | None]:
    """(whether stored figures may serve this user, the region they are stored under).

    An administrator's figures are those of ``region`` (or of everything); an organizer's those of ``region`` when
    given (the report form offers only regions within theirs), else of their own region."""
    if user.is_admin:
        return True, region
    if user.is_organizer:
        return True, region or user.region
    return False, None


def _scope_user() -> User:
    """An unsaved administrator: coverage_figures() of a region then depends on the region alone, not on a person."""
    return User(role=User.Role.ADMIN, is_active=True)


def coverage_figures_live(*, region: Region | None, year: int) -> dict:
    """The figures of a region (or of everything) computed now, as an administrator sees them."""
    return coverage_figures(user=_scope_user(), year=year, region=region)


def coverage_figures_encode(figures: dict) -> dict:
    """The JSON form of coverage_figures(): the region becomes its id, labels are dropped (they follow the
    language of the reader), Decimals become strings."""
    data = {key: value for key, value in figures.items() if key != "region"}
    data["region_id"] = figures["region"].pk if figures["region"] is not None else None
    data["tiers"] = [{k: v for k, v in row.items() if k != "label"} for row in figures["tiers"]]
    data["types"] = [{k: v for k, v in row.items() if k != "label"} for row in figures["types"]]
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def coverage_figures_decode(data: dict, region: Region | None) -> dict:
    """Back from coverage_figures_encode(): equal to what coverage_figures() returned."""
    figures = {key: value for key, value in data.items() if key != "region_id"}
    figures["region"] = region
    figures["totals"] = {**data["totals"], "hours": Decimal(data["totals"]["hours"])}
    figures["tiers"] = [
        {**row, "label": Instructor.Tier(row["tier"]).label, "hours": Decimal(row["hours"])} for row in data["tiers"]
    ]
    figures["types"] = [{**row, "label": Organization.Type(row["type"]).label} for row in data["types"]]
    return figures


def coverage_figures_stored(*, user: User, year: int, region: Region | None = None) -> tuple[dict | None, bool]:
    """(stored figures for this user, region and year, whether they are current); (None, False) when none are kept.

    The page shows stored figures even while the worker recomputes them after a change (a few seconds)."""
    allowed, scope = coverage_scope(user=user, region=region)
    if not allowed:
        return None, False
    from .models import CoverageFigures

    row = CoverageFigures.objects.filter(region=scope, year=year).first()
    if row is None:
        return None, False
    figures = coverage_figures_decode(row.figures, region)
    figures["computed_at"] = row.computed_at
    return figures, row.stamp == coverage_stamp()
