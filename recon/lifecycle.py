"""Break lifecycle: first seen, age, status, severity; what carries forward; what closed.

Status of an open item on day D, with age = D - first_seen and grace = the partner's grace
days for its break type: `pending` while age < grace (an expected timing difference, not yet a
break), `new` on the day age reaches grace, `persisting` after that. A carried break that is
gone on D is `resolved`: `resolved_by_match` when its record matched, `merged` when its record
now belongs to another break (e.g. the ledger side of an amount mismatch that arrived on D).
The same formulas serve the open-breaks view of any date, so status never depends on which
day last rewrote a row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from recon.config import BreakPolicy
from recon.money import currency_exponents
from recon.open_index import OpenSet
from recon.sql import parquet, quote
from recon.store import write_parquet

AGE_BUCKETS = ("0-1", "2-7", "8-30", ">30")
LIFECYCLE = ("first_seen", "last_seen", "age_days", "age_bucket", "status", "severity")


def age_bucket(age: str) -> str:
    return (
        f"CASE WHEN {age} <= 1 THEN '0-1' WHEN {age} <= 7 THEN '2-7' "
        f"WHEN {age} <= 30 THEN '8-30' ELSE '>30' END"
    )


def grace(policy: BreakPolicy, break_type: str) -> str:
    branches = " ".join(f"WHEN '{kind}' THEN {days}" for kind, days in sorted(policy.grace_days.items()))
    return f"(CASE {break_type} {branches} ELSE 0 END)" if branches else "0"


def status(policy: BreakPolicy, break_type: str, age: str) -> str:
    days = grace(policy, break_type)
    return f"CASE WHEN {age} < {days} THEN 'pending' WHEN {age} = {days} THEN 'new' ELSE 'persisting' END"


def severity(policy: BreakPolicy, amount: str, age: str) -> str:
    """Needs the columns `high_minor` and `critical_minor` of `severity_limits` joined on currency."""
    return (
        f"CASE WHEN {amount} >= critical_minor OR {age} >= {policy.critical_age_days} THEN 'critical' "
        f"WHEN {amount} >= high_minor OR {age} >= {policy.high_age_days} THEN 'high' ELSE 'low' END"
    )


def severity_limits(policy: BreakPolicy) -> pl.DataFrame:
    """Amount thresholds in each currency's minor units, computed exactly in Python."""

    def minor(amount: Decimal, exponent: int) -> int:
        return int(amount.scaleb(exponent).to_integral_value())

    rows = [
        (code, minor(policy.high_amount, exponent), minor(policy.critical_amount, exponent))
        for code, exponent in sorted(currency_exponents().items())
    ]
    return pl.DataFrame(rows, schema=["currency", "high_minor", "critical_minor"], orient="row")


def register_severity_limits(con: duckdb.DuckDBPyConnection, policy: BreakPolicy) -> None:
    con.register("severity_limits", severity_limits(policy))


BREAK_AMOUNT = "abs(coalesce(b.partner_amount_minor, b.ledger_amount_minor))"


def lifecycle_columns(
    policy: BreakPolicy, business_date: date, first_seen: str, amount: str = BREAK_AMOUNT
) -> str:
    """first_seen, last_seen, age_days, age_bucket, status, severity of break row `b` as of a date;
    `amount` is the break's |amount| (its keyed record's), which severity weighs."""
    day = f"DATE '{business_date.isoformat()}'"
    age = f"({day} - {first_seen})"
    return f"""{first_seen} AS first_seen, {day} AS last_seen, {age} AS age_days,
        {age_bucket(age)} AS age_bucket, {status(policy, "b.break_type", age)} AS status,
        {severity(policy, amount, age)} AS severity"""


def write_breaks(
    con: duckdb.DuckDBPyConnection, policy: BreakPolicy, business_date: date, raw: Path, out: Path
) -> None:
    """Breaks of the day with their lifecycle, kept whole in the table `day_breaks`; the file gets
    the new and changed ones. A carried break weighed again with the same type, counterpart and
    detail is not written again: it stays current in the file of the day it was decided."""
    register_severity_limits(con, policy)
    first_seen = f"coalesce(c.first_seen, DATE '{business_date.isoformat()}')"
    counterpart = "CASE WHEN b.side = 'partner' THEN b.ledger_record_id ELSE b.partner_record_id END"
    con.execute(
        f"""CREATE TEMP TABLE day_breaks AS
        SELECT b.*, {lifecycle_columns(policy, business_date, first_seen)},
               coalesce(c.keyed AND c.break_type = b.break_type
                        AND c.counterpart_id IS NOT DISTINCT FROM {counterpart}
                        AND c.detail IS NOT DISTINCT FROM b.detail, FALSE) AS unchanged
        FROM {parquet(raw)} b
        LEFT JOIN carried_in c ON c.side = b.side AND c.record_id = b.record_id
        LEFT JOIN severity_limits l ON l.currency = b.currency"""
    )
    con.execute(
        f"""COPY (SELECT * EXCLUDE (unchanged) FROM day_breaks WHERE NOT unchanged ORDER BY side, record_id)
        TO {quote(str(out))} (FORMAT parquet)"""
    )
    con.execute(
        """INSERT INTO unchanged_members
        SELECT 'partner' AS side, partner_record_id AS record_id FROM day_breaks
        WHERE unchanged AND partner_record_id IS NOT NULL
        UNION ALL
        SELECT 'ledger', ledger_record_id FROM day_breaks WHERE unchanged AND ledger_record_id IS NOT NULL"""
    )


def write_carry(con: duckdb.DuckDBPyConnection, business_date: date, out: Path) -> None:
    """The records of every new or changed break of the day (keyed or as the other side, always
    both together), then a closing row for each carried record that is
    in no break any more (it matched)."""
    day = f"DATE '{business_date.isoformat()}'"
    con.execute(
        """CREATE TEMP TABLE open_members AS
        SELECT 'partner' AS side, partner_record_id AS record_id, break_id, break_type,
               side = 'partner' AS keyed, ledger_record_id AS counterpart_id, detail, unchanged
        FROM day_breaks WHERE partner_record_id IS NOT NULL
        UNION ALL
        SELECT 'ledger', ledger_record_id, break_id, break_type, side = 'ledger', partner_record_id,
               detail, unchanged
        FROM day_breaks WHERE ledger_record_id IS NOT NULL"""
    )
    con.execute(
        f"""COPY (
            SELECT r.* EXCLUDE (sort_key), m.break_id, m.break_type, m.keyed, m.counterpart_id, m.detail,
                   TRUE AS open, {day} AS carried_on
            FROM open_members m
            JOIN (
                SELECT * FROM partner_in
                WHERE sort_key IN (SELECT k.sort_key FROM break_members k WHERE k.side = 'partner')
                UNION ALL
                SELECT * FROM ledger_in
                WHERE sort_key IN (SELECT k.sort_key FROM break_members k WHERE k.side = 'ledger')
            ) r ON r.side = m.side AND r.record_id = m.record_id
            WHERE NOT m.unchanged
            UNION ALL
            SELECT c.* EXCLUDE (first_seen, break_id, break_type, keyed, counterpart_id, detail),
                   c.first_seen, NULL, NULL, NULL, NULL, NULL, FALSE, {day}
            FROM carried_in c ANTI JOIN open_members m ON m.side = c.side AND m.record_id = c.record_id
            ORDER BY side, record_id, open
        ) TO {quote(str(out))} (FORMAT parquet)"""
    )


def write_open_tally(con: duckdb.DuckDBPyConnection, open_after: OpenSet, out: Path) -> None:
    """Open breaks (pending included) counted and summed per break type, currency and first-seen
    date, counted from the open set after the day, never derived from an earlier day's tally: a
    tally cannot inherit a wrong figure, and a day never needs the tally of the day before. The
    summary, the metrics and the checks read this, and lifecycle follows from first_seen for any
    date."""
    tally = pl.from_arrow(
        con.sql(
            f"""SELECT break_type, currency, first_seen, count(*)::BIGINT AS items,
                   sum(abs(amount_minor))::BIGINT AS amount_minor
            FROM {open_after.sql()} WHERE keyed
            GROUP BY ALL ORDER BY ALL"""
        ).to_arrow_table()
    )
    write_parquet(tally, out, atomic=False)  # small; Polars writes equal frames as equal bytes


def write_resolved(
    con: duckdb.DuckDBPyConnection, partner: str, business_date: date, matches: Path, out: Path
) -> None:
    """Carried breaks that closed on the day, and how."""
    day = f"DATE '{business_date.isoformat()}'"
    matches_file = parquet(matches)
    con.execute(
        f"""COPY (
            WITH closed AS (
                SELECT c.* FROM carried_in c
                WHERE c.keyed AND c.break_id NOT IN (SELECT break_id FROM day_breaks)
            ), matched AS (
                SELECT 'partner' AS side, partner_record_id AS record_id, rule,
                       ledger_record_id AS counterpart
                FROM {matches_file}
                WHERE partner_record_id IN (SELECT record_id FROM closed WHERE side = 'partner')
                UNION ALL
                SELECT 'ledger', ledger_record_id, rule, partner_record_id
                FROM {matches_file}
                WHERE ledger_record_id IN (SELECT record_id FROM closed WHERE side = 'ledger')
            )
            SELECT c.break_id, '{partner}' AS partner, {day} AS business_date, c.break_type, c.side,
                   c.record_id, c.reference, c.currency, c.amount_minor, c.first_seen,
                   {day} - c.first_seen AS age_days, {day} AS resolved_on,
                   CASE WHEN m.rule IS NOT NULL THEN 'resolved_by_match' ELSE 'merged' END AS resolution,
                   m.rule AS matched_by_rule, m.counterpart AS counterpart_record_id
            FROM closed c LEFT JOIN matched m USING (side, record_id)
            ORDER BY c.side, c.record_id
        ) TO {quote(str(out))} (FORMAT parquet)"""
    )
