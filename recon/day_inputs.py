"""What one partner-day reads: which earlier day it follows and which ledger dates it covers.

Days of a partner run in order of its business calendar (recon.calendar). A partner-day follows
the last reconciled day before it; every business day in between must have been closed
explicitly (recon.skips), or the day refuses to run: a missing day is never passed over
silently. The ledger entries of the dates in between (a weekday partner's weekend, a holiday, a
skipped day) roll into the day, so no booking is left unreconciled because its partner was quiet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recon.config import ReconConfig
from recon.errors import ReconError
from recon.skips import skipped_days
from recon.sql import parquet
from recon.store import Layout

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DayInputs:
    """`follows`: the last reconciled day before (None on the partner's first); `ledger_dates`:
    the ledger exports whose entries for the partner the day reconciles, oldest first; `problem`:
    why the day cannot run yet (not a business day, an earlier day missing), else None."""

    partner_id: str
    business_date: date
    follows: date | None
    ledger_dates: tuple[date, ...]
    problem: str | None

    def require_due(self) -> DayInputs:
        if self.problem is not None:
            raise ReconError(f"{self.partner_id} {self.business_date}: {self.problem}")
        return self


def day_inputs(config: ReconConfig, layout: Layout, partner_id: str, business_date: date) -> DayInputs:
    """The inputs of a partner-day, and what keeps it from running, if anything."""
    partner = config.partner(partner_id)
    calendar = partner.calendar
    first = partner.first_business_date
    reconciled = [day for day, _path in layout.partner_results(partner_id, "carry") if day < business_date]
    follows = reconciled[-1] if reconciled else None
    problem = None
    if not calendar.is_business_day(business_date):
        problem = f"not a business day of the partner ({calendar.describe()})"
    elif first is not None and business_date < first:
        problem = f"before the partner's first business date {first}"
    if follows is None:  # the first day covers the quiet days since the partner's first date, if set
        start = max(calendar.previous(business_date) + ONE_DAY, first) if first else business_date
    else:
        start = follows + ONE_DAY
        skipped = set(skipped_days(layout, partner_id))
        gap = calendar.business_days(start, business_date - ONE_DAY)
        missing = [day for day in gap if day not in skipped]
        if missing and problem is None:
            problem = (
                f"the previous business date {missing[-1]} has not been reconciled (last is {follows}); "
                f"days run in order: reconcile it, or close it with "
                f"'recon skip --partner {partner_id} --date {missing[-1]} --reason ...'"
            )
    ledger_dates = tuple(config.ledger.calendar.business_days(start, business_date))
    return DayInputs(partner_id, business_date, follows, ledger_dates, problem)


def input_days(inputs: DayInputs) -> dict[str, tuple[date, ...]]:
    """Dates whose canonical files each side of the day reads."""
    return {"partner": (inputs.business_date,), "ledger": inputs.ledger_dates}


def records_relation(layout: Layout, inputs: DayInputs, side: str) -> str:
    """SQL relation of the side's canonical records over the day's dates (empty, with the
    canonical columns, when the ledger calendar has no export in them)."""
    days = input_days(inputs)[side]
    if days:
        return f"SELECT * FROM {parquet(*(layout.canonical(side, inputs.partner_id, day) for day in days))}"
    partner_file = layout.canonical("partner", inputs.partner_id, inputs.business_date)
    return f"SELECT * FROM {parquet(partner_file)} LIMIT 0"
