"""Match one partner and business date: fast path for unique references, cascade for the rest.

Input is two DuckDB views, `partner_in` and `ledger_in`, over canonical records; output is a
matches file and a breaks file in which every input record appears exactly once. The table
`break_members(side, record_id, sort_key)` is left behind with every record of every break, so
that callers can fetch their full input rows by the integer `sort_key`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from recon.config import PartnerConfig
from recon.matching.cascade import open_records, run_cascade
from recon.matching.fast_path import pair_by_reference, undecided_records
from recon.matching.outputs import breaks_query, matches_query
from recon.money_sql import create_currency_macros
from recon.sql import quote


def reconcile(
    con: duckdb.DuckDBPyConnection,
    partner: PartnerConfig,
    business_date: date,
    matches_path: Path,
    breaks_path: Path,
) -> None:
    """Run the whole cascade and write matches and breaks as Parquet to the given paths."""
    rules = partner.rules
    create_currency_macros(con)
    key_rules = [rule for rule in rules if rule.match_on == "reference"]
    if key_rules:
        pair_by_reference(con, rules)
    for side in ("partner", "ledger"):
        open_records(con, side, undecided_records(side) if key_rules else None)
    run_cascade(con, rules)
    _break_members(con, fast_path=bool(key_rules))
    for query, path in (
        (matches_query(partner.id, business_date, rules, bool(key_rules)), matches_path),
        (breaks_query(partner.id, business_date, rules, bool(key_rules)), breaks_path),
    ):
        con.execute(f"COPY ({query}) TO {quote(str(path))} (FORMAT parquet)")


def _break_members(con: duckdb.DuckDBPyConnection, fast_path: bool) -> None:
    fast = (
        "UNION ALL SELECT 'partner', p_id, p_sort FROM fast_mismatches "
        "UNION ALL SELECT 'ledger', l_id, l_sort FROM fast_mismatches"
        if fast_path
        else ""
    )
    con.execute(
        f"""CREATE TEMP TABLE break_members AS
        SELECT 'partner' AS side, p_id AS record_id, p_sort AS sort_key FROM pool_p
        WHERE p_id IN (SELECT p_id FROM decided WHERE kind = 'break')
        UNION ALL
        SELECT 'ledger', l_id, l_sort FROM pool_l
        WHERE l_id IN (SELECT l_id FROM decided WHERE kind = 'break')
        {fast}"""
    )
