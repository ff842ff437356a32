"""Every break open for a partner as of a date, with its lifecycle as of that date.

A day's `breaks.parquet` holds the breaks new or changed that day; a carried break left as it was
stays in the file of the day it was last decided. The open set as of D is therefore, for each
record, its latest carry row up to D: open and keyed on that record, it points at the break row
that is still current. Lifecycle columns are recomputed for D, so a break that aged out of its
grace period shows as a break even when no run rewrote it.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from recon.config import BreakPolicy
from recon.lifecycle import lifecycle_columns, register_severity_limits
from recon.sql import parquet
from recon.store import Layout

LIFECYCLE = ("first_seen", "last_seen", "age_days", "age_bucket", "status", "severity")


def _files(layout: Layout, partner_id: str, table: str, as_of: date) -> str | None:
    paths = [path for day, path in layout.partner_results(partner_id, table) if day <= as_of]
    return parquet(*paths) if paths else None


def open_breaks(
    con: duckdb.DuckDBPyConnection, layout: Layout, partner_id: str, as_of: date, policy: BreakPolicy
) -> pl.DataFrame:
    """Open breaks (pending ones included) of one partner as of `as_of`, ordered by record."""
    carry, breaks = _files(layout, partner_id, "carry", as_of), _files(layout, partner_id, "breaks", as_of)
    if carry is None or breaks is None:
        return pl.DataFrame()
    register_severity_limits(con, policy)
    return con.sql(
        f"""WITH latest AS (
                SELECT break_id, carried_on FROM {carry}
                QUALIFY row_number() OVER (PARTITION BY side, record_id ORDER BY carried_on DESC) = 1
                    AND open AND keyed
            )
            SELECT b.* EXCLUDE ({", ".join(LIFECYCLE)}),
                   {lifecycle_columns(policy, as_of, "b.first_seen")}
            FROM {breaks} b
            JOIN latest ON latest.break_id = b.break_id AND latest.carried_on = b.business_date
            LEFT JOIN severity_limits l ON l.currency = b.currency
            ORDER BY b.side, b.record_id"""
    ).pl()
