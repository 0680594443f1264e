"""Refusals: every ValidationError a service raises carries a code, so a test can tell which rule refused."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A refusal that belongs to one form field, with its code (``ValidationError({field: msg})`` has none)."""
    return ValidationError({field: ValidationError(message, code=code)})


def error_text(exc: ValidationError) -> str:
    """All messages of a refusal in one line, for ``messages.error`` after a POST."""
    return " ".join(exc.messages)


def error_codes(exc: ValidationError) -> list[str | None]:
    """The codes of every error inside a refusal, field errors included, in order."""
    if hasattr(exc, "error_dict"):
        return [code for errors in exc.error_dict.values() for error in errors for code in error_codes(error)]
    return [error.code for error in exc.error_list]
