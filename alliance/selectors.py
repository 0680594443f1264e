"""Reads of the alliance: what our feed publishes about a shared course, the alliance library and our shared list."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core import signing
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import CalendarEntry
from courses.models import Course, CoursewareVersion
from evaluations.models import LectureResult
from instructors.models import Instructor, User

from .models import (
    AdoptedCourse,
    EventSession,
    ExchangeRequest,
    JointEvent,
    OutboxMessage,
    Partner,
    Registration,
    RemoteCourse,
    RemoteInstructor,
    SharedCourse,
)

COURSEWARE_SALT = "alliance.courseware"


def shared_courses() -> QuerySet[SharedCourse]:
    """Every shared-course row with what its publication needs, ratings aggregated in SQL (usable results only)."""
    usable = LectureResult.objects.filter(course=OuterRef("course"), insufficient=False).values("course")
    return SharedCourse.objects.select_related("course__topic", "course__lead_instructor").annotate(
        rating_n=Subquery(usable.annotate(n=Count("pk")).values("n")[:1]),
        rating_mean=Subquery(usable.annotate(m=Avg("score")).values("m")[:1]),
    )


def current_versions(course_ids: list[int]) -> dict[int, CoursewareVersion]:
    """The current (highest-numbered) courseware version of each course, in one query."""
    current: dict[int, CoursewareVersion] = {}
    for version in CoursewareVersion.objects.filter(course_id__in=course_ids).order_by("course_id", "-number"):
        current.setdefault(version.course_id, version)
    return current


def publication(share: SharedCourse, version: CoursewareVersion | None) -> dict:
    """What partners may know of a shared course: metadata, the current courseware and aggregate ratings only —
    never a trainee's answer, never an instructor's phone or ID number."""
    course = share.course
    if not (share.shared and course.is_orderable):
        return {"id": course.pk, "withdrawn": True}
    mean = getattr(share, "rating_mean", None)
    return {
        "id": course.pk,
        "withdrawn": False,
        "title": course.title,
        "summary": course.summary,
        "topic": course.topic.name,
        "format": course.format,
        "duration_minutes": course.duration_minutes,
        "audience": course.audience,
        "lead_instructor": course.lead_instructor.name,
        "courseware": None
        if version is None
        else {
            "version": version.number,
            "kind": version.kind,
            "size": version.size,
            "sha256": version.sha256,
            "note": version.note,
            "version_id": version.pk,
        },
        "rating": {"lectures": getattr(share, "rating_n", None) or 0, "mean": None if mean is None else f"{mean:.2f}"},
    }


def fingerprint(item: dict) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def courseware_token(*, version_id: int, partner: Partner) -> str:
    """The signed part of a download URL: this version, for this partner only."""
    return signing.dumps({"v": version_id, "p": partner.pk}, salt=COURSEWARE_SALT)


def courseware_for_token(*, token: str, partner: Partner) -> CoursewareVersion | None:
    """The courseware version a download URL names, if it was made for ``partner`` and its course is still shared."""
    try:
        data = signing.loads(token, salt=COURSEWARE_SALT)
    except signing.BadSignature:
        return None
    if data.get("p") != partner.pk:
        return None
    return (
        CoursewareVersion.objects.select_related("course")
        .filter(
            pk=data.get("v"),
            course__alliance_share__shared=True,
            course__status__in=Course.ORDERABLE_STATUSES,
        )
        .first()
    )


def feed_page(*, partner: Partner, since: int, limit: int, base_url: str) -> dict:
    """One page of our feed after change stamp ``since`` (the caller brought the stamps up to date first)."""
    shares = list(shared_courses().filter(stamp__gt=since).order_by("stamp")[: limit + 1])
    more = len(shares) > limit
    shares = shares[:limit]
    versions = current_versions([s.course_id for s in shares])
    items = []
    for share in shares:
        item = publication(share, versions.get(share.course_id))
        item["stamp"] = share.stamp
        courseware = item.get("courseware")
        if courseware:
            token = courseware_token(version_id=courseware.pop("version_id"), partner=partner)
            courseware["url"] = base_url + reverse("alliance:api_courseware", args=[token])
        items.append(item)
    return {"items": items, "next": shares[-1].stamp if shares else since, "more": more}


def library(*, partner_id: int | None = None) -> QuerySet[RemoteCourse]:
    """The alliance library an organizer browses: courses partners share, with their provenance."""
    qs = RemoteCourse.objects.listed().select_related("partner")
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    return qs


def adoptions_for(user: User) -> QuerySet[AdoptedCourse]:
    """The adopted courses a manager looks after, with their source."""
    return AdoptedCourse.objects.filter(course__in=Course.objects.managed_by(user)).select_related(
        "course", "source__partner"
    )


def shareable_courses(user: User) -> QuerySet[Course]:
    """Courses the manager may share: those they manage, with their sharing row."""
    return (
        Course.objects.managed_by(user)
        .select_related("topic", "lead_instructor", "alliance_share")
        .order_by("title", "pk")
    )


# --- 师资交流互访 ---------------------------------------------------------------------------------------------------


def instructor_shared_courses(instructor: Instructor) -> QuerySet[Course]:
    """The courses an instructor gives that we share with the alliance (lead or co-instructor)."""
    return (
        Course.objects.filter(
            Q(lead_instructor=instructor) | Q(co_instructors=instructor),
            alliance_share__shared=True,
            status__in=Course.ORDERABLE_STATUSES,
        )
        .distinct()
        .order_by("title", "pk")
    )


def instructors_feed() -> dict:
    """Our shared instructors as partners may know them: name, tier, specialties and the shared courses they give —
    never a phone or ID number."""
    instructors = (
        Instructor.objects.filter(alliance_share__shared=True, status__in=Instructor.POOL_STATUSES)
        .prefetch_related("specialties")
        .order_by("pk")
    )
    shared = Course.objects.filter(alliance_share__shared=True, status__in=Course.ORDERABLE_STATUSES)
    given: dict[int, list[dict]] = {}
    for course in shared.prefetch_related("co_instructors").order_by("title", "pk"):
        for pk in {course.lead_instructor_id, *(i.pk for i in course.co_instructors.all())}:
            given.setdefault(pk, []).append({"id": course.pk, "title": course.title})
    return {
        "instructors": [
            {
                "id": instructor.pk,
                "name": instructor.name,
                "tier": instructor.get_tier_display(),
                "specialties": "、".join(s.name for s in instructor.specialties.all())[:300],
                "courses": given.get(instructor.pk, []),
            }
            for instructor in instructors
        ]
    }


def shareable_instructors(user: User) -> QuerySet[Instructor]:
    """Instructors the manager may share: those they manage who can teach, with their sharing row."""
    return (
        Instructor.objects.managed_by(user)
        .filter(status__in=Instructor.POOL_STATUSES)
        .select_related("region", "alliance_share")
        .order_by("pinyin", "pk")
    )


def remote_instructors(*, partner_id: int | None = None) -> QuerySet[RemoteInstructor]:
    qs = RemoteInstructor.objects.listed().select_related("partner")
    return qs.filter(partner_id=partner_id) if partner_id else qs


def exchanges_for(user: User) -> QuerySet[ExchangeRequest]:
    """The exchange requests a user may see, with whether a message to the partner still waits (待发送)."""
    waiting = OutboxMessage.objects.filter(exchange=OuterRef("pk"), sent_at__isnull=True, refused=False)
    refused = OutboxMessage.objects.filter(exchange=OuterRef("pk"), refused=True)
    return (
        ExchangeRequest.objects.visible_to(user)
        .select_related("partner", "lecture")
        .annotate(waiting=Exists(waiting), refused=Exists(refused))
    )


# --- joint events -------------------------------------------------------------------------------------------------


def event_publication(event: JointEvent) -> dict:
    """What partners may know of an event of ours: the event and its agenda, never a registrant."""
    return {
        "id": event.pk,
        "stamp": event.stamp,
        "status": event.status,
        "title": event.title,
        "theme": event.theme,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "place": event.place,
        "description": event.description,
        "registration_deadline": event.registration_deadline.isoformat(),
        "capacity": event.capacity,
        "sessions": [
            {"starts_at": s.starts_at.isoformat(), "title": s.title, "speaker": s.speaker, "room": s.room}
            for s in event.sessions.all()
        ],
    }


def event_feed_page(*, since: int, limit: int) -> dict:
    """One page of our event feed after change stamp ``since``: published and cancelled events (drafts never)."""
    events = list(
        JointEvent.objects.ours()
        .filter(status__in=[JointEvent.Status.PUBLISHED, JointEvent.Status.CANCELLED], stamp__gt=since)
        .prefetch_related("sessions")
        .order_by("stamp")[: limit + 1]
    )
    more = len(events) > limit
    events = events[:limit]
    return {
        "items": [event_publication(e) for e in events],
        "next": events[-1].stamp if events else since,
        "more": more,
    }


def events_for(user: User) -> QuerySet[JointEvent]:
    """The 联盟活动 list: ours and partners' events the member may see, upcoming first (then past ones, latest
    first), with the host, the confirmed count and the member's own registration."""
    today = timezone.localdate()
    person_key = f"user:{user.pk}"
    return (
        JointEvent.objects.visible_to(user)
        .select_related("partner")
        .annotate(
            past=Case(When(ends_on__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField()),
            confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        )
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.filter(portal__isnull=True, person_key=person_key),
                to_attr="mine",
            )
        )
        # Upcoming ones by first day; the past ones (one null key between them) by the last key, latest first.
        .order_by("past", Case(When(ends_on__lt=today, then=None), default=F("starts_on")), "-starts_on", "pk")
    )


def event_registrations(event: JointEvent) -> QuerySet[Registration]:
    """Who registered for an event we host, grouped by portal."""
    return event.registrations.select_related("portal").order_by("portal__name", "created_at", "pk")


def event_agenda(event: JointEvent) -> QuerySet[EventSession]:
    """The event's sessions in time order."""
    return event.sessions.all()


def guest_lecture_entries(*, user: User, start: dt.datetime, end: dt.datetime) -> list[CalendarEntry]:
    """Our accepted guest lectures by partners' instructors (OUTGOING exchanges) for the outreach calendar: the home
    portal's lecture is in its own calendar, ours is drawn from here (outreach cannot import the alliance)."""
    exchanges = (
        ExchangeRequest.objects.visible_to(user)
        .filter(
            direction=ExchangeRequest.Direction.OUTGOING,
            status__in=(
                ExchangeRequest.Status.ACCEPTED,
                ExchangeRequest.Status.DELIVERED,
                ExchangeRequest.Status.EVALUATED,
            ),
            start__gte=start,
            start__lt=end,
        )
        .select_related("partner")
        .order_by("start", "pk")
    )
    label = _("Guest lecture (alliance)")
    return [
        CalendarEntry(
            start=exchange.start,
            end=exchange.end,
            title=f"{exchange.instructor_name}（{exchange.partner.name}）· {exchange.course_title}",
            place=exchange.place,
            url=exchange.get_absolute_url(),
            label=label,
        )
        for exchange in exchanges
    ]
