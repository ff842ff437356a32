"""The `open_breaks` SQL view: every break open as of every reconciled day, for SQL users.

A day's `breaks` file holds only the breaks new or changed that day, so the `breaks` view is a
history of decisions, not the state of the book. `open_breaks` has one row per break open as of
each reconciled day (`as_of`): the break's latest row up to that day, unless a `resolved` row
closed it since, with age, bucket, status and severity recomputed for that day under the
partner's own break policy, and the amounts also as text in major units of their currency.
It gives the same rows as recon.open_breaks.open_breaks (tested).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import polars as pl

from recon.config import BreakPolicy, ReconConfig
from recon.lifecycle import LIFECYCLE, age_bucket, severity, severity_limits, status
from recon.money_sql import create_currency_macros, money_text

AGE = "(o.as_of - o.first_seen)"
AMOUNT = "abs(coalesce(o.partner_amount_minor, o.ledger_amount_minor))"


def _per_partner(config: ReconConfig, expression: Callable[[BreakPolicy], str]) -> str:
    """An expression that depends on the break policy, with each partner's own."""
    branches = " ".join(
        f"WHEN '{partner_id}' THEN {expression(partner.breaks)}"
        for partner_id, partner in sorted(config.partners.items())
    )
    return f"CASE o.partner {branches} END"


def install_open_breaks_view(con: duckdb.DuckDBPyConnection, config: ReconConfig) -> None:
    """Create `open_breaks` (and what it needs: the severity limits of every partner and the
    money macros) in the database of `con`, over its `breaks`, `resolved` and `balance` views."""
    create_currency_macros(con, temporary=False)
    limits = pl.concat(
        [
            severity_limits(partner.breaks).with_columns(partner=pl.lit(partner_id))
            for partner_id, partner in sorted(config.partners.items())
        ]
    )
    con.register("limits_frame", limits)
    con.execute("CREATE OR REPLACE TABLE severity_limits AS SELECT * FROM limits_frame")
    con.unregister("limits_frame")
    recomputed = ", ".join(column for column in LIFECYCLE if column != "first_seen")
    lifecycle = f"""o.as_of AS last_seen, {AGE} AS age_days, {age_bucket(AGE)} AS age_bucket,
        {_per_partner(config, lambda policy: status(policy, "o.break_type", AGE))} AS status,
        {_per_partner(config, lambda policy: severity(policy, AMOUNT, AGE))} AS severity"""
    con.execute(
        f"""CREATE OR REPLACE VIEW open_breaks AS
        WITH days AS (SELECT DISTINCT partner, business_date AS as_of FROM balance),
        latest AS (
            SELECT d.as_of, b.* FROM breaks b
            JOIN days d ON d.partner = b.partner AND b.business_date <= d.as_of
            QUALIFY row_number() OVER (
                PARTITION BY d.partner, d.as_of, b.break_id ORDER BY b.business_date DESC) = 1
        ), o AS (
            SELECT * FROM latest l
            WHERE NOT EXISTS (
                SELECT 1 FROM resolved r WHERE r.partner = l.partner AND r.break_id = l.break_id
                    AND r.business_date > l.business_date AND r.business_date <= l.as_of)
        )
        SELECT o.as_of, o.* EXCLUDE (as_of, {recomputed}),
               {lifecycle},
               {money_text("o.partner_amount_minor", "o.partner_currency")} AS partner_amount,
               {money_text("o.ledger_amount_minor", "o.ledger_currency")} AS ledger_amount,
               {money_text("o.amount_diff_minor", "o.currency")} AS amount_diff
        FROM o LEFT JOIN severity_limits l ON l.partner = o.partner AND l.currency = o.currency"""
    )
