"""Steppers: the steps of a process, which are done, which one is current, and what to do next.

Each process (a review cycle, a competition) has a pure function that turns the object's real state into a
``Progress``; every page of the process renders it with templates/includes/_steps.html. Nothing here knows an app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DONE, CURRENT, TODO = "done", "current", "todo"
FULL_WIDTH_STOP = re.compile(r"([。！？；：，])\s+")


def sentences(text: str) -> str:
    """Sentences joined with a space, without the space after Chinese punctuation (一句。 二句 → 一句。二句)."""
    return FULL_WIDTH_STOP.sub(r"\1", text).strip()


@dataclass(frozen=True)
class Step:
    """One step of a process; ``state`` is done, current or todo."""

    key: str
    label: str
    state: str = TODO

    @property
    def is_done(self) -> bool:
        return self.state == DONE

    @property
    def is_current(self) -> bool:
        return self.state == CURRENT


@dataclass(frozen=True)
class NextAction:
    """What to do next: a sentence, and a button (``method`` post) or a link when this user may do it."""

    text: str
    label: str = ""
    url: str = ""
    method: str = "get"
    confirm: str = ""

    @property
    def is_form(self) -> bool:
        return bool(self.url) and self.method == "post"


@dataclass(frozen=True)
class Progress:
    """The steps of a process in order and the next action (None once the process is over)."""

    steps: list[Step]
    next: NextAction | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def current(self) -> Step | None:
        return next((s for s in self.steps if s.state == CURRENT), None)

    @property
    def states(self) -> dict[str, str]:
        return {s.key: s.state for s in self.steps}


def steps_at(labels: list[tuple[str, str]], current: str | None) -> list[Step]:
    """The steps ``labels`` ([(key, label)]) with those before ``current`` done and ``current`` highlighted;
    ``current`` None means every step is done."""
    keys = [key for key, _label in labels]
    index = keys.index(current) if current is not None else len(keys)
    return [
        Step(key, label, DONE if i < index else CURRENT if i == index else TODO)
        for i, (key, label) in enumerate(labels)
    ]
