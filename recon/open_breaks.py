"""Every break open for a partner as of a date, with its lifecycle as of that date.

A day's `breaks.parquet` holds the breaks new or changed that day; a carried break left as it was
stays in the file of the day it was last decided. The open set as of D (recon.open_index) names,
for every open record, the break it belongs to and the day that break row was written. Lifecycle
columns are recomputed for D, so a break that aged out of its grace period shows as a break even
when no run rewrote it.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from recon.config import BreakPolicy
from recon.errors import ReconError
from recon.lifecycle import LIFECYCLE, age_bucket, lifecycle_columns, register_severity_limits, status
from recon.open_index import open_set_as_of
from recon.sql import parquet
from recon.store import Layout


def _keyed_open(layout: Layout, partner_id: str, as_of: date) -> str | None:
    open_set = open_set_as_of(layout, partner_id, as_of)
    return f"(SELECT * FROM {open_set.sql()} WHERE keyed)" if open_set else None


def open_tally(
    con: duckdb.DuckDBPyConnection, layout: Layout, partner_id: str, as_of: date, policy: BreakPolicy
) -> None:
    """Create the view `open_tally`: open breaks (pending included) as of `as_of`, counted and
    summed per break type, currency and first-seen date with their age, age bucket and status:
    what the daily summary, the metrics and the checks weigh, without reading the open set."""
    tally = layout.result("open_tally", partner_id, as_of)
    if not tally.is_file():
        raise ReconError(f"{partner_id} {as_of} has not been reconciled")
    age = f"(DATE '{as_of.isoformat()}' - first_seen)"
    con.execute(
        f"""CREATE TEMP VIEW open_tally AS
        SELECT break_type, currency, first_seen, items, amount_minor, {age} AS age_days,
               {age_bucket(age)} AS age_bucket, {status(policy, "break_type", age)} AS status
        FROM {parquet(tally)}"""
    )


def largest_open_breaks(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    partner_id: str,
    as_of: date,
    policy: BreakPolicy,
    count: int,
) -> pl.DataFrame:
    """In each currency, the `count` open breaks past their grace period with the largest |amount|
    as of `as_of` (ties by break id), by currency: amounts of different currencies are never
    ranked against each other. One scan of a few columns of the open set."""
    keyed = _keyed_open(layout, partner_id, as_of)
    if keyed is None:
        raise ReconError(f"{partner_id} {as_of} has not been reconciled")
    age = f"(DATE '{as_of.isoformat()}' - first_seen)"
    return con.sql(
        f"""SELECT break_id, break_type, {status(policy, "break_type", age)} AS status, {age} AS age_days,
               side, record_id, reference, currency, abs(amount_minor) AS amount_minor
        FROM {keyed} WHERE status <> 'pending'
        QUALIFY row_number() OVER (PARTITION BY currency ORDER BY amount_minor DESC, break_id) <= {int(count)}
        ORDER BY currency, amount_minor DESC, break_id"""
    ).pl()


def open_breaks(
    con: duckdb.DuckDBPyConnection, layout: Layout, partner_id: str, as_of: date, policy: BreakPolicy
) -> pl.DataFrame:
    """Full break rows (both sides' values) of every break open as of `as_of`, for reports."""
    keyed = _keyed_open(layout, partner_id, as_of)
    files = [path for day, path in layout.partner_results(partner_id, "breaks") if day <= as_of]
    if keyed is None or not files:
        return pl.DataFrame()
    register_severity_limits(con, policy)
    return con.sql(
        f"""SELECT b.* EXCLUDE ({", ".join(LIFECYCLE)}),
                   {lifecycle_columns(policy, as_of, "b.first_seen")}
            FROM {parquet(*files)} b
            JOIN {keyed} k ON k.break_id = b.break_id AND k.carried_on = b.business_date
            LEFT JOIN severity_limits l ON l.currency = b.currency
            ORDER BY b.side, b.record_id"""
    ).pl()
