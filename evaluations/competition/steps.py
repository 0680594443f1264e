"""The steps of a 十佳课程擂台赛 (报名 → 初赛互评 → 决赛评分 → 计算排名 → 发布结果 → 公示) from its real state.

Pure: ``competition_steps`` takes the competition and a ``CompetitionFacts`` (counted once by
``selectors.competition_facts``) and reads nothing else, so each state is unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.steps import NextAction, Progress, sentences, steps_at
from evaluations.models import Competition

SEP = "、"


@dataclass(frozen=True)
class CompetitionFacts:
    """What the steps depend on beyond the competition row; every field has the value of 'nothing known'."""

    entries_n: int = 0
    groups_missing: list[str] = field(default_factory=list)  # entrant groups that have not scored every other entry
    judges_n: int = 0  # judges assigned to the final, not recused
    judges_lacking: list[str] = field(default_factory=list)  # judges with final-round scores still to give
    entries_short: int = 0  # entries with fewer complete judges than the minimum
    changed_since_ranking: bool = False
    my_open_assignments: int = 0  # the viewing judge's own assignments not fully scored
    my_groups_missing: list[str] = field(default_factory=list)  # the viewer's own groups that still have to score
    manages: bool = False


def _labels() -> list[tuple[str, str]]:
    return [
        ("registration", _("Registration")),
        ("preliminary", _("Preliminary peer review")),
        ("final", _("Final: judges score")),
        ("rank", _("Compute the ranking")),
        ("publish", _("Publish the results")),
        ("publicity", _("Public notice")),
    ]


def competition_current_step(competition: Competition, facts: CompetitionFacts | None = None) -> str | None:
    """The key of the current step (None when the competition is closed). Without ``facts`` (a list row) the final
    is current until the ranking has been computed."""
    phase = competition.phase
    if phase in (Competition.Phase.REGISTRATION, Competition.Phase.PRELIMINARY):
        return phase
    if phase == Competition.Phase.FINAL:
        if facts is None:
            return "final" if competition.ranked_at is None else "publish"
        waiting = facts.entries_short or facts.judges_lacking
        if not facts.judges_n or (waiting and competition.ranked_at is None):
            return "final"
        if competition.ranked_at is None or facts.changed_since_ranking:
            return "rank"
        return "publish"
    if phase == Competition.Phase.PUBLICITY:
        return "publicity"
    return None


def competition_step_label(competition: Competition) -> str:
    """The current step's name for a list row, from the competition row alone."""
    current = competition_current_step(competition)
    return dict(_labels()).get(current, _("Closed")) if current else _("Closed")


def competition_steps(*, competition: Competition, facts: CompetitionFacts) -> Progress:
    """Where the competition stands and what this user should do next (a button for the organizers, a link for a
    judge or a group leader with scores to give, else who does it or what is missing)."""
    current = competition_current_step(competition, facts)
    advance = reverse("evaluations:competition_advance", args=[competition.pk])
    ends = competition.phase_ends(competition.phase)
    until = date_format(ends, "Y-m-d") if ends else ""
    if current == "registration":
        text = _("Registration is open until %(date)s; %(n)d entries so far.") % {"date": until, "n": facts.entries_n}
        if facts.manages and facts.entries_n:
            return _at(current, text, _("Start the preliminary peer review"), advance, method="post")
        return _at(current, text + " " + _("Then the organizers start the preliminary peer review."))
    if current == "preliminary":
        return _preliminary(competition, facts, until, advance)
    if current == "final":
        return _final(competition, facts)
    if current == "rank":
        if facts.changed_since_ranking:
            text = _("Scores have changed since the ranking was computed: compute it again.")
        elif facts.entries_short:
            text = _final_missing(facts) + " " + _("Entries below the judge minimum are not ranked.")
        else:
            text = _("All judges have scored: compute the ranking.")
        if facts.manages:
            rank = reverse("evaluations:competition_rank", args=[competition.pk])
            return _at(current, text, _("Compute the ranking"), rank, method="post")
        return _at(current, text + " " + _("The organizers compute the ranking."))
    if current == "publish":
        text = _("The ranking is computed: check it on the results page, then publish it.")
        if facts.manages:
            confirm = _("Publish the results? They can no longer be recomputed afterwards.")
            return _at(current, text, _("Publish the results"), advance, method="post", confirm=confirm)
        return _at(current, _("The organizers publish the results."))
    results = reverse("evaluations:competition_results", args=[competition.pk])
    if current == "publicity":
        text = _("The results are published; the public notice runs until %(date)s.") % {"date": until}
        if facts.manages:
            return _at(
                current,
                text + " " + _("Then close the competition."),
                _("Close the competition"),
                advance,
                method="post",
            )
        return _at(current, text, _("See the results"), results)
    return _at(None, _("The competition is closed."), _("See the results"), results)


def _preliminary(competition: Competition, facts: CompetitionFacts, until: str, advance: str) -> Progress:
    if facts.groups_missing:
        text = ngettext(
            "%(n)d teaching group has still to score the other entries: %(names)s.",
            "%(n)d teaching groups have still to score the other entries: %(names)s.",
            len(facts.groups_missing),
        ) % {"n": len(facts.groups_missing), "names": SEP.join(facts.groups_missing)}
    else:
        text = _("Every entrant group has scored the other entries.")
    text += " " + _("The peer review runs until %(date)s.") % {"date": until}
    if facts.manages:
        return _at("preliminary", text, _("Start the final"), advance, method="post")
    if facts.my_groups_missing:
        peer = reverse("evaluations:competition_peer", args=[competition.pk])
        return _at("preliminary", text, _("Enter our peer scores"), peer)
    return _at("preliminary", text + " " + _("Then the organizers start the final."))


def _final_missing(facts: CompetitionFacts) -> str:
    if facts.judges_lacking:
        return ngettext(
            "%(n)d judge has still to finish scoring: %(names)s.",
            "%(n)d judges have still to finish scoring: %(names)s.",
            len(facts.judges_lacking),
        ) % {"n": len(facts.judges_lacking), "names": SEP.join(facts.judges_lacking)}
    return ngettext(
        "%(n)d entry has fewer judges than the minimum: assign more judges.",
        "%(n)d entries have fewer judges than the minimum: assign more judges.",
        facts.entries_short,
    ) % {"n": facts.entries_short}


def _final(competition: Competition, facts: CompetitionFacts) -> Progress:
    if not facts.judges_n:
        text = _("No judge is assigned to the final yet.")
        if facts.manages:
            return _at("final", text, _("Assign judges"), competition.get_absolute_url() + "#judges")
        return _at("final", text + " " + _("The organizers assign the judges."))
    text = _final_missing(facts)
    if facts.my_open_assignments:
        score = reverse("evaluations:competition_score", args=[competition.pk])
        return _at("final", text, _("Enter my scores"), score)
    if facts.manages and facts.judges_lacking:
        return _at("final", text + " " + _("The ranking can be computed once they have scored."))
    if facts.manages:
        return _at("final", text, _("Assign judges"), competition.get_absolute_url() + "#judges")
    return _at("final", text)


def _at(
    current: str | None, text: str, label: str = "", url: str = "", *, method: str = "get", confirm: str = ""
) -> Progress:
    action = NextAction(text=sentences(text), label=label, url=url, method=method, confirm=confirm)
    return Progress(steps=steps_at(_labels(), current), next=action)
