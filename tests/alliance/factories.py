"""Builders for alliance test data (partners, pulled courses, adoptions), and its objects in the trust world."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from alliance.models import (
    PUBLIC_KEY_PREFIX,
    AdoptedCourse,
    ExchangeRequest,
    Partner,
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


def add_to_world(w: dict) -> None:
    """Instructor A's course is a copy adopted from a partner's course; the partner shares one more course and an
    instructor, and has asked for instructor A for a lecture."""
    obj = partner(name="乐山市")
    w["alliance_partner"] = obj
    w["a"]["remote_course"] = remote_course(partner_obj=obj, courseware_version=None)
    remote_course(partner_obj=obj)
    w["a"]["adoption"] = AdoptedCourse.objects.create(course=w["a"]["course"], source=w["a"]["remote_course"])
    w["alliance_instructor"] = remote_instructor(partner_obj=obj)
    w["a"]["exchange"] = incoming_exchange(partner_obj=obj, instructor=w["a"]["instructor"], course=w["a"]["course"])
