"""十佳课程擂台赛: trimming, normalisation, parts and tie-breaks by hand; conflicts, visibility, publication, pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import PremiumLibraryEntry
from evaluations.competition import services as competition_services
from evaluations.models import (
    AudienceScore,
    Competition,
    CompetitionResult,
    Entry,
    JudgeAssignment,
    JudgeFlag,
    JudgeScore,
    PeerScore,
)
from evaluations.scoring import ranking as ranking
from instructors.models import User
from tests import factories as f
from tests.conftest import refused
from tests.evaluations.factories import formset_data, judge_scores, make_competition
from tests.helpers import count_queries
from tests.outreach import factories as of

P = ranking.COMPETITION_DEFAULTS


# --- Pure formulas --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "t"), [(1, 0), (4, 0), (5, 1), (9, 1), (10, 2), (15, 2)])
def test_trim_count_table(n, t):
    assert ranking.trim_count(n) == t


def test_trimmed_mean_drops_one_copy_of_a_repeated_extreme():
    # 60 twice at the bottom, 90 twice at the top: t = 1 drops one 60 and one 90 only.
    result = ranking.trimmed_mean({1: 60, 2: 60, 3: 80, 4: 90, 5: 90})
    assert (round(result.mean, 2), result.dropped) == (76.67, [1, 5])


def test_trimmed_mean_with_ten_scores_drops_two_each_end():
    scores = dict(enumerate([50, 70, 70, 72, 74, 76, 78, 80, 80, 99]))
    assert ranking.trimmed_mean(scores).mean == pytest.approx((70 + 72 + 74 + 76 + 78 + 80) / 6)


def test_missing_judge_changes_the_trimming_not_a_zero():
    # Five judges, one recused: four scores left, t = 0, the mean of the four.
    assert ranking.trimmed_mean({1: 80, 2: 82, 3: 84, 4: 86}).mean == 83


def test_normalising_only_when_judges_scored_different_subsets():
    same = {1: {10: 80, 11: 70}, 2: {10: 82, 11: 72}}
    different = {1: {10: 80, 11: 70}, 2: {10: 82}}
    assert (ranking.needs_normalising(same), ranking.needs_normalising(different)) == (False, True)


def test_normalise_maps_a_lenient_judge_onto_the_panel():
    # Judge 1 scores 5 entries at 90..98, judge 2 scores the same 5 at 70..78 plus a sixth: both have ≥ 5 scores.
    scores = {e: {1: 90 + 2 * e, 2: 70 + 2 * e} for e in range(5)}
    scores[5] = {2: 80}
    used, normalised = ranking.normalise(scores, min_scores=5)
    assert normalised == {1, 2}
    assert used[0][1] == pytest.approx(used[0][2], abs=2.5)


def test_judge_with_fewer_than_five_scores_keeps_raw_scores():
    scores = {0: {1: 90, 2: 70}, 1: {2: 72}, 2: {2: 74}, 3: {2: 76}, 4: {2: 78}}
    used, normalised = ranking.normalise(scores, min_scores=5)
    assert (normalised, used[0][1]) == ({2}, 90)


def test_final_score_renormalises_over_present_parts():
    assert ranking.final_score({"judges": 80, "peers": None, "audience": 90}, P["parts"]) == pytest.approx(
        (0.7 * 80 + 0.1 * 90) / 0.8
    )


def test_audience_is_shrunk_toward_the_mean():
    # (5·90 + 10·70) / 15 = 76.67
    assert round(ranking.shrink_audience(5, 90, 70, 10), 2) == 76.67


def _row(entry, final, judges, effect, median):
    return ranking.Ranked(entry, Decimal(final), Decimal(judges), Decimal(effect), Decimal(median))


def test_tie_on_f_is_broken_by_judges_then_effect_then_median():
    rows = [
        _row(1, "85.00", "84.00", "80", "84"),
        _row(2, "85.00", "86.00", "70", "84"),
        _row(3, "85.00", "84.00", "82", "84"),
        _row(4, "85.00", "84.00", "82", "85"),
        _row(5, "90.00", "80.00", "80", "80"),
    ]
    ranked = ranking.rank(rows)
    assert [(r.entry, r.rank) for r in ranked] == [(5, 1), (2, 2), (4, 3), (3, 4), (1, 5)]
    assert [r.tie_break for r in ranked[1:]] == ["judges", "judges", "median", "effect"]


def test_complete_tie_shares_the_rank():
    rows = [_row(1, "85", "84", "80", "84"), _row(2, "85", "84", "80", "84"), _row(3, "80", "80", "80", "80")]
    assert [r.rank for r in ranking.rank(rows)] == [1, 1, 3]


def test_judge_far_from_the_mean_on_a_third_of_entries_is_flagged():
    used = {e: {1: 80, 2: 81, 3: 79, 4: 80, 5: 80 + (30 if e < 3 else 0)} for e in range(10)}
    means = {e: 80.0 for e in range(10)}
    assert ranking.flagged_judges(used, means, distance=15, share=0.30) == {5: (3, 10)}


# --- Database world -------------------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    tree = f.region_tree()
    city = tree["city"]
    competition = make_competition(city)
    groups = [f.group(region=city, name=f"第{i}教研组") for i in range(12)]
    entries, entrants = [], []
    for i, group in enumerate(groups):
        account = f.user()
        person = f.instructor(region=tree["county_a"], user=account, name=f"讲师{i}")
        person.groups.add(group)
        entrants.append(person)
        entry = Entry.objects.create(competition=competition, course=of.course(lead=person), group=group, number=i + 1)
        entry.instructors.add(person)
        entries.append(entry)
    judges = [f.user(role=User.Role.JUDGE, username=f"judge{i}") for i in range(5)]
    for j, judge in enumerate(judges):
        for i, entry in enumerate(entries):
            assignment = competition_services.judge_assign(entry=entry, judge=judge)
            judge_scores(assignment, 60 + 3 * i + j)
    return {
        "tree": tree,
        "competition": competition,
        "entries": entries,
        "entrants": entrants,
        "groups": groups,
        "judges": judges,
        "organizer": f.organizer(city),
        "stranger": f.organizer(tree["county_b"]),
    }


def test_judge_from_the_entrants_group_is_refused(world):
    member = f.user(role=User.Role.JUDGE)
    f.instructor(region=world["tree"]["county_b"], user=member).groups.add(world["groups"][0])
    with refused("judge_same_group"):
        competition_services.judge_assign(entry=world["entries"][0], judge=member)


def test_the_entrant_cannot_judge_their_own_entry(world):
    with refused("own_entry"):
        competition_services.judge_assign(entry=world["entries"][0], judge=world["entrants"][0].user)


def test_assign_all_skips_conflicts_and_reports_them(world):
    member = f.user(role=User.Role.JUDGE)
    f.instructor(region=world["tree"]["county_b"], user=member).groups.add(world["groups"][3])
    assigned, refused = competition_services.judge_assign_all(competition=world["competition"], judge=member)
    assert (assigned, [e for e, _reason in refused]) == (11, [world["entries"][3]])


def test_peer_score_from_own_group_is_refused(world):
    Competition.objects.filter(pk=world["competition"].pk).update(
        phase="preliminary", preliminary_ends=timezone.localdate()
    )
    entry = Entry.objects.select_related("competition").get(pk=world["entries"][0].pk)
    with refused("own_entry"):
        competition_services.peer_score_submit(
            entry=entry, group=world["groups"][0], value=Decimal(90), by=world["organizer"]
        )


def test_judge_cannot_change_scores_after_the_round_closes(world):
    assignment = JudgeAssignment.objects.filter(judge=world["judges"][0]).first()
    values = {c: Decimal(70) for c in JudgeScore.Criterion.values}
    competition_services.judge_score_submit(assignment=assignment, values=values, by=world["judges"][0])
    Competition.objects.filter(pk=world["competition"].pk).update(phase="publicity")
    with refused("round_closed"):
        competition_services.judge_score_submit(assignment=assignment, values=values, by=world["judges"][0])


def test_ranking_orders_entries_and_rerun_gives_identical_rows(world):
    competition_services.competition_rank(competition_id=world["competition"].pk)
    first = list(CompetitionResult.objects.order_by("pk").values_list("pk", "entry_id", "final", "rank", "breakdown"))
    competition_services.competition_rank(competition_id=world["competition"].pk)
    again = list(CompetitionResult.objects.order_by("pk").values_list("pk", "entry_id", "final", "rank", "breakdown"))
    assert again == first
    assert CompetitionResult.objects.get(rank=1).entry == world["entries"][-1]


def test_ranking_breakdown_shows_trimmed_judges(world):
    competition_services.competition_rank(competition_id=world["competition"].pk)
    breakdown = CompetitionResult.objects.get(entry=world["entries"][0]).breakdown
    # Scores 60..64 from judges 0..4: the lowest and highest are trimmed, the mean of 61, 62, 63 is 62.
    trimmed = [row["judge"] for row in breakdown["judges"] if row["trimmed"]]
    assert (trimmed, breakdown["judges_mean"]) == ([world["judges"][0].pk, world["judges"][4].pk], 62.0)


def test_ranking_uses_peers_and_audience(world):
    entry = world["entries"][0]
    PeerScore.objects.create(entry=entry, group=world["groups"][1], value=Decimal(80))
    PeerScore.objects.create(entry=entry, group=world["groups"][0], value=Decimal(100))  # own group: ignored
    AudienceScore.objects.create(entry=entry, n=10, mean=Decimal(90))
    competition_services.competition_rank(competition_id=world["competition"].pk)
    result = CompetitionResult.objects.get(entry=entry)
    # audience μ = 90 (the only audience), shrunk 90; F = (0.7·62 + 0.2·80 + 0.1·90) / 1.0 = 68.40
    assert (result.peers, result.audience, result.final) == (Decimal("80.00"), Decimal("90.00"), Decimal("68.40"))


def test_flagged_judge_is_stored(world):
    odd = f.user(role=User.Role.JUDGE, username="odd")
    for entry in world["entries"][:6]:
        judge_scores(competition_services.judge_assign(entry=entry, judge=odd), 10)
    competition_services.competition_rank(competition_id=world["competition"].pk)
    assert list(JudgeFlag.objects.values_list("judge__username", flat=True)) == ["odd"]


def test_publication_promotes_the_top_ten_to_next_years_library(world):
    competition_services.competition_rank(competition_id=world["competition"].pk)
    competition_services.competition_advance(competition=world["competition"], by=world["organizer"])
    library = PremiumLibraryEntry.objects.filter(year=2030, reason=PremiumLibraryEntry.Reason.COMPETITION_TOP_TEN)
    assert library.count() == 10
    assert not library.filter(course=world["entries"][0].course).exists()


def test_publication_needs_a_ranking(world):
    with refused("not_ranked"):
        competition_services.competition_advance(competition=world["competition"], by=world["organizer"])


# --- Visibility and pages -------------------------------------------------------------------------------------------


def test_judge_does_not_see_results_before_publication(client, world):
    competition_services.competition_rank(competition_id=world["competition"].pk)
    client.force_login(world["judges"][0])
    assert client.get(reverse("evaluations:competition_results", args=[world["competition"].pk])).status_code == 404


def test_judge_sees_every_judges_score_after_publication(client, world):
    competition_services.competition_rank(competition_id=world["competition"].pk)
    competition_services.competition_advance(competition=world["competition"], by=world["organizer"])
    client.force_login(world["judges"][0])
    content = client.get(reverse("evaluations:competition_results", args=[world["competition"].pk])).content.decode()
    assert "judge4" in content


def test_judge_score_page_shows_only_own_scores(client, world):
    JudgeScore.objects.filter(assignment__judge=world["judges"][1], assignment__entry=world["entries"][0]).update(
        value=Decimal("77.77")
    )
    client.force_login(world["judges"][0])
    content = client.get(reverse("evaluations:competition_score", args=[world["competition"].pk])).content.decode()
    assert "77.77" not in content and 'value="60.00"' in content


def test_judge_saves_scores_from_the_page(client, world):
    mine = JudgeAssignment.objects.get(judge=world["judges"][0], entry=world["entries"][0])
    client.force_login(world["judges"][0])
    url = reverse("evaluations:competition_score", args=[world["competition"].pk])
    formset = client.get(url).context["formset"]
    response = client.post(url, formset_data(formset, {mine.pk: {c: "88" for c in JudgeScore.Criterion.values}}))
    assert response.status_code == 302
    assert set(mine.scores.values_list("value", flat=True)) == {Decimal("88.00")}


def test_judge_score_with_a_criterion_missing_saves_nothing_and_names_the_row(client, world):
    mine = JudgeAssignment.objects.get(judge=world["judges"][0], entry=world["entries"][0])
    client.force_login(world["judges"][0])
    url = reverse("evaluations:competition_score", args=[world["competition"].pk])
    formset = client.get(url).context["formset"]
    response = client.post(url, formset_data(formset, {mine.pk: {"content": "88", "method": "120"}}))
    assert response.status_code == 400 and f"{world['entries'][0].number}" in response.content.decode()
    assert set(mine.scores.values_list("value", flat=True)) == {Decimal("60.00")}


def test_score_page_is_404_for_someone_without_assignments(client, world):
    client.force_login(world["entrants"][0].user)
    assert client.get(reverse("evaluations:competition_score", args=[world["competition"].pk])).status_code == 404


def test_organizer_sees_results_before_publication(client, world):
    competition_services.competition_rank(competition_id=world["competition"].pk)
    client.force_login(world["organizer"])
    assert client.get(reverse("evaluations:competition_results", args=[world["competition"].pk])).status_code == 200


@pytest.mark.parametrize("name", ["competition_detail", "competition_results"])
def test_competition_pages_hide_from_organizer_of_another_county(client, world, name):
    client.force_login(world["stranger"])
    assert client.get(reverse(f"evaluations:{name}", args=[world["competition"].pk])).status_code == 404


@pytest.mark.parametrize("name", ["competition_rank", "competition_advance", "competition_judge_assign"])
def test_competition_actions_refuse_instructors_and_strangers(client, world, name):
    url = reverse(f"evaluations:{name}", args=[world["competition"].pk])
    client.force_login(world["entrants"][0].user)
    assert client.post(url).status_code == 403
    client.force_login(world["stranger"])
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("name", ["competition_list", "competition_detail", "competition_results", "competition_score"])
def test_competition_pages_send_anonymous_users_to_login(client, world, name):
    url = reverse(f"evaluations:{name}", args=[] if name == "competition_list" else [world["competition"].pk])
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_organizer_ranks_and_publishes_from_the_page(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["organizer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluations:competition_rank", args=[world["competition"].pk]))
        assert response.status_code == 302
    response = client.post(reverse("evaluations:competition_advance", args=[world["competition"].pk]))
    assert response.status_code == 302
    assert Competition.objects.get(pk=world["competition"].pk).phase == "publicity"


def test_certificate_only_for_the_top_ten_after_publication(client, world):
    competition_services.competition_rank(competition_id=world["competition"].pk)
    first = CompetitionResult.objects.get(rank=1)
    last = CompetitionResult.objects.get(rank=12)
    client.force_login(world["organizer"])
    assert client.get(reverse("evaluations:competition_certificate", args=[first.pk])).status_code == 404
    competition_services.competition_advance(competition=world["competition"], by=world["organizer"])
    assert client.get(reverse("evaluations:competition_certificate", args=[first.pk])).status_code == 200
    assert client.get(reverse("evaluations:competition_certificate", args=[last.pk])).status_code == 404


def test_entrant_sees_the_competition_in_the_list(client, world):
    client.force_login(world["entrants"][0].user)
    assert world["competition"].name in client.get(reverse("evaluations:competition_list")).content.decode()


def test_competition_list_query_count_does_not_grow(client, world):
    client.force_login(world["organizer"])
    url = reverse("evaluations:competition_list")
    one = count_queries(client, url)
    make_competition(world["tree"]["city"], year=2027)
    make_competition(world["tree"]["city"], year=2028)
    assert count_queries(client, url) == one


def test_competition_detail_query_count_does_not_grow(client, db):
    tree = f.region_tree()
    competition = make_competition(tree["city"])
    f.user(role=User.Role.JUDGE)  # the organizer's page offers the judges
    competition_services.competition_params()  # the settings version in force exists, as on any real site

    def add_entries(n: int) -> None:
        for _ in range(n):
            number = competition.entries.count() + 1
            people = [f.instructor(region=tree["county_a"], name=f"讲师{number}{k}") for k in range(2)]
            entry = Entry.objects.create(
                competition=competition, course=of.course(lead=people[0]), group=f.group(region=tree["city"])
            )
            entry.instructors.add(*people)

    client.force_login(f.organizer(tree["city"]))
    url = reverse("evaluations:competition_detail", args=[competition.pk])
    add_entries(1)
    one = count_queries(client, url)
    add_entries(2)
    assert count_queries(client, url) == one


def test_competition_results_query_count_does_not_grow(client, db):
    tree = f.region_tree()
    competition = make_competition(tree["city"])
    organizer = f.organizer(tree["city"])
    judge = f.user(role=User.Role.JUDGE)

    def add_entry(i: int) -> None:
        person = f.instructor(region=tree["county_a"], name=f"讲师{i}")
        entry = Entry.objects.create(
            competition=competition, course=of.course(lead=person), group=f.group(region=tree["city"])
        )
        entry.instructors.add(person)
        judge_scores(competition_services.judge_assign(entry=entry, judge=judge), 70 + i)

    add_entry(0)
    competition_services.competition_rank(competition_id=competition.pk)
    client.force_login(organizer)
    url = reverse("evaluations:competition_results", args=[competition.pk])
    one = count_queries(client, url)
    add_entry(1)
    add_entry(2)
    competition_services.competition_rank(competition_id=competition.pk)
    assert count_queries(client, url) == one


@pytest.mark.django_db
def test_demo_competition_is_deterministic_and_idempotent():
    from config.demo import competition as demo_competition
    from config.demo import courses as courses_demo
    from config.demo import instructors as instructors_demo

    instructors_demo.seed(scale="city", seed=1)
    courses_demo.seed(scale="city", seed=1)
    assert demo_competition.seed(scale="city", seed=1, stdout=None) == {"competitions": 2}
    assert demo_competition.seed(scale="city", seed=1, stdout=None) == {"competitions": 0}
    finished = Competition.objects.get(phase=Competition.Phase.CLOSED)
    assert (finished.entries.count(), finished.results.filter(promoted=True).count()) == (40, 10)
    assert Competition.objects.filter(phase=Competition.Phase.FINAL).count() == 1
    # The edge cases are there on purpose: an entry short of judges (not ranked) and the demo instructor a finalist.
    short = finished.results.get(rank__isnull=True)
    assert (short.breakdown["judges_n"], short.breakdown["eligible"]) == (3, False)
    assert finished.results.filter(entry__instructors__user__username="instructor", rank__gt=10).exists()


# --- Pages: peer review among entrants and the audience's votes -----------------------------------------------------


def _preliminary(world):
    Competition.objects.filter(pk=world["competition"].pk).update(
        phase=Competition.Phase.PRELIMINARY, preliminary_ends=timezone.localdate()
    )


def _lead(world, i: int):
    group = world["groups"][i]
    group.leader = world["entrants"][i]
    group.save()
    return world["entrants"][i].user


def test_group_leader_scores_the_other_entries_and_sees_only_her_own_scores(client, world):
    _preliminary(world)
    leader = _lead(world, 0)
    other = world["entries"][1]
    PeerScore.objects.create(entry=other, group=world["groups"][2], value=Decimal("61.25"))  # another group's
    client.force_login(leader)
    url = reverse("evaluations:competition_peer", args=[world["competition"].pk])
    page = client.get(url)
    body = page.content.decode()
    shown = [form.initial["entry"] for form in page.context["formset"].forms]
    assert world["entries"][0].pk not in shown and other.pk in shown  # never her own entry
    assert "61.25" not in body
    response = client.post(url, formset_data(page.context["formset"], {other.pk: {"value": "88.5"}}))
    assert response.status_code == 302
    saved = PeerScore.objects.get(entry=other, group=world["groups"][0])
    assert (saved.value, saved.submitted_by) == (Decimal("88.50"), leader)
    assert PeerScore.objects.filter(group=world["groups"][0]).count() == 1


def test_one_bad_peer_score_saves_nothing_and_says_which(client, world):
    _preliminary(world)
    client.force_login(_lead(world, 0))
    url = reverse("evaluations:competition_peer", args=[world["competition"].pk])
    e1, e2 = world["entries"][1], world["entries"][2]
    formset = client.get(url).context["formset"]
    response = client.post(url, formset_data(formset, {e1.pk: {"value": "90"}, e2.pk: {"value": "120"}}))
    assert response.status_code == 400
    assert "0 至 100" in response.content.decode() and f"{e2.number}" in response.content.decode()
    assert PeerScore.objects.count() == 0
    response = client.post(url, formset_data(formset, {e1.pk: {"value": "<script>alert(1)</script>"}}))
    assert response.status_code == 400 and "<script>alert(1)" not in response.content.decode()
    assert PeerScore.objects.count() == 0


def test_peer_review_outside_the_preliminary_round_stores_nothing(client, world):
    client.force_login(_lead(world, 0))  # the world's competition is in the final
    url = reverse("evaluations:competition_peer", args=[world["competition"].pk])
    page = client.get(url)
    assert "disabled" in page.content.decode()
    response = client.post(url, formset_data(page.context["formset"], {world["entries"][1].pk: {"value": "80"}}))
    assert response.status_code == 302 and PeerScore.objects.count() == 0  # the closed rows are not taken


def test_only_leaders_and_organizers_reach_the_peer_page(client, world):
    _preliminary(world)
    url = reverse("evaluations:competition_peer", args=[world["competition"].pk])
    client.force_login(world["entrants"][0].user)  # a member, not the leader
    assert client.get(url).status_code == 404
    client.force_login(world["stranger"])
    assert client.get(url).status_code == 404
    client.force_login(world["organizer"])  # a paper ballot, entered for a chosen group
    page = client.get(url, {"group": world["groups"][3].pk})
    assert page.context["group"] == world["groups"][3]
    with refused("not_group_leader"):
        competition_services.peer_score_submit(
            entry=world["entries"][1], group=world["groups"][0], value=Decimal(80), by=world["entrants"][0].user
        )


def test_organizer_records_audience_votes_in_the_final_only(client, world):
    client.force_login(world["organizer"])
    url = reverse("evaluations:competition_audience", args=[world["competition"].pk])
    e1, e2 = world["entries"][0], world["entries"][1]
    formset = client.get(url).context["formset"]
    votes = {e1.pk: {"n": "40", "mean": "91"}, e2.pk: {"n": "12"}}  # e2 has no mean
    bad = client.post(url, formset_data(formset, votes))
    assert bad.status_code == 400 and AudienceScore.objects.count() == 0
    assert client.post(url, formset_data(formset, {e1.pk: {"n": "40", "mean": "91.5"}})).status_code == 302
    saved = AudienceScore.objects.get(entry=e1)
    assert (saved.n, saved.mean, saved.entered_by) == (40, Decimal("91.50"), world["organizer"])
    Competition.objects.filter(pk=world["competition"].pk).update(phase=Competition.Phase.PUBLICITY)
    late = client.post(url, formset_data(formset, {e1.pk: {"n": "400", "mean": "10"}}))
    assert late.status_code == 302 and AudienceScore.objects.get(entry=e1).n == 40  # closed rows are not taken
    client.force_login(world["stranger"])
    assert client.get(url).status_code == 404


def test_peer_and_audience_pages_do_not_query_per_entry(client, world):
    _preliminary(world)
    client.force_login(world["organizer"])
    urls = [reverse(name, args=[world["competition"].pk]) for name in ("evaluations:competition_peer",)]
    urls.append(reverse("evaluations:competition_audience", args=[world["competition"].pk]))

    def counts() -> list[int]:
        return [count_queries(client, url) for url in urls]

    before = counts()
    for i in range(5):
        person = f.instructor(region=world["tree"]["county_a"], name=f"新讲师{i}")
        entry = Entry.objects.create(
            competition=world["competition"],
            course=of.course(lead=person),
            group=world["groups"][i],
            number=20 + i,
        )
        entry.instructors.add(person)
        AudienceScore.objects.create(entry=entry, n=10, mean=Decimal(80))
        PeerScore.objects.create(entry=entry, group=world["groups"][0], value=Decimal(70))
    assert counts() == before


def test_judge_recuses_from_the_score_page_and_the_score_is_missing(client, world):
    mine = JudgeAssignment.objects.get(judge=world["judges"][0], entry=world["entries"][0])
    client.force_login(world["judges"][0])
    response = client.post(reverse("evaluations:competition_recuse", args=[mine.pk]))
    mine.refresh_from_db()
    assert (response.status_code, mine.recused, mine.scores.count()) == (302, True, 0)


def test_a_judge_cannot_recuse_another_judge(client, world):
    theirs = JudgeAssignment.objects.get(judge=world["judges"][1], entry=world["entries"][0])
    client.force_login(world["judges"][0])
    assert client.post(reverse("evaluations:competition_recuse", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.recused is False


def test_recusing_after_the_round_closed_is_refused(world):
    Competition.objects.filter(pk=world["competition"].pk).update(phase=Competition.Phase.PUBLICITY)
    mine = JudgeAssignment.objects.select_related("competition").get(
        judge=world["judges"][0], entry=world["entries"][0]
    )
    with refused("round_closed"):
        competition_services.judge_recuse(assignment=mine, by=world["judges"][0])
