"""Builders for alliance test data (partners, pulled courses, adoptions), and its objects in the trust world."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from alliance import services
from alliance.models import (
    PUBLIC_KEY_PREFIX,
    AdoptedCourse,
    EventSession,
    ExchangeRequest,
    JointEvent,
    Partner,
    Registration,
    RemoteCourse,
    RemoteInstructor,
)
from core.status import status_history_start

_seq = itertools.count(1)


def public_key() -> str:
    raw = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return PUBLIC_KEY_PREFIX + base64.b64encode(raw).decode()


def partner(*, name: str | None = None, key: str | None = None, base_url: str | None = None, **extra) -> Partner:
    n = next(_seq)
    obj = Partner(
        name=name or f"伙伴市{n}",
        base_url=base_url or f"http://partner{n}.example",
        public_key=key or public_key(),
        **extra,
    )
    obj.full_clean()
    obj.save()
    return obj


def remote_course(*, partner_obj: Partner, title: str | None = None, **extra) -> RemoteCourse:
    n = next(_seq)
    fields = {"remote_id": n, "stamp": n, "title": title or f"联盟课{n}", "format": "lecture", "topic": "乡村振兴"}
    fields.update(extra)
    return RemoteCourse.objects.create(partner=partner_obj, **fields)


def remote_instructor(*, partner_obj: Partner, name: str = "王老师") -> RemoteInstructor:
    n = next(_seq)
    return RemoteInstructor.objects.create(
        partner=partner_obj, remote_id=n, name=name, tier="市级", courses=[{"id": n, "title": f"联盟课{n}"}]
    )


def incoming_exchange(*, partner_obj: Partner, instructor, course, days: int = 10) -> ExchangeRequest:
    """A partner's request for one of our instructors, as the signed API records it."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    exchange = ExchangeRequest.objects.create(
        uuid=uuid.uuid4(),
        partner=partner_obj,
        direction=ExchangeRequest.Direction.INCOMING,
        instructor_remote_id=instructor.pk,
        instructor_name=instructor.name,
        course_remote_id=course.pk,
        course_title=course.title,
        instructor=instructor,
        course=course,
        start=start,
        end=start + dt.timedelta(hours=2),
        place="乐山市委党校",
    )
    status_history_start(obj=exchange, by=None, reason="收到请求")
    return exchange


def joint_event(*, partner_obj: Partner | None = None, region=None, **extra) -> JointEvent:
    """A published event a month ahead, open for registration, with one session: a partner's as pulled, or ours
    published (and cancelled) through the services, so its stamp comes from our feed clock."""
    n = next(_seq)
    start = timezone.localdate() + dt.timedelta(days=30)
    fields = {
        "title": f"联合研讨会{n}",
        "theme": "基层党建",
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=1),
        "place": "嘉州会堂",
        "registration_deadline": timezone.now() + dt.timedelta(days=20),
        "capacity": 50,
        "status": JointEvent.Status.PUBLISHED,
    }
    if partner_obj is not None:
        fields.update(remote_id=n, stamp=n)
    fields.update(extra)
    status = fields["status"]
    if partner_obj is None:
        fields["status"] = JointEvent.Status.DRAFT
    event = JointEvent.objects.create(partner=partner_obj, region=region, **fields)
    EventSession.objects.create(
        event=event, starts_at=timezone.now() + dt.timedelta(days=30), title="开幕式", speaker="王主任", room="一号厅"
    )
    if partner_obj is None and status != JointEvent.Status.DRAFT:
        event = services.event_publish(event=event)
        if status == JointEvent.Status.CANCELLED:
            event = services.event_cancel(event=event)
    return event


def add_to_world(w: dict) -> None:
    """Instructor A's course is a copy adopted from a partner's course; the partner shares one more course and an
    instructor, and has asked for instructor A for a lecture. County X hosts a joint event A registered for (with her
    phone as contact, which pages show masked)."""
    obj = partner(name="乐山市")
    w["alliance_partner"] = obj
    w["a"]["remote_course"] = remote_course(partner_obj=obj, courseware_version=None)
    remote_course(partner_obj=obj)
    w["a"]["adoption"] = AdoptedCourse.objects.create(course=w["a"]["course"], source=w["a"]["remote_course"])
    w["alliance_instructor"] = remote_instructor(partner_obj=obj)
    w["a"]["exchange"] = incoming_exchange(partner_obj=obj, instructor=w["a"]["instructor"], course=w["a"]["course"])
    w["a"]["joint_event"] = event = joint_event(region=w["org_x"].region)
    Registration.objects.create(
        event=event,
        person_key=f"user:{w['a']['user'].pk}",
        user=w["a"]["user"],
        name=w["a"]["instructor"].name,
        unit="县委党校",
        contact=w["a"]["instructor"].phone,
        status=Registration.Status.CONFIRMED,
    )
