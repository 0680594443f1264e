"""Validation and masking of Chinese resident ID numbers and mobile phone numbers."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    """An 18-character resident ID (GB 11643): digits, a valid birth date and the ISO 7064 check character."""
    if not _ID_RE.match(value or ""):
        raise ValidationError(_("An ID card number has 17 digits followed by a digit or X."), code="id_format")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationError(
            _("The birth date inside the ID card number is not a real date."), code="id_date"
        ) from exc
    if born.year < 1900 or born > date.today():
        raise ValidationError(_("The birth date inside the ID card number is not plausible."), code="id_date")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("The ID card number's check character is wrong; please check for typos."), code="id_check"
        )


def validate_phone(value: str) -> None:
    if not _PHONE_RE.match(value or ""):
        raise ValidationError(_("A mobile number has 11 digits and starts with 13–19."), code="phone")


def mask_id_number(value: str) -> str:
    return f"{value[:4]}**********{value[-4:]}" if len(value) == 18 else "******"


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else "****"
