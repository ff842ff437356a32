"""The balance statement: per side and currency, what came in equals what went out.

Computed from the files about to be published (not from intermediate tables), so it proves
what ops will read: rows and money in = matched + in breaks + quarantined. Rows in are the
day's records plus the carried items whose state the day changed; a carried item weighed again
and left exactly as it was (table `unchanged_members`) neither comes in nor goes out.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from recon.errors import BalanceError
from recon.sql import parquet

BALANCE_SQL = """
WITH flows AS (
    SELECT 'partner' AS side, currency, 'in' AS flow, amount_minor FROM partner_in
        WHERE record_id NOT IN (SELECT record_id FROM unchanged_members WHERE side = 'partner')
    UNION ALL SELECT 'ledger', currency, 'in', amount_minor FROM ledger_in
        WHERE record_id NOT IN (SELECT record_id FROM unchanged_members WHERE side = 'ledger')
    UNION ALL SELECT side, coalesce(currency, '?'), 'quarantined', amount_minor FROM quarantine_in
    UNION ALL SELECT 'partner', currency, 'matched', partner_amount_minor FROM {matches}
    UNION ALL SELECT 'ledger', currency, 'matched', ledger_amount_minor FROM {matches}
    UNION ALL SELECT 'partner', partner_currency, 'broken', partner_amount_minor
        FROM {breaks} WHERE partner_record_id IS NOT NULL
    UNION ALL SELECT 'ledger', ledger_currency, 'broken', ledger_amount_minor
        FROM {breaks} WHERE ledger_record_id IS NOT NULL
), totals AS (
    SELECT side, currency,
        count(*) FILTER (flow IN ('in', 'quarantined')) AS rows_in,
        coalesce(sum(amount_minor) FILTER (flow IN ('in', 'quarantined')), 0)::BIGINT AS amount_in_minor,
        count(*) FILTER (flow = 'matched') AS rows_matched,
        coalesce(sum(amount_minor) FILTER (flow = 'matched'), 0)::BIGINT AS amount_matched_minor,
        count(*) FILTER (flow = 'broken') AS rows_in_breaks,
        coalesce(sum(amount_minor) FILTER (flow = 'broken'), 0)::BIGINT AS amount_in_breaks_minor,
        count(*) FILTER (flow = 'quarantined') AS rows_quarantined,
        coalesce(sum(amount_minor) FILTER (flow = 'quarantined'), 0)::BIGINT AS amount_quarantined_minor
    FROM flows GROUP BY side, currency
)
SELECT '{partner}' AS partner, DATE '{business_date}' AS business_date, *,
    rows_in = rows_matched + rows_in_breaks + rows_quarantined
    AND amount_in_minor = amount_matched_minor + amount_in_breaks_minor + amount_quarantined_minor AS balanced
FROM totals ORDER BY side, currency
"""


def balance_statement(
    con: duckdb.DuckDBPyConnection, partner: str, business_date: str, matches: Path, breaks: Path
) -> pl.DataFrame:
    """Balance rows from the `partner_in`, `ledger_in` and `quarantine_in` views and the outputs.

    Quarantined rows whose amount could not be parsed count as rows with no money; their
    currency is '?' when it could not be read either.
    """
    sql = BALANCE_SQL.format(
        matches=parquet(matches), breaks=parquet(breaks), partner=partner, business_date=business_date
    )
    return con.sql(sql).pl()


def assert_balanced(statement: pl.DataFrame, unit: str) -> None:
    """Fail loudly, naming each side and currency that does not balance."""
    off = statement.filter(~pl.col("balanced"))
    if off.height:
        problems = "; ".join(
            f"{row['side']} {row['currency']}: in {row['rows_in']} rows/{row['amount_in_minor']}, "
            f"out {row['rows_matched']}+{row['rows_in_breaks']}+{row['rows_quarantined']} rows/"
            f"{row['amount_matched_minor']}+{row['amount_in_breaks_minor']}+{row['amount_quarantined_minor']}"
            for row in off.iter_rows(named=True)
        )
        raise BalanceError(f"{unit} does not balance: {problems}")
