"""Model months as calendar dates (month 0 is the run's ``start_date``, December 2022)."""

from __future__ import annotations

import datetime as dt

DEFAULT_START = "2022-12"


def month_date(month: float, start_date: str = DEFAULT_START) -> dt.date:
    """First day of the calendar month that model month ``month`` falls in."""
    year, mon = (int(x) for x in start_date.split("-")[:2])
    index = year * 12 + (mon - 1) + int(month // 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def month_label(month: float, start_date: str = DEFAULT_START) -> str:
    """'Mar 2023' for a model month."""
    return month_date(month, start_date).strftime("%b %Y")


def month_with_index(month: float, start_date: str = DEFAULT_START) -> str:
    """'Mar 2023 (month 3)': the calendar date with the model month, for cross-checking."""
    return f"{month_label(month, start_date)} (month {int(month // 1)})"
