"""A partner's business calendar: which dates it settles on, so a quiet day blocks nothing.

Days run in order, and "the previous day" of a partner-day is the previous business date of
that partner's calendar, not the previous calendar date: a weekday partner's Monday follows its
Friday. Holidays are listed explicitly (partner contracts and bank calendars differ too much for
a built-in list to be right).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

WEEKEND = (5, 6)  # Saturday, Sunday as date.weekday()
MAX_GAP_DAYS = 366  # no calendar has a year without a business day; bounds every walk


class BusinessCalendar(BaseModel):
    """Every day, or Monday to Friday, less the listed holidays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: Literal["every_day", "weekdays"] = "every_day"
    holidays: tuple[date, ...] = ()

    @field_validator("holidays")
    @classmethod
    def _sorted_unique(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        return tuple(sorted(set(value)))

    def is_business_day(self, day: date) -> bool:
        if self.days == "weekdays" and day.weekday() in WEEKEND:
            return False
        return day not in self.holidays

    def previous(self, day: date) -> date:
        """The latest business day strictly before `day`."""
        for back in range(1, MAX_GAP_DAYS + 1):
            candidate = day - timedelta(days=back)
            if self.is_business_day(candidate):
                return candidate
        raise ValueError(f"no business day in the {MAX_GAP_DAYS} days before {day}")

    def business_days(self, start: date, end: date) -> list[date]:
        """Business days from `start` to `end`, both included, in order."""
        count = (end - start).days + 1
        days = (start + timedelta(days=offset) for offset in range(max(count, 0)))
        return [day for day in days if self.is_business_day(day)]

    def describe(self) -> str:
        holidays = f" less {len(self.holidays)} holiday(s)" if self.holidays else ""
        return ("every day" if self.days == "every_day" else "Monday to Friday") + holidays
