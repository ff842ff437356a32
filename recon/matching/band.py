"""Pairs that a no-key rule accepts, found by a band join instead of a cross product.

The cascade takes its no-key candidates from here, and recon.carry the carried records a day's
records can reach without a key, so both agree on what "within reach" means.
"""

from __future__ import annotations

import duckdb

from recon.config import MatchRule
from recon.matching.rules import accepts, compared_amount, tolerance

# Amount axis of the band join: amounts are offset into [0, 2^52) and stacked above a
# (currency, day) prefix so that one range condition bounds all three.
AMOUNT_BITS = 52
DAY_BITS = 17
PARTNER_COLUMNS = ("p_id", "p_currency", "p_gross", "p_net", "p_date")
LEDGER_COLUMNS = ("l_id", "l_currency", "l_amount", "l_date")


def nokey_pairs(
    con: duckdb.DuckDBPyConnection, rule: MatchRule, partners: str, ledgers: str, select: str, out: str
) -> None:
    """Create the table `out` with `select` over every pair of a `partners` row and a `ledgers`
    row (tables or views with PARTNER_COLUMNS and LEDGER_COLUMNS, ids unique) that `rule` accepts.

    Each partner row is expanded once per ledger day its window allows, on one HUGEINT axis
    (currency hash, day, amount); the range condition then only pairs rows of the same currency
    hash and day whose amounts are within tolerance, and `accepts(rule)` re-checks everything
    exactly. The band join runs as a statement of its own: with the exact checks in the same
    query the optimiser would pull the currency equality into a hash join and compare every pair
    within a currency.
    """
    window = rule.date_window
    amount_offset = 2 ** (AMOUNT_BITS - 1)
    axis = (
        f"((hash({{currency}}) % {2**20})::HUGEINT * {2**DAY_BITS} + ({{day}} - DATE '1970-01-01'))"
        f" * {2**AMOUNT_BITS} + ({{amount}} + {amount_offset})"
    )
    partner_axis = axis.format(currency="p_currency", day="p_date - o::INTEGER", amount=compared_amount(rule))
    ledger_axis = axis.format(currency="l_currency", day="l_date", amount="l_amount")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out}_band AS
        WITH pe AS (
            SELECT p_id, {partner_axis} AS k, {tolerance(rule)} AS tol
            FROM {partners}, range({-window.days_before}, {window.days_after + 1}) r(o)
        ), le AS (SELECT l_id, {ledger_axis} AS k FROM {ledgers})
        SELECT DISTINCT p_id, l_id FROM pe JOIN le ON le.k BETWEEN pe.k - pe.tol AND pe.k + pe.tol"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT {select} FROM {out}_band JOIN {partners} USING (p_id) JOIN {ledgers} USING (l_id)
        WHERE {accepts(rule)}"""
    )
