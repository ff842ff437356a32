"""Every break open for a partner as of a date, with its lifecycle as of that date.

A day's `breaks.parquet` holds the breaks new or changed that day; a carried break left as it was
stays in the file of the day it was last decided. The day's `open_index.parquet` lists every
record open after it, with the break it belongs to and the day that break row was written, so
the open set as of D is one narrow file, however many days came before. Lifecycle columns are
recomputed for D, so a break that aged out of its grace period shows as a break even when no
run rewrote it.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from recon.config import BreakPolicy
from recon.lifecycle import LIFECYCLE, lifecycle_columns, register_severity_limits
from recon.sql import parquet
from recon.store import Layout


def _keyed_open(layout: Layout, partner_id: str, as_of: date) -> str | None:
    index = layout.result("open_index", partner_id, as_of)
    return f"(SELECT * FROM {parquet(index)} WHERE keyed)" if index.exists() else None


def open_items(
    con: duckdb.DuckDBPyConnection, layout: Layout, partner_id: str, as_of: date, policy: BreakPolicy
) -> pl.DataFrame:
    """One narrow row per open break as of `as_of` (pending ones included): what the daily
    summary, the metrics and the checks weigh. Reads only that day's open index."""
    keyed = _keyed_open(layout, partner_id, as_of)
    if keyed is None:
        return pl.DataFrame()
    register_severity_limits(con, policy)
    return con.sql(
        f"""SELECT b.break_id, b.break_type, b.side, b.record_id, b.reference, b.currency,
                   abs(b.amount_minor) AS amount_minor,
                   {lifecycle_columns(policy, as_of, "b.first_seen", "abs(b.amount_minor)")}
            FROM {keyed} b LEFT JOIN severity_limits l ON l.currency = b.currency
            ORDER BY b.side, b.record_id"""
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
