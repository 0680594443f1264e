"""One realistic world for the trust suite: a city with two counties, each with its own instructor and everything
an instructor accumulates (a course with courseware, a rectification, a delivered lecture with an opened evaluation,
answers, a comment, a computed result, a proposed action, a rater assignment, a decided review proposal, a
competition entry with a published top-ten result), plus the people who look at it: organizers of both counties and
of the city, a judge, an admin."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from core.models import ImportJob
from courses import services as course_services
from courses.models import Course
from evaluations.models import (
    Competition,
    CompetitionResult,
    Entry,
    FieldVisit,
    Indicator,
    JudgeAssignment,
    Notification,
    PublicComment,
    ResultAction,
    ReviewCycle,
    ReviewProposal,
    ReviewVeto,
)
from evaluations.results import services as result_services
from evaluations.survey import services as survey_services
from instructors import services as instructor_services
from instructors.models import Region, User
from outreach.models import Lecture, LecturePhoto
from tests import factories as f
from tests.alliance import factories as alliance_factories
from tests.care import factories as care_factories
from tests.courses import factories as cf
from tests.evaluations.analysis.builders import finished_analysis
from tests.outreach import factories as of

PASSWORD = "pw-secret-123"


def _scope(w: dict, key: str, county: Region, village: Region, name: str, judge: User) -> dict:
    """Everything instructor `key` (in `county`) owns, created through the services where they exist."""
    account = f.user(username=f"instructor_{key}")
    person = f.instructor(region=county, name=name, user=account)
    group = f.group(region=county, name=f"{name}教研组")
    group.members.add(person)
    group.leader = person
    group.save(update_fields=["leader"])
    course = cf.course(lead=person, title=f"{name}的党课")
    course_services.courseware_upload(course=course, upload=cf.pdf_upload(), note="初版", by=None)
    # Every kind of stored file: photo (its thumbnail is made after commit, which never comes here), cover,
    # courseware (above) and a lecture photo.
    instructor_services.instructor_set_photo(instructor=person, upload=f.jpeg_upload())
    course_services.course_set_cover(course=course, upload=f.jpeg_upload("cover.jpg"))
    rectified = cf.course(lead=person, title=f"{name}的待整改课程")
    rectification = cf.rectification(course_obj=rectified)
    organization = of.organization(region=village, name=f"{village.name}党支部")
    lecture = of.lecture(
        course=course,
        instructor=person,
        organization=organization,
        start=timezone.now() - dt.timedelta(hours=1),
    )
    of.delivered(lecture)
    lecture_photo = LecturePhoto(lecture=lecture)
    lecture_photo.image.save("lecture.jpg", f.jpeg_upload("lecture.jpg"), save=False)
    lecture_photo.save()
    evaluation = survey_services.evaluation_open(lecture=lecture, by=None)
    values = {
        pk: 4 for pk in Indicator.objects.filter(dimension__system=evaluation.system).values_list("pk", flat=True)
    }
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, True  # no message left queued
    for i in range(3):
        with override_settings(SURVEY_MIX_K=0):  # straight through the buffer (the world is built outside a test)
            survey_services.survey_submit(
                evaluation=evaluation,
                device_id=uuid.uuid4().hex,
                values=values,
                satisfaction=4,
                comment="讲得很好，联系实际" if i == 0 else "",
                seconds=120,
            )
    celery_app.conf.task_always_eager = eager
    result = result_services.result_compute(evaluation=evaluation)
    action = ResultAction.objects.create(kind=ResultAction.Kind.RETRAIN, result=result, rule="trust-suite")
    rater = survey_services.rater_assign(evaluation=evaluation, role="expert", user=judge, by=w["admin"])
    campaign = of.campaign(region=county)
    course_request = of.course_request(organization=organization, course=course, by=w["admin"])
    topic = course.topic
    programme = cf.programme(region=county, topics=[topic])
    session = cf.session(programme_obj=programme, topic_obj=topic)
    session_evaluation = survey_services.evaluation_open_session(session=session, by=w["admin"])
    session_result = result_services.session_results_compute(evaluation_ids=[session_evaluation.pk])[0]
    today = timezone.localdate()
    cycle = ReviewCycle.objects.create(
        region=county,
        period_start=today - dt.timedelta(days=365),
        period_end=today,
        due_at=timezone.now() + dt.timedelta(days=30),
    )
    proposal = ReviewProposal.objects.create(
        cycle=cycle, instructor=person, proposal="retain", rule="retain", status="approved", decision="retain"
    )
    veto = ReviewVeto.objects.create(instructor=person, reason="违反纪律（信任测试）", created_by=w["admin"])
    Notification.objects.create(user=account, text=f"{name}：复核结果已公布")
    competition = Competition.objects.create(
        name=f"{county.name}十佳课程擂台赛",
        year=today.year,
        region=county,
        phase=Competition.Phase.PUBLICITY,
        registration_ends=today - dt.timedelta(days=30),
        preliminary_ends=today - dt.timedelta(days=20),
        final_ends=today - dt.timedelta(days=10),
        publicity_ends=today + dt.timedelta(days=10),
        published_at=timezone.now(),
    )
    entry = Entry.objects.create(competition=competition, course=course, group=group, number=1)
    entry.instructors.add(person)
    assignment = JudgeAssignment.objects.create(competition=competition, entry=entry, judge=judge)
    certificate = CompetitionResult.objects.create(competition=competition, entry=entry, final=Decimal("90"), rank=1)
    analysis = finished_analysis(lecture=lecture)
    return {
        "analysis": analysis,
        "user": account,
        "instructor": person,
        "group": group,
        "course": course,
        "rectification": rectification,
        "organization": organization,
        "lecture": lecture,
        "evaluation": evaluation,
        "assignment": assignment,
        "survey_token": survey_services.survey_token(evaluation),
        "result": result,
        "comment": evaluation.comments.get(),
        "action": action,
        "rater": rater,
        "campaign": campaign,
        "request": course_request,
        "topic": topic,
        "programme": programme,
        "session": session,
        "session_result": session_result,
        "cycle": cycle,
        "proposal": proposal,
        "veto": veto,
        "competition": competition,
        "certificate": certificate,
        "lecture_photo": lecture_photo,
        "ical_token": instructor_services.user_feed_token(user=account),
    }


def build() -> dict:
    """The whole world; keys `a` and `b` hold each instructor's objects."""
    tree = f.region_tree()
    town_b = f.region(name="龙泉镇", level=Region.Level.TOWNSHIP, parent=tree["county_b"])
    tree["village_b"] = f.region(name="石桥村", level=Region.Level.VILLAGE, parent=town_b)
    w: dict = {"tree": tree}
    w["admin"] = f.user(username="admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    w["org_x"] = f.user(username="org_x", role=User.Role.ORGANIZER, region=tree["county_a"])
    w["org_y"] = f.user(username="org_y", role=User.Role.ORGANIZER, region=tree["county_b"])
    w["org_city"] = f.user(username="org_city", role=User.Role.ORGANIZER, region=tree["city"])
    w["judge"] = f.user(username="judge", role=User.Role.JUDGE)
    w["a"] = _scope(w, "a", tree["county_a"], tree["village_a"], "张三", w["judge"])
    w["b"] = _scope(w, "b", tree["county_b"], tree["village_b"], "李四", w["judge"])
    w["series"] = cf.series(name="乡村振兴系列")
    Course.objects.filter(pk=w["a"]["course"].pk).update(series=w["series"])
    w["column"] = cf.column(name="微党课", slug="weidangke")
    w["work"] = cf.work(column_obj=w["column"], course_obj=w["a"]["course"])
    w["public_comment"] = PublicComment.objects.create(work=w["work"], kind="danmaku", text="讲得真好", at_seconds=5)
    w["visit"] = FieldVisit.objects.create(
        kind=FieldVisit.Kind.FORUM,
        course=w["a"]["course"],
        held_on=timezone.localdate(),
        place="白马村党群服务中心",
        notes="座谈记录",
        recorded_by=w["org_x"],
    )
    assert Course.objects.count() == 4 and Lecture.objects.count() == 2
    w["import_job"] = ImportJob.objects.create(
        importer="outreach.imports.OrganizationImporter",
        title="导入基层组织",
        success_url="/outreach/organizations/",
        created_by=w["org_x"],
        status=ImportJob.Status.DONE,
        total=1,
        processed=1,
        result={"created": 1},
    )
    care_factories.add_to_world(w)
    alliance_factories.add_to_world(w)
    return w


ROLES = ("anon", "trainee", "inst_a", "inst_b", "org_x", "org_y", "org_city", "judge", "admin")


def client_for(role: str, w: dict) -> Client:
    client = Client()
    users = {
        "inst_a": w["a"]["user"],
        "inst_b": w["b"]["user"],
        "org_x": w["org_x"],
        "org_y": w["org_y"],
        "org_city": w["org_city"],
        "judge": w["judge"],
        "admin": w["admin"],
    }
    if role in users:
        client.force_login(users[role])
    elif role == "trainee":
        # The trainee scanned the QR code: an anonymous phone holding the survey link and its device cookie.
        client.get(reverse("evaluations:survey", args=[w["a"]["survey_token"]]))
    return client
