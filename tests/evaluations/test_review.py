"""The admit/retire review: every rule of docs/scoring.md §4 on a hand-made dataset, idempotence, concurrency, decisions
and the pages. Builders live in tests/evaluations/factories.py."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Rectification
from evaluations import scoring
from evaluations.models import (
    Notification,
    ReviewCycle,
    ReviewProposal,
    ReviewVeto,
)
from evaluations.review import run as review_run
from evaluations.review import services as review_services
from evaluations.scoring import review_rules as review_rules
from instructors.models import Instructor, InstructorStatusChange, InstructorYearFigures
from tests import factories as f
from tests.conftest import need, refused
from tests.evaluations.factories import YEAR, at, cycle, good, lecture_with_result, no_shrink, rows
from tests.helpers import count_queries
from tests.outreach import factories as of

# --- The rule order, one instructor per rule -----------------------------------------------------------------------


@pytest.fixture
def rule_world(db):
    no_shrink()
    tree = f.region_tree()
    county = tree["county_a"]
    f.norm(year=YEAR, lectures=2, hours="4", quality="60")
    f.norm(year=YEAR - 1, lectures=2, hours="4", quality="60")
    people = {}

    def person(key: str, **extra) -> Instructor:
        people[key] = f.instructor(region=county, name=key, **extra)
        return people[key]

    vetoed = person("veto")
    good(vetoed, score=95)
    ReviewVeto.objects.create(instructor=vetoed, reason="严重违纪")
    lecture_with_result(instructor=person("unrated_met"), start=at(2))
    lecture_with_result(instructor=people["unrated_met"], start=at(3), insufficient=True)
    lecture_with_result(instructor=person("unrated_missed"), start=at(2))
    lecture_with_result(instructor=person("unrated_twice"), start=at(2))
    InstructorYearFigures.objects.create(instructor=people["unrated_twice"], year=YEAR - 1, lectures=0, hours=0)
    good(person("low"), score=55)
    failed = person("retest_failed")
    good(failed, score=85)
    fixing = of.course(lead=failed, status=Course.Status.RETIRED)
    Rectification.objects.create(
        course=fixing,
        status=Rectification.Status.RETIRED,
        reason="r",
        findings="f",
        deadline=dt.date(YEAR, 5, 1),
        opened_at=at(3),
        decided_at=at(6),
    )
    red_after = person("retest_red")
    retested = of.course(lead=red_after)
    Rectification.objects.create(
        course=retested,
        status=Rectification.Status.APPROVED,
        reason="r",
        findings="f",
        deadline=dt.date(YEAR, 2, 1),
        opened_at=at(1, 2),
        decided_at=at(1, 20),
    )
    good(red_after, score=85, course=retested)
    lecture_with_result(instructor=red_after, course=retested, start=at(7), score=85, flag="red")
    suspended = person("suspensions")
    good(suspended, score=85)
    for month in (1, 8):
        Rectification.objects.create(
            course=of.course(lead=suspended),
            status=Rectification.Status.APPROVED,
            reason="r",
            findings="f",
            deadline=dt.date(YEAR - 1, 12, 1),
            opened_at=at(month, year=YEAR - 1 + (month == 8)),
            decided_at=at(month, 20, year=YEAR - 1 + (month == 8)),
        )
    twice = person("warned_twice")
    good(twice, score=70)
    previous = cycle(tree["county_a"], start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31))
    previous.status = ReviewCycle.Status.DONE
    previous.save()
    ReviewProposal.objects.create(
        cycle=previous, instructor=twice, proposal="warn", rule="norms_missed", status="approved", decision="warn"
    )
    norms_twice = person("norms_twice")
    good(norms_twice, n=2, score=85, hours="1")
    InstructorYearFigures.objects.create(instructor=norms_twice, year=YEAR - 1, lectures=1, hours=1)
    good(person("quality_warn"), score=70)
    good(person("norms_warn"), score=85, hours="1")
    good(person("sr_warn"), score=85, sr=0.8)
    good(person("red_warn"), n=1, score=85)
    lecture_with_result(instructor=people["red_warn"], score=85, flag="red", start=at(9))
    good(person("retain"), score=85)
    good(person("excellent"), score=95, sr=0.97)
    trial = person("candidate", status=Instructor.Status.CANDIDATE)
    lecture_with_result(instructor=trial, score=86, sr=0.9, sr_n=30, experts=[85, 90, 80, 60])
    weak = person("weak_candidate", status=Instructor.Status.CANDIDATE)
    lecture_with_result(instructor=weak, score=86, sr=0.9, sr_n=30, experts=[85, 90, 70])
    person("retired_already", status=Instructor.Status.RETIRED)
    f.instructor(region=tree["county_b"], name="elsewhere")
    good(f.instructor(region=tree["county_b"], name="elsewhere2"), score=30)
    return {"tree": tree, "people": people, "cycle": cycle(county)}


EXPECTED = {
    "veto": ("retire", "manual_veto"),
    "unrated_met": ("retain", "unrated_norms_met"),
    "unrated_missed": ("warn", "unrated_norms_missed"),
    "unrated_twice": ("retire", "unrated_norms_missed_twice"),
    "low": ("retire", "quality_below_retire"),
    "retest_failed": ("retire", "rectified_course_failed_retest"),
    "retest_red": ("retire", "rectified_course_failed_retest"),
    "suspensions": ("retire", "repeated_suspensions"),
    "warned_twice": ("retire", "warned_two_cycles"),
    "norms_twice": ("retire", "norms_missed_two_years"),
    "quality_warn": ("warn", "quality_below_warn"),
    "norms_warn": ("warn", "norms_missed"),
    "sr_warn": ("warn", "satisfaction_below_threshold"),
    "red_warn": ("warn", "red_flag"),
    "retain": ("retain", "retain"),
    "excellent": ("excellent", "excellent"),
    "candidate": ("admit", "trial_lecture_qualifies"),
}


def test_review_run_applies_every_rule_in_order(rule_world):
    review_run.review_cycle_run(cycle_id=rule_world["cycle"].pk)
    got = {p.instructor.name: (p.proposal, p.rule) for p in rule_world["cycle"].proposals.select_related("instructor")}
    assert got == EXPECTED


def test_review_figures_are_stored_with_the_proposal(rule_world):
    review_run.review_cycle_run(cycle_id=rule_world["cycle"].pk)
    proposal = ReviewProposal.objects.get(instructor=rule_world["people"]["red_warn"])
    assert (proposal.figures["lectures"], proposal.figures["red_flags"], proposal.quality) == (2, 1, Decimal("82.00"))


def test_review_unrated_instructor_has_no_quality(rule_world):
    review_run.review_cycle_run(cycle_id=rule_world["cycle"].pk)
    proposal = ReviewProposal.objects.get(instructor=rule_world["people"]["unrated_met"])
    assert (proposal.quality, proposal.figures["quality_unrated"]) == (None, True)


def test_review_run_twice_gives_the_same_rows(rule_world):
    review_run.review_cycle_run(cycle_id=rule_world["cycle"].pk)
    first = rows(rule_world["cycle"])
    review_services.review_cycle_start(
        cycle=rule_world["cycle"], by=None
    )  # on_commit not run here: start by hand below
    review_run.review_cycle_run(cycle_id=rule_world["cycle"].pk)
    assert rows(rule_world["cycle"]) == first


def test_review_killed_run_is_resumed_by_the_beat_to_the_same_result(rule_world):
    c = rule_world["cycle"]
    review_run.review_cycle_run(cycle_id=c.pk)
    first = [r[1:] for r in rows(c)]
    # A worker died halfway: the cycle is still "running", its heartbeat old, half the rows written.
    ReviewProposal.objects.filter(pk__in=[r[0] for r in rows(c)[::2]]).delete()
    ReviewCycle.objects.filter(pk=c.pk).update(status="running", heartbeat=timezone.now() - dt.timedelta(hours=1))
    assert review_run.review_cycles_due() == [c.pk]
    review_run.review_cycle_run(cycle_id=c.pk)
    assert [r[1:] for r in rows(c)] == first


def test_review_claim_refuses_a_second_live_run(rule_world):
    assert review_run.review_cycle_claim(cycle_id=rule_world["cycle"].pk) is not None
    assert review_run.review_cycle_run(cycle_id=rule_world["cycle"].pk) is None


def test_review_rerun_keeps_decided_proposals(rule_world):
    c = rule_world["cycle"]
    review_run.review_cycle_run(cycle_id=c.pk)
    proposal = ReviewProposal.objects.get(instructor=rule_world["people"]["retain"])
    review_services.review_proposal_decide(proposal=proposal, by=f.organizer(rule_world["tree"]["county_a"]))
    ReviewCycle.objects.filter(pk=c.pk).update(status="pending")
    review_run.review_cycle_run(cycle_id=c.pk)
    assert ReviewProposal.objects.get(pk=proposal.pk).status == "approved"


def test_review_quality_is_shrunk_toward_the_tier_mean(db):
    tree = f.region_tree()
    strong = f.instructor(region=tree["county_a"], tier=Instructor.Tier.MUNICIPAL)
    weak = f.instructor(region=tree["county_b"], tier=Instructor.Tier.MUNICIPAL)
    good(strong, score=90)
    good(weak, score=60)
    c = cycle(tree["county_a"])
    review_run.review_cycle_run(cycle_id=c.pk)
    # (2·90 + 3·75) / (2 + 3) = 81
    assert ReviewProposal.objects.get(cycle=c, instructor=strong).quality == Decimal("81.00")


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        (review_rules.Figures(vetoed=True, scored=5, quality=99), "manual_veto"),
        (review_rules.Figures(scored=3, quality=50, failed_retests=1), "quality_below_retire"),
        (review_rules.Figures(scored=3, quality=80, failed_retests=1, suspensions=2), "rectified_course_failed_retest"),
        (review_rules.Figures(scored=3, quality=80, previously_warned=True), "retain"),
        (review_rules.Figures(scored=3, quality=92, sr=0.97, sr_n=5, norms_met=True), "retain"),
        (review_rules.Figures(scored=3, quality=80, sr=0.5, sr_n=9), "retain"),
        (review_rules.Figures(scored=3, quality=92, sr=0.97, sr_n=30, norms_met=None), "retain"),
    ],
)
def test_decide_edge_cases(figures, expected):
    params = {**scoring.DEFAULTS, **review_rules.REVIEW_DEFAULTS}
    assert review_rules.decide(figures, params)[1] == expected


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_write_one_proposal_each():
    need(connection.vendor == "postgresql", "row locks need PostgreSQL (DATABASE_URL)")
    tree = f.region_tree()
    people = [f.instructor(region=tree["county_a"]) for _ in range(6)]
    for person in people:
        good(person)
    c = cycle(tree["county_a"])
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(review_run.review_cycle_run(cycle_id=c.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (errors, sorted(results, key=str)) == ([], [6, None, None, None])
    assert sorted(ReviewProposal.objects.filter(cycle=c).values_list("instructor_id", flat=True)) == sorted(
        p.pk for p in people
    )


# --- Decisions ------------------------------------------------------------------------------------------------------


@pytest.fixture
def decided_world(db):
    no_shrink()
    tree = f.region_tree()
    account = f.user(email="li@example.com")
    person = f.instructor(region=tree["county_a"], user=account, name="李讲师")
    good(person, score=55)
    other = f.instructor(region=tree["county_a"], user=f.user(), name="赵讲师")
    good(other, score=85)
    c = cycle(tree["county_a"])
    review_run.review_cycle_run(cycle_id=c.pk)
    return {
        "tree": tree,
        "cycle": c,
        "person": person,
        "other": other,
        "proposal": ReviewProposal.objects.get(instructor=person),
        "other_proposal": ReviewProposal.objects.get(instructor=other),
        "organizer": f.organizer(tree["county_a"]),
        "stranger": f.organizer(tree["county_b"]),
    }


def test_approving_a_retirement_changes_the_status_with_an_audit_row(decided_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_proposal_decide(proposal=decided_world["proposal"], by=decided_world["organizer"])
    change = InstructorStatusChange.objects.filter(instructor=decided_world["person"]).latest("pk")
    assert (change.to_status, change.changed_by) == ("retired", decided_world["organizer"])


def test_approving_notifies_in_app_and_by_mail(decided_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_proposal_decide(proposal=decided_world["proposal"], by=decided_world["organizer"])
    assert Notification.objects.filter(user=decided_world["person"].user).count() == 1
    assert mail.outbox[0].to == ["li@example.com"]


def test_bulk_approval_queues_the_mails_and_sends_none_itself(
    decided_world, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue 15, item 11: the page returns at once; the mails go to Celery in batches."""
    from celery import current_app

    import evaluations.tasks  # noqa: F401 - registers the task

    queued = []
    task = current_app.tasks["evaluations.tasks.review_mail_task"]
    monkeypatch.setattr(task, "apply_async", lambda args=(), kwargs=None, **options: queued.append(list(args[0])))
    ids = [decided_world["proposal"].pk, decided_world["other_proposal"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_proposals_approve(cycle=decided_world["cycle"], ids=ids, by=decided_world["organizer"])
    assert (len(mail.outbox), len(queued), len(queued[0])) == (0, 1, 1)


def test_override_needs_a_reason(decided_world):
    with refused("reason_required"):
        review_services.review_proposal_decide(
            proposal=decided_world["proposal"], by=decided_world["organizer"], outcome="warn"
        )


def test_override_applies_the_chosen_outcome(decided_world):
    review_services.review_proposal_decide(
        proposal=decided_world["proposal"], by=decided_world["organizer"], outcome="warn", reason="新入库，给一次机会"
    )
    decided_world["person"].refresh_from_db()
    assert (decided_world["person"].status, ReviewProposal.objects.get(pk=decided_world["proposal"].pk).status) == (
        "probation",
        "overridden",
    )


def test_a_proposal_is_decided_once(decided_world):
    review_services.review_proposal_decide(proposal=decided_world["proposal"], by=decided_world["organizer"])
    with refused("already_decided"):
        review_services.review_proposal_decide(proposal=decided_world["proposal"], by=decided_world["organizer"])


def test_bulk_approve_decides_the_selected(decided_world):
    ids = [decided_world["proposal"].pk, decided_world["other_proposal"].pk]
    approved, errors = review_services.review_proposals_approve(
        cycle=decided_world["cycle"], ids=ids, by=decided_world["organizer"]
    )
    assert (approved, errors) == (2, [])


# --- Pages ----------------------------------------------------------------------------------------------------------


def _pages(world) -> dict[str, str]:
    return {
        "review_cycle_detail": reverse("evaluations:review_cycle_detail", args=[world["cycle"].pk]),
        "review_cycle_progress": reverse("evaluations:review_cycle_progress", args=[world["cycle"].pk]),
        "review_proposal_detail": reverse("evaluations:review_proposal_detail", args=[world["proposal"].pk]),
    }


@pytest.mark.parametrize("name", ["review_cycle_detail", "review_cycle_progress", "review_proposal_detail"])
def test_review_pages_hide_from_organizer_of_another_county(client, decided_world, name):
    client.force_login(decided_world["stranger"])
    assert client.get(_pages(decided_world)[name]).status_code == 404


@pytest.mark.parametrize("name", ["review_cycle_detail", "review_cycle_progress", "review_proposal_detail"])
def test_review_pages_hide_from_instructors(client, decided_world, name):
    client.force_login(decided_world["other"].user)
    assert client.get(_pages(decided_world)[name]).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("evaluations:review_cycle_list"),
        lambda w: reverse("evaluations:review_my_outcomes"),
        lambda w: reverse("evaluations:notification_list"),
        lambda w: _pages(w)["review_cycle_detail"],
        lambda w: _pages(w)["review_proposal_detail"],
    ],
)
def test_review_pages_send_anonymous_users_to_login(client, decided_world, url):
    response = client.get(url(decided_world))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_review_cycle_list_is_for_organizers(client, decided_world):
    client.force_login(decided_world["other"].user)
    assert client.get(reverse("evaluations:review_cycle_list")).status_code == 403


def test_review_cycle_list_leaves_out_other_counties(client, decided_world):
    client.force_login(decided_world["stranger"])
    assert (
        decided_world["tree"]["county_a"].name
        not in client.get(reverse("evaluations:review_cycle_list")).content.decode()
    )


def test_review_cycle_detail_filters_by_proposal(client, decided_world):
    client.force_login(decided_world["organizer"])
    content = client.get(_pages(decided_world)["review_cycle_detail"], {"proposal": "retire"}).content.decode()
    assert "李讲师" in content and "赵讲师" not in content


def test_review_progress_json(client, decided_world):
    client.force_login(decided_world["organizer"])
    data = client.get(_pages(decided_world)["review_cycle_progress"], {"format": "json"}).json()
    assert (data["status"], data["processed"], data["total"]) == ("done", 2, 2)


def test_review_proposal_page_shows_rule_in_words_not_its_code(client, decided_world):
    """Guards issue 14: the page printed the rule's code and English labels; the rule is now in Chinese words."""
    client.force_login(decided_world["organizer"])
    content = client.get(_pages(decided_world)["review_proposal_detail"]).content.decode()
    assert "quality_below_retire" not in content
    assert "年度质量分 Q 低于 60" in content


def test_organizer_approves_from_the_page(client, decided_world):
    client.force_login(decided_world["organizer"])
    url = reverse("evaluations:review_proposal_decide", args=[decided_world["proposal"].pk])
    response = client.post(url, {"outcome": "", "reason": ""})
    assert response.status_code == 302
    assert ReviewProposal.objects.get(pk=decided_world["proposal"].pk).status == "approved"


def test_instructor_cannot_decide(client, decided_world):
    client.force_login(decided_world["person"].user)
    url = reverse("evaluations:review_proposal_decide", args=[decided_world["proposal"].pk])
    assert client.post(url, {"outcome": "retain", "reason": "x"}).status_code == 403


def test_stranger_cannot_decide(client, decided_world):
    client.force_login(decided_world["stranger"])
    url = reverse("evaluations:review_proposal_decide", args=[decided_world["proposal"].pk])
    assert client.post(url, {"outcome": "", "reason": ""}).status_code == 404


def test_bulk_approve_page(client, decided_world):
    client.force_login(decided_world["organizer"])
    url = reverse("evaluations:review_proposals_approve", args=[decided_world["cycle"].pk])
    response = client.post(url, {"ids": [decided_world["other_proposal"].pk]})
    assert response.status_code == 302
    assert ReviewProposal.objects.get(pk=decided_world["other_proposal"].pk).status == "approved"


def test_organizer_starts_a_cycle_by_hand(client, decided_world, django_capture_on_commit_callbacks):
    new = cycle(
        decided_world["tree"]["county_a"],
        start=dt.date(YEAR + 1, 1, 1),
        end=dt.date(YEAR + 1, 3, 31),
        kind="quarterly",
        due_at=timezone.now() + dt.timedelta(days=90),
    )
    client.force_login(decided_world["organizer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluations:review_cycle_start", args=[new.pk]))
        assert response.status_code == 302
    assert ReviewCycle.objects.get(pk=new.pk).status == "done"


def test_organizer_plans_a_cycle(client, decided_world):
    client.force_login(decided_world["organizer"])
    data = {
        "region": decided_world["tree"]["county_a"].pk,
        "kind": "annual",
        "period_start": "2031-01-01",
        "period_end": "2031-12-31",
        "due_at": "2032-01-05T02:00",
    }
    response = client.post(reverse("evaluations:review_cycle_create"), data)
    assert response.status_code == 302
    assert ReviewCycle.objects.filter(period_start=dt.date(2031, 1, 1)).count() == 1


def test_organizer_cannot_plan_for_another_county(client, decided_world):
    client.force_login(decided_world["stranger"])
    data = {
        "region": decided_world["tree"]["county_a"].pk,
        "kind": "annual",
        "period_start": "2031-01-01",
        "period_end": "2031-12-31",
        "due_at": "2032-01-05T02:00",
    }
    response = client.post(reverse("evaluations:review_cycle_create"), data)
    assert response.status_code == 302
    assert not ReviewCycle.objects.filter(period_start=dt.date(2031, 1, 1)).exists()


def test_instructor_sees_own_outcome_once_decided(client, decided_world):
    review_services.review_proposal_decide(proposal=decided_world["proposal"], by=decided_world["organizer"])
    client.force_login(decided_world["person"].user)
    assert client.get(_pages(decided_world)["review_proposal_detail"]).status_code == 200
    assert decided_world["cycle"].region.name in client.get(reverse("evaluations:review_my_outcomes")).content.decode()


def test_instructor_does_not_see_undecided_proposal(client, decided_world):
    client.force_login(decided_world["person"].user)
    assert client.get(_pages(decided_world)["review_proposal_detail"]).status_code == 404


def test_another_instructor_does_not_see_the_outcome(client, decided_world):
    review_services.review_proposal_decide(proposal=decided_world["proposal"], by=decided_world["organizer"])
    client.force_login(decided_world["other"].user)
    assert client.get(_pages(decided_world)["review_proposal_detail"]).status_code == 404


# --- Query counts ---------------------------------------------------------------------------------------------------


def test_review_cycle_list_query_count_does_not_grow(client, decided_world):
    client.force_login(decided_world["organizer"])
    url = reverse("evaluations:review_cycle_list")
    one = count_queries(client, url)
    for year in (2040, 2041):
        cycle(decided_world["tree"]["county_a"], start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    assert count_queries(client, url) == one


def test_review_cycle_detail_query_count_does_not_grow(client, decided_world):
    client.force_login(decided_world["organizer"])
    url = _pages(decided_world)["review_cycle_detail"]
    ReviewProposal.objects.filter(instructor=decided_world["other"]).delete()
    one = count_queries(client, url)
    for _ in range(2):
        extra = f.instructor(region=decided_world["tree"]["town_a"])
        ReviewProposal.objects.create(cycle=decided_world["cycle"], instructor=extra, proposal="retain", rule="retain")
    assert count_queries(client, url) == one


def test_my_outcomes_and_messages_query_counts_do_not_grow(client, decided_world):
    person = decided_world["person"]
    review_services.review_proposal_decide(proposal=decided_world["proposal"], by=decided_world["organizer"])
    client.force_login(person.user)
    urls = [reverse("evaluations:review_my_outcomes"), reverse("evaluations:notification_list")]
    one = [count_queries(client, url) for url in urls]
    for year in (2040, 2041):
        c = cycle(decided_world["tree"]["county_a"], start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
        ReviewProposal.objects.create(
            cycle=c, instructor=person, proposal="warn", rule="x", status="approved", decision="warn"
        )
        Notification.objects.create(user=person.user, text="x")
    assert [count_queries(client, url) for url in urls] == one
