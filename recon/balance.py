"""The balance statement: per side and currency, what came in equals what went out.

Computed from the files about to be published (not from intermediate tables), so it proves
what ops will read: rows and money in = matched + in breaks + quarantined. Rows in are the
day's records plus the carried items whose state the day changed; a carried item weighed again
and left exactly as it was (table `unchanged_members`) neither comes in nor goes out.
Before that, each side's file must account for every one of its lines (`source.parquet`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from recon.errors import BalanceError
from recon.ingest.accounting import accounting_problems
from recon.sql import parquet

BALANCE_SQL = """
WITH flows AS (
    SELECT 'partner' AS side, currency, 'in' AS flow, amount_minor, first_seen = {day} AS delivered
        FROM partner_in
        WHERE record_id NOT IN (SELECT record_id FROM unchanged_members WHERE side = 'partner')
    UNION ALL SELECT 'ledger', currency, 'in', amount_minor, first_seen = {day} FROM ledger_in
        WHERE record_id NOT IN (SELECT record_id FROM unchanged_members WHERE side = 'ledger')
    UNION ALL SELECT side, coalesce(currency, '?'), 'quarantined', amount_minor, TRUE FROM quarantine_in
    UNION ALL SELECT 'partner', currency, 'matched', partner_amount_minor, FALSE FROM {matches}
    UNION ALL SELECT 'ledger', currency, 'matched', ledger_amount_minor, FALSE FROM {matches}
    UNION ALL SELECT 'partner', partner_currency, 'broken', partner_amount_minor, FALSE
        FROM {breaks} WHERE partner_record_id IS NOT NULL
    UNION ALL SELECT 'ledger', ledger_currency, 'broken', ledger_amount_minor, FALSE
        FROM {breaks} WHERE ledger_record_id IS NOT NULL
), totals AS (
    SELECT side, currency,
        count(*) FILTER (flow IN ('in', 'quarantined')) AS rows_in,
        count(*) FILTER (flow IN ('in', 'quarantined') AND delivered) AS rows_delivered,
        coalesce(sum(amount_minor::HUGEINT) FILTER (flow IN ('in', 'quarantined')), 0) AS amount_in_minor,
        count(*) FILTER (flow = 'matched') AS rows_matched,
        coalesce(sum(amount_minor::HUGEINT) FILTER (flow = 'matched'), 0) AS amount_matched_minor,
        count(*) FILTER (flow = 'broken') AS rows_in_breaks,
        coalesce(sum(amount_minor::HUGEINT) FILTER (flow = 'broken'), 0) AS amount_in_breaks_minor,
        count(*) FILTER (flow = 'quarantined') AS rows_quarantined,
        coalesce(sum(amount_minor::HUGEINT) FILTER (flow = 'quarantined'), 0) AS amount_quarantined_minor
    FROM flows GROUP BY side, currency
)
SELECT '{partner}' AS partner, {day} AS business_date, side, currency,
    rows_in, rows_delivered, TRY_CAST(amount_in_minor AS BIGINT) AS amount_in_minor,
    rows_matched, TRY_CAST(amount_matched_minor AS BIGINT) AS amount_matched_minor,
    rows_in_breaks, TRY_CAST(amount_in_breaks_minor AS BIGINT) AS amount_in_breaks_minor,
    rows_quarantined, TRY_CAST(amount_quarantined_minor AS BIGINT) AS amount_quarantined_minor,
    rows_in = rows_matched + rows_in_breaks + rows_quarantined
    AND amount_in_minor = amount_matched_minor + amount_in_breaks_minor + amount_quarantined_minor
    AND greatest(abs(amount_in_minor), abs(amount_matched_minor), abs(amount_in_breaks_minor),
        abs(amount_quarantined_minor)) <= 9223372036854775807 AS balanced
FROM totals ORDER BY side, currency
"""


def balance_statement(
    con: duckdb.DuckDBPyConnection, partner: str, business_date: str, matches: Path, breaks: Path
) -> pl.DataFrame:
    """Balance rows from the `partner_in`, `ledger_in` and `quarantine_in` views and the outputs.

    Quarantined rows whose amount could not be parsed count as rows with no money; their
    currency is '?' when it could not be read either. Sums are taken in HUGEINT, so they cannot
    overflow; a total beyond BIGINT is published as null and its row does not balance.
    """
    sql = BALANCE_SQL.format(
        matches=parquet(matches), breaks=parquet(breaks), partner=partner, day=f"DATE '{business_date}'"
    )
    return con.sql(sql).pl()


def assert_balanced(statement: pl.DataFrame, unit: str) -> None:
    """Fail loudly, naming each side and currency that does not balance."""
    off = statement.filter(~pl.col("balanced"))
    if off.height:
        problems = "; ".join(
            f"{row['side']} {row['currency']}: in {row['rows_in']} rows/{_total(row['amount_in_minor'])}, "
            f"out {row['rows_matched']}+{row['rows_in_breaks']}+{row['rows_quarantined']} rows/"
            f"{_total(row['amount_matched_minor'])}+{_total(row['amount_in_breaks_minor'])}"
            f"+{_total(row['amount_quarantined_minor'])}"
            for row in off.iter_rows(named=True)
        )
        raise BalanceError(f"{unit} does not balance: {problems}")


def _total(amount: int | None) -> str:
    return "beyond 64 bits" if amount is None else str(amount)


def assert_files_accounted(
    con: duckdb.DuckDBPyConnection, sources: Sequence[tuple[str, Path]], unit: str
) -> None:
    """Fail when a side's file of the day does not account for every line (recon.ingest.accounting),
    or when the partner file's records and quarantine are not the rows the day reads (`today_partner`,
    `quarantine_in`); the ledger file's rows are shared by all partners, so only its lines are checked."""
    accounting = pl.concat([pl.read_parquet(path).with_columns(side=pl.lit(side)) for side, path in sources])
    problems = accounting_problems(accounting)
    partner = accounting.filter(pl.col("side") == "partner")
    if partner.height:
        row = partner.row(0, named=True)
        ((records,),) = con.sql("SELECT count(*) FROM today_partner").fetchall()
        ((quarantined,),) = con.sql("SELECT count(*) FROM quarantine_in WHERE side = 'partner'").fetchall()
        if (records, quarantined) != (row["records"], row["quarantined"]):
            problems.append(
                f"{row['source_file']}: {row['records']} records + {row['quarantined']} quarantined in the "
                f"file's accounting, {records} + {quarantined} read"
            )
    if problems:
        raise BalanceError(f"{unit} does not account for its files: {'; '.join(problems)}")
