"""The steps of an admit/retire review (创建考评周期 → 运行 → 审定 → 结果运用) computed from a cycle's real state.

Pure: takes the cycle and its counts, reads nothing from the database, so each state is unit-tested.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.steps import NextAction, Progress, sentences, steps_at
from evaluations.models import ReviewCycle


def _labels() -> list[tuple[str, str]]:
    return [
        ("create", _("Create the review cycle")),
        ("run", _("Run")),
        ("decide", _("Decide")),
        ("apply", _("Apply the outcomes")),
    ]


def review_steps(
    *, cycle: ReviewCycle | None, proposals_n: int = 0, undecided_n: int = 0, may_manage: bool = False
) -> Progress:
    """Where a review cycle stands and what to do next; ``cycle`` None is the review before any cycle exists."""
    plan = reverse("evaluations:review_cycle_list") + "#plan"
    if cycle is None:
        if may_manage:
            return _at("create", _("Plan a review cycle: the region, the period and when it runs."), _("Plan"), plan)
        return _at("create", _("An organizer plans the review cycle."))
    if cycle.status == ReviewCycle.Status.RUNNING:
        text = _("The review is running: %(processed)d of %(total)d instructors reviewed.") % {
            "processed": cycle.processed,
            "total": cycle.total,
        }
        return _at("run", text + " " + _("The proposals can be decided once it has finished."))
    if cycle.status == ReviewCycle.Status.PENDING:
        when = date_format(localtime(cycle.due_at), "Y-m-d H:i")
        text = _("The review runs automatically at %(when)s.") % {"when": when}
        if may_manage:
            start = reverse("evaluations:review_cycle_start", args=[cycle.pk])
            return _at("run", text + " " + _("You can also run it now."), _("Run now"), start, method="post")
        return _at("run", text)
    if undecided_n:
        text = ngettext("%(n)d proposal waits for a decision.", "%(n)d proposals wait for a decision.", undecided_n) % {
            "n": undecided_n
        }
        if may_manage:
            text += " " + _("Select them in the list and approve them, or open one to decide otherwise.")
            return _at("decide", text, _("Go to the proposals"), cycle.get_absolute_url() + "#proposals")
        return _at("decide", text + " " + _("An organizer of the region decides them."))
    if not proposals_n:
        text = _("The review proposed nothing: no instructor of the region had figures for the period.")
    else:
        text = _("Every proposal is decided: the outcomes are applied to the registry and the instructors notified.")
    if may_manage:
        return _at(None, text, _("Plan the next review cycle"), plan)
    return _at(None, text)


def _at(current: str | None, text: str, label: str = "", url: str = "", *, method: str = "get") -> Progress:
    return Progress(
        steps=steps_at(_labels(), current), next=NextAction(text=sentences(text), label=label, url=url, method=method)
    )
