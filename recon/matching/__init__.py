"""Match one partner and business date: fast path for unique references, cascade for the rest.

Input is two DuckDB views, `partner_in` and `ledger_in`, over canonical records; output is a
matches file and a breaks file in which every input record appears exactly once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from recon.config import PartnerConfig
from recon.matching.cascade import open_records, run_cascade
from recon.matching.fast_path import pair_by_reference, undecided_ids
from recon.matching.outputs import breaks_query, matches_query
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
    fast_path = any(rule.match_on == "reference" for rule in rules)
    if fast_path:
        pair_by_reference(con, rules)
    open_records(con, "partner", "partner_in", undecided_ids("partner") if fast_path else None)
    open_records(con, "ledger", "ledger_in", undecided_ids("ledger") if fast_path else None)
    run_cascade(con, rules)
    for query, path in (
        (matches_query(partner.id, business_date, rules, fast_path), matches_path),
        (breaks_query(partner.id, business_date, rules, fast_path), breaks_path),
    ):
        con.execute(f"COPY ({query}) TO {quote(str(path))} (FORMAT parquet)")
