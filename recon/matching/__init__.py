"""Match one partner and business date: fast path for unique references, cascade for the rest.

Input is two DuckDB views, `partner_in` and `ledger_in`, over canonical records; output is a
matches file and a breaks file in which every input record appears exactly once. The tables
`unmatched_partner` and `unmatched_ledger` are left behind with the full input rows of every
record that was not matched (a superset of the records in breaks), for callers that need them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from recon.config import PartnerConfig
from recon.matching.cascade import open_records, run_cascade
from recon.matching.fast_path import pair_by_reference, undecided_ids, unmatched_ids
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
    key_rules = [rule for rule in rules if rule.match_on == "reference"]
    if key_rules:
        pair_by_reference(con, rules)
    for side, source in (("partner", "partner_in"), ("ledger", "ledger_in")):
        if key_rules:
            open_records(con, side, source, undecided_ids(side), unmatched_ids(side, key_rules))
        else:
            open_records(con, side, source, None, None)
    run_cascade(con, rules)
    for query, path in (
        (matches_query(partner.id, business_date, rules, bool(key_rules)), matches_path),
        (breaks_query(partner.id, business_date, rules, bool(key_rules)), breaks_path),
    ):
        con.execute(f"COPY ({query}) TO {quote(str(path))} (FORMAT parquet)")
