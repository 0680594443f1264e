"""Refusal assertions: a test of a refusal names the rule that refused (its code), so it cannot pass because a
different rule refused."""

from __future__ import annotations

import contextlib
import os

import pytest
from django.core.exceptions import ValidationError

from core.errors import error_codes


@contextlib.contextmanager
def refused(*codes: str):
    """``with refused("transition_not_allowed"): ...`` — a ValidationError whose codes are exactly ``codes``."""
    with pytest.raises(ValidationError) as info:
        yield info
    found = error_codes(info.value)
    probe = os.environ.get("REFUSAL_PROBE")
    if probe:
        with open(probe, "a") as out:
            out.write(f"{os.environ.get('PYTEST_CURRENT_TEST', '').split(' ')[0]}\t{found}\n")
        return
    assert found == list(codes)
