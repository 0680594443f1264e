"""Which greeting occasions fall on a date. Lunar festivals (春节 = 1st of the 1st lunar month, 中秋 = 15th of the
8th) are converted by the ``lunardate`` library, not a table of our own that would run out."""

from __future__ import annotations

import datetime as dt

from lunardate import LunarDate

from .models import Occasion


def occasions_on(day: dt.date) -> list[str]:
    """The festival occasions on ``day`` (the pool anniversary is per person: see ``is_anniversary``)."""
    found = []
    if (day.month, day.day) == (9, 10):
        found.append(Occasion.TEACHERS_DAY)
    if (day.month, day.day) == (7, 1):
        found.append(Occasion.JULY_FIRST)
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    if not lunar.is_leap_month:
        if (lunar.month, lunar.day) == (1, 1):
            found.append(Occasion.SPRING_FESTIVAL)
        if (lunar.month, lunar.day) == (8, 15):
            found.append(Occasion.MID_AUTUMN)
    return found


def is_anniversary(joined_on: dt.date, day: dt.date) -> bool:
    """Same month and day in a later year; someone who joined on 29 February is greeted on 28 February."""
    if day.year <= joined_on.year:
        return False
    if (joined_on.month, joined_on.day) == (2, 29):
        leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
        return (day.month, day.day) == ((2, 29) if leap else (2, 28))
    return (day.month, day.day) == (joined_on.month, joined_on.day)
