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
from recon.lifecycle import LIFECYCLE, lifecycle_columns, register_severity_limits
from recon.open_index import open_set_as_of
from recon.sql import parquet
from recon.store import Layout


def _keyed_open(layout: Layout, partner_id: str, as_of: date) -> str | None:
    open_set = open_set_as_of(layout, partner_id, as_of)
    return f"(SELECT * FROM {open_set.sql()} WHERE keyed)" if open_set else None


def open_items(
    con: duckdb.DuckDBPyConnection, layout: Layout, partner_id: str, as_of: date, policy: BreakPolicy
) -> None:
    """Create the view `open_items`: one narrow row per open break as of `as_of` (pending ones
    included), what the daily summary, the metrics and the checks weigh. Aggregating it in
    DuckDB reads a few columns of the open set and nothing else."""
    keyed = _keyed_open(layout, partner_id, as_of)
    if keyed is None:
        raise ReconError(f"{partner_id} {as_of} has not been reconciled")
    register_severity_limits(con, policy)
    con.execute(
        f"""CREATE TEMP VIEW open_items AS
        SELECT b.break_id, b.break_type, b.side, b.record_id, b.reference, b.currency,
               abs(b.amount_minor) AS amount_minor,
               {lifecycle_columns(policy, as_of, "b.first_seen", "abs(b.amount_minor)")}
        FROM {keyed} b LEFT JOIN severity_limits l ON l.currency = b.currency"""
    )


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
